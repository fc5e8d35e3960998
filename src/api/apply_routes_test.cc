// Apply: List expansion, the per-document checks (namespace, kind through discovery, cluster-scoped kinds, names),
// and the route behind the real front door: per-document authorisation, server-side apply requests, the cluster's
// refusal reported per document, audit, hostile bodies.
#include "api/apply_routes.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "api/kube_route_support.h"
#include "api/testing/kube_route_fixture.h"

namespace atrium::api {
namespace {

using testing::js;

core::Result<kube::ApiResource> fake_resolve(std::string_view group, std::string_view version, std::string_view kind) {
  struct Known {
    const char* group;
    const char* kind;
    const char* plural;
    bool namespaced;
    bool patch;
  };
  for (const Known& k :
       {Known{"", "ConfigMap", "configmaps", true, true}, Known{"", "Service", "services", true, true},
        Known{"apps", "Deployment", "deployments", true, true}, Known{"", "Namespace", "namespaces", false, true},
        Known{"example.com", "Widget", "widgets", true, true}, Known{"", "Binding", "bindings", true, false}}) {
    if (group == k.group && kind == k.kind) {
      kube::ApiResource r{k.group, std::string(version), k.plural, k.kind, k.namespaced, {"get", "create"}};
      if (k.patch) r.verbs.push_back("patch");
      return r;
    }
  }
  if (kind == "Down") return core::fail(core::ErrorCode::Unavailable, "cluster local is unreachable");
  return core::fail(core::ErrorCode::NotFound, fmt::format("cluster local serves no kind {}", kind));
}

std::vector<json::value> docs(std::initializer_list<const char*> texts) {
  std::vector<json::value> out;
  for (const char* t : texts) out.push_back(js(t));
  return out;
}

TEST(Apply, ListsAreExpanded) {
  auto out =
      expand_lists(docs({R"({"apiVersion":"v1","kind":"List","items":[{"kind":"ConfigMap"},{"kind":"Service"}]})",
                         R"({"kind":"Deployment"})"}));
  ASSERT_TRUE(out);
  ASSERT_EQ(out->size(), 3u);
  EXPECT_EQ(string_at((*out)[1], {"kind"}), "Service");
  // Where each object was in the body, so errors name the body's documents.
  std::vector<std::string> at;
  ASSERT_TRUE(expand_lists(
      docs({R"({"kind":"Secret"})", R"({"apiVersion":"v1","kind":"List","items":[{"kind":"ConfigMap"},{"kind":"X"}]})",
            R"({"kind":"Deployment"})"}),
      &at));
  EXPECT_EQ(at, (std::vector<std::string>{"[0]", "[1].items[0]", "[1].items[1]", "[2]"}));
  auto bad = plan_apply(docs({R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}})",
                              R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"b","namespace":"x"}})"}),
                        "shop", fake_resolve, &at);
  ASSERT_FALSE(bad);
  ASSERT_EQ(bad.error().causes.size(), 1u);
  EXPECT_EQ(bad.error().causes[0].field, "[1].items[0].metadata.namespace");
  EXPECT_FALSE(
      expand_lists(docs({R"({"apiVersion":"v1","kind":"List","items":[{"apiVersion":"v1","kind":"List"}]})"})));
  EXPECT_FALSE(expand_lists(docs({R"({"apiVersion":"v1","kind":"List","items":{}})"})));
  // A List of another apiVersion is a kind like any other (refused later by discovery when unknown).
  EXPECT_EQ(expand_lists(docs({R"({"apiVersion":"example.com/v1","kind":"List"})"}))->size(), 1u);
}

TEST(Apply, DocumentsAreCheckedAndPinnedToTheNamespace) {
  auto targets =
      plan_apply(docs({R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings"},"data":{"a":"1"}})",
                       R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"shop"}})",
                       R"({"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w:1","namespace":""}})"}),
                 "shop", fake_resolve);
  ASSERT_TRUE(targets) << targets.error().message;
  ASSERT_EQ(targets->size(), 3u);
  EXPECT_EQ((*targets)[0].path, "/api/v1/namespaces/shop/configmaps/settings");
  EXPECT_EQ(string_at((*targets)[0].object, {"metadata", "namespace"}), "shop");
  EXPECT_EQ((*targets)[1].path, "/apis/apps/v1/namespaces/shop/deployments/web");
  EXPECT_EQ((*targets)[2].path, "/apis/example.com/v1/namespaces/shop/widgets/w%3A1");

  struct Case {
    const char* doc;
    const char* field;
    const char* says;
  };
  for (const Case& c : {
           Case{R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","namespace":"bank"}})",
                "[0].metadata.namespace", "bank"},
           Case{R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","namespace":7}})",
                "[0].metadata.namespace", "namespace"},
           Case{R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"shop2"}})", "[0].kind", "cluster-scoped"},
           Case{R"({"apiVersion":"v1","kind":"Binding","metadata":{"name":"b"}})", "[0].kind", "cannot be applied"},
           Case{R"({"apiVersion":"v1","kind":"Gizmo","metadata":{"name":"x"}})", "[0].kind", "Gizmo"},
           Case{R"({"apiVersion":"v1","kind":"Con fig","metadata":{"name":"x"}})", "[0].kind", "required"},
           Case{R"({"apiVersion":"v1","metadata":{"name":"x"}})", "[0].kind", "required"},
           Case{R"({"kind":"ConfigMap","metadata":{"name":"x"}})", "[0].apiVersion", "required"},
           Case{R"({"apiVersion":"apps/v1/x","kind":"Deployment","metadata":{"name":"x"}})", "[0].apiVersion", ""},
           Case{R"({"apiVersion":"../v1","kind":"ConfigMap","metadata":{"name":"x"}})", "[0].apiVersion", ""},
           Case{R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"generateName":"x-"}})", "[0].metadata.name",
                "generateName"},
           Case{R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"../etc"}})", "[0].metadata.name", "'/'"},
           Case{R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":".."}})", "[0].metadata.name", ".."},
           Case{R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a?b"}})", "[0].metadata.name", ""},
           Case{R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a%2Fb"}})", "[0].metadata.name", ""},
           Case{R"({"apiVersion":"v1","kind":"ConfigMap","metadata":"x"})", "[0].metadata", ""},
           Case{R"({"apiVersion":"v1","kind":"ConfigMap"})", "[0].metadata", ""},
           Case{R"(["not an object"])", "[0]", ""},
       }) {
    auto r = plan_apply(docs({c.doc}), "shop", fake_resolve);
    ASSERT_FALSE(r) << c.doc;
    EXPECT_EQ(core::http_status(r.error()), 422) << c.doc;
    ASSERT_FALSE(r.error().causes.empty()) << c.doc;
    EXPECT_EQ(r.error().causes[0].field, c.field) << c.doc;
    EXPECT_NE(r.error().causes[0].message.find(c.says), std::string::npos) << r.error().causes[0].message;
  }
  // Every problem is reported at once.
  auto both = plan_apply(docs({R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","namespace":"a"}})",
                               R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"ok"}})",
                               R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"y"}})"}),
                         "shop", fake_resolve);
  ASSERT_FALSE(both);
  ASSERT_EQ(both.error().causes.size(), 2u);
  EXPECT_EQ(both.error().causes[1].field, "[2].kind");
  // A cluster that cannot answer is its own error, not a bad document.
  auto down = plan_apply(docs({R"({"apiVersion":"v1","kind":"Down","metadata":{"name":"x"}})"}), "shop", fake_resolve);
  ASSERT_FALSE(down);
  EXPECT_EQ(down.error().code, core::ErrorCode::Unavailable);
}

TEST(Apply, PortsWithoutAProtocolGetTcp) {
  auto service =
      js(R"({"apiVersion":"v1","kind":"Service","spec":{"ports":[{"port":80},{"port":53,"protocol":"UDP"},"junk"]}})");
  default_port_protocols(service);
  EXPECT_EQ(service.at("spec").at("ports").at(0).at("protocol").as_string(), "TCP");
  EXPECT_EQ(service.at("spec").at("ports").at(1).at("protocol").as_string(), "UDP");
  auto deployment = js(R"({"apiVersion":"apps/v1","kind":"Deployment","spec":{"template":{"spec":{
      "initContainers":[{"name":"i","ports":[{"containerPort":1}]}],
      "containers":[{"name":"c","ports":[{"containerPort":8080}]},{"name":"d"}]}}}})");
  default_port_protocols(deployment);
  const auto& spec = deployment.at("spec").at("template").at("spec");
  EXPECT_EQ(spec.at("containers").at(0).at("ports").at(0).at("protocol").as_string(), "TCP");
  EXPECT_EQ(spec.at("initContainers").at(0).at("ports").at(0).at("protocol").as_string(), "TCP");
  auto cron = js(R"({"apiVersion":"batch/v1beta1","kind":"CronJob","spec":{"jobTemplate":{"spec":{"template":{"spec":{
      "containers":[{"name":"c","ports":[{"containerPort":1}]}]}}}}}})");
  default_port_protocols(cron);
  EXPECT_EQ(cron.at("spec")
                .at("jobTemplate")
                .at("spec")
                .at("template")
                .at("spec")
                .at("containers")
                .at(0)
                .at("ports")
                .at(0)
                .at("protocol")
                .as_string(),
            "TCP");
  // Odd shapes are left alone.
  for (const char* odd :
       {R"({"apiVersion":"v1","kind":"Service","spec":{"ports":{}}})", R"({"apiVersion":"v1","kind":"Pod","spec":[]})",
        R"({"kind":"Deployment"})", R"({"kind":"Widget","spec":{"ports":[{}]}})",
        R"({"apiVersion":"serving.knative.dev/v1","kind":"Service","spec":{"ports":[{}]}})"}) {
    auto v = js(odd);
    auto before = json::serialize(v);
    default_port_protocols(v);
    EXPECT_EQ(json::serialize(v), before) << odd;
  }
}

// --- the route -----------------------------------------------------------------------------------------------

constexpr const char* kTwoDocuments = R"(apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: sandbox
  replicas: "3"
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector: {app: web}
  ports:
  - port: 80
    targetPort: 8080
)";

class ApplyRoutesTest : public testing::KubeRouteTest {
 protected:
  void SetUp() override {
    KubeRouteTest::SetUp();
    routes_ = std::make_unique<ApplyRoutes>(*connections_, *authz_, audit_.get());
    routes_->register_routes(router_);
    start_handler();
  }
  void TearDown() override {
    KubeRouteTest::TearDown();
    routes_.reset();
  }
  net::HttpResponse apply(const std::string& user, const std::string& body, const std::string& ns = "shop",
                          const std::string& type = "application/yaml", const std::string& query = "") {
    return call(user, "POST", "/api/v1/clusters/local/namespaces/" + ns + "/apply" + query, body, type);
  }
  std::unique_ptr<ApplyRoutes> routes_;
};

TEST_F(ApplyRoutesTest, OperatorAppliesEachDocumentBySeverSideApply) {
  auto r = apply("op", kTwoDocuments);
  ASSERT_EQ(r.status, 200) << r.body;
  auto v = parse(r);
  ASSERT_EQ(v.at("total").as_int64(), 2);
  EXPECT_EQ(v.at("items").at(0).at("kind").as_string(), "ConfigMap");
  EXPECT_EQ(v.at("items").at(0).at("result").as_string(), "created");
  EXPECT_EQ(v.at("items").at(1).at("name").as_string(), "web");
  auto sent = api_.seen("PATCH");
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].path, "/api/v1/namespaces/shop/configmaps/settings");
  EXPECT_EQ(sent[0].target, "/api/v1/namespaces/shop/configmaps/settings?fieldManager=atrium&force=true");
  EXPECT_EQ(sent[0].content_type, "application/apply-patch+yaml");
  auto body = js(sent[0].body);
  EXPECT_EQ(body.at("metadata").at("namespace").as_string(), "shop") << "the namespace is filled in";
  EXPECT_EQ(body.at("data").at("replicas").as_string(), "3") << "a quoted scalar stays a string";
  EXPECT_EQ(js(sent[1].body).at("spec").at("ports").at(0).at("port").as_int64(), 80);

  // Applying again configures what exists.
  auto again = apply("op", kTwoDocuments, "shop", "application/yaml", "?dryRun=All");
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(parse(again).at("items").at(1).at("result").as_string(), "configured");
  EXPECT_NE(api_.seen("PATCH").back().target.find("&dryRun=All"), std::string::npos);

  // JSON works too.
  auto json_doc =
      apply("op", R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"j"}})", "shop", "application/json");
  EXPECT_EQ(json_doc.status, 200) << json_doc.body;

  // Each applied document is in the audit log, besides the request itself.
  std::vector<std::string> names;
  for (const auto& e : audit_events("configmaps")) {
    if (e.at("verb").as_string() == "apply") names.emplace_back(e.at("name").as_string());
  }
  EXPECT_EQ(names, (std::vector<std::string>{"settings", "settings", "j"}));
}

TEST_F(ApplyRoutesTest, ViewersAndOutsidersAreRefusedBeforeAnything) {
  for (const char* user : {"viewer", "outsider"}) {
    EXPECT_EQ(apply(user, kTwoDocuments).status, 403) << user;
    EXPECT_EQ(apply(user, "{{{ not yaml").status, 403) << user << ": nothing about the body is revealed";
  }
  EXPECT_EQ(apply("op", kTwoDocuments, "kube-system").status, 403) << "a namespace outside the project";
  // An operator may not touch the project's quota, nor kinds the role does not name.
  EXPECT_EQ(apply("op", std::string(kTwoDocuments) +
                            "---\napiVersion: v1\nkind: ResourceQuota\nmetadata:\n  name: atrium-quota\n")
                .status,
            403);
  EXPECT_EQ(apply("op", "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n").status, 403);
  EXPECT_TRUE(api_.seen("PATCH").empty()) << "nothing applied when one document is refused";
  EXPECT_EQ(apply("admin", "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n").status, 200)
      << "custom resources, for whom the role allows them";
}

TEST_F(ApplyRoutesTest, AnotherNamespaceOrAClusterScopedKindIsRefused) {
  auto other = apply("op", std::string(kTwoDocuments) +
                               "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: other\n");
  EXPECT_EQ(other.status, 422) << other.body;
  auto v = parse(other);
  EXPECT_EQ(v.at("details").at("causes").at(0).at("field").as_string(), "[2].metadata.namespace");
  EXPECT_NE(v.at("message").as_string().find("other"), std::string::npos) << other.body;
  auto ns = apply("op", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: sneaky\n");
  EXPECT_EQ(ns.status, 422) << ns.body;
  EXPECT_NE(std::string(ns.body_view()).find("cluster-scoped"), std::string::npos);
  auto unknown = apply("op", "apiVersion: v1\nkind: Gizmo\nmetadata:\n  name: g\n");
  EXPECT_EQ(unknown.status, 422) << unknown.body;
  EXPECT_TRUE(api_.seen("PATCH").empty());
}

TEST_F(ApplyRoutesTest, TheClustersRefusalIsReportedPerDocument) {
  api_.answer("PATCH", "/api/v1/namespaces/shop/services/web", 422,
              R"({"kind":"Status","apiVersion":"v1","status":"Failure","message":"Service \"web\" is invalid: )"
              R"(spec.ports[0].port: Invalid value: 0: must be between 1 and 65535","reason":"Invalid",)"
              R"("details":{"causes":[{"field":"spec.ports[0].port","message":"Invalid value: 0"}]},"code":422})");
  auto r = apply("op", kTwoDocuments);
  EXPECT_EQ(r.status, 422) << r.body;
  auto v = parse(r);
  EXPECT_EQ(v.at("kind").as_string(), "Status");
  EXPECT_NE(v.at("message").as_string().find("must be between 1 and 65535"), std::string::npos) << r.body;
  EXPECT_EQ(v.at("details").at("causes").at(0).at("field").as_string(), "[1].spec.ports[0].port");
  ASSERT_EQ(v.at("items").as_array().size(), 2u);
  EXPECT_EQ(v.at("items").at(0).at("result").as_string(), "created") << "the other document still applied";
  EXPECT_EQ(v.at("items").at(1).at("result").as_string(), "failed");
  EXPECT_EQ(v.at("items").at(1).at("code").as_int64(), 422);
  int failures = 0;
  for (const auto& e : audit_events("services")) failures += e.at("outcome").as_string() == "failure" ? 1 : 0;
  EXPECT_EQ(failures, 1);
}

TEST_F(ApplyRoutesTest, HostileBodies) {
  EXPECT_EQ(apply("op", "").status, 400);
  EXPECT_EQ(apply("op", "# nothing\n---\n").status, 400);
  EXPECT_EQ(apply("op", "kind: [unclosed\n").status, 400);
  EXPECT_EQ(apply("op", kTwoDocuments, "shop", "text/plain").status, 400);
  EXPECT_EQ(apply("op", "- a\n- b\n").status, 422);
  EXPECT_EQ(apply("op", "apiVersion: v1\nkind: ConfigMap\nkind: Secret\nmetadata: {name: x}\n").status, 422);
  EXPECT_EQ(apply("op", std::string(5000, '[')).status, 400);
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'j'; ++c) {
    bomb += fmt::format("{}: &{} [", c, c);
    for (int i = 0; i < 10; ++i) bomb += fmt::format("{}*{}", i ? ", " : "", static_cast<char>(c - 1));
    bomb += "]\n";
  }
  EXPECT_EQ(apply("op", bomb).status, 422);
  EXPECT_EQ(apply("op", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: \"../../nodes/x\"}\n").status, 422);
  EXPECT_EQ(call("op", "POST", "/api/v1/clusters/local/namespaces/..%2Fshop/apply", kTwoDocuments).status, 404);
  EXPECT_EQ(apply("op", kTwoDocuments, "Shop").status, 403) << "no project owns it";
  EXPECT_EQ(apply("admin", kTwoDocuments, "Shop").status, 400) << "an invalid namespace name";
  EXPECT_TRUE(api_.seen("PATCH").empty());
}

class ApplyPreflightTest : public testing::KubeRouteTest {
 protected:
  void SetUp() override {
    KubeRouteTest::SetUp();
    // A gate refusing server-side apply, as for a cluster older than 1.16.
    routes_ = std::make_unique<ApplyRoutes>(*connections_, *authz_, audit_.get(), preflight_.gate());
    routes_->register_routes(router_);
    start_handler();
  }
  void TearDown() override {
    KubeRouteTest::TearDown();
    routes_.reset();
  }
  net::HttpResponse apply(const std::string& user, const std::string& body) {
    return call(user, "POST", "/api/v1/clusters/local/namespaces/shop/apply", body, "application/yaml");
  }
  testing::RecordingGate preflight_{.refused_action = "server-side-apply"};
  std::unique_ptr<ApplyRoutes> routes_;
};

TEST_F(ApplyPreflightTest, AClusterFailingTheServerSideApplyPreflightIsRefusedBeforeAnyWrite) {
  auto r = apply("op", kTwoDocuments);
  EXPECT_EQ(r.status, 412) << r.body;
  EXPECT_NE(std::string(r.body_view()).find("server-side-apply"), std::string::npos) << r.body_view();
  EXPECT_TRUE(api_.seen("PATCH").empty()) << "nothing written";
  EXPECT_EQ(preflight_.asked, std::vector<std::string>{"local:server-side-apply"});
  // Refusals of the caller come first: the gate is not even asked for a viewer.
  EXPECT_EQ(apply("viewer", kTwoDocuments).status, 403);
  EXPECT_EQ(preflight_.asked.size(), 1u);
}

}  // namespace
}  // namespace atrium::api
