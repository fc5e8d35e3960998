#include "api/kube_passthrough.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "api/testing/kube_route_fixture.h"

namespace atrium::api {
namespace {

KubeApiPath parsed(bool core, std::string_view rest) {
  auto p = parse_kube_api_path(core, rest);
  EXPECT_TRUE(p) << rest << ": " << (p ? "" : p.error().message);
  return p ? *p : KubeApiPath{};
}

TEST(KubeApiPathTest, DiscoveryPaths) {
  EXPECT_TRUE(parsed(true, "").discovery);
  EXPECT_TRUE(parsed(true, "v1").discovery);
  EXPECT_EQ(parsed(true, "v1").version, "v1");
  auto g = parsed(false, "apps");
  EXPECT_TRUE(g.discovery);
  EXPECT_EQ(g.group, "apps");
  auto gv = parsed(false, "apps/v1");
  EXPECT_TRUE(gv.discovery);
  EXPECT_EQ(gv.version, "v1");
}

TEST(KubeApiPathTest, NamespacedAndClusterScopedResources) {
  auto pods = parsed(true, "v1/namespaces/merchant-sandbox/pods");
  EXPECT_FALSE(pods.discovery);
  EXPECT_EQ(pods.ns, "merchant-sandbox");
  EXPECT_EQ(pods.resource, "pods");
  EXPECT_TRUE(pods.name.empty());

  auto log = parsed(true, "v1/namespaces/ns/pods/web-0/log");
  EXPECT_EQ(log.name, "web-0");
  EXPECT_EQ(log.subresource, "log");

  auto dep = parsed(false, "apps/v1/namespaces/ns/deployments/api/scale");
  EXPECT_EQ(dep.group, "apps");
  EXPECT_EQ(dep.resource, "deployments");
  EXPECT_EQ(dep.subresource, "scale");

  auto all = parsed(true, "v1/pods");  // every namespace
  EXPECT_TRUE(all.ns.empty());
  EXPECT_EQ(all.resource, "pods");

  auto node = parsed(true, "v1/nodes/n1");
  EXPECT_TRUE(node.ns.empty());
  EXPECT_EQ(node.name, "n1");

  auto ns = parsed(true, "v1/namespaces/team");  // the namespace object itself is cluster-scoped
  EXPECT_TRUE(ns.ns.empty());
  EXPECT_EQ(ns.resource, "namespaces");
  EXPECT_EQ(ns.name, "team");
  auto fin = parsed(true, "v1/namespaces/team/finalize");
  EXPECT_TRUE(fin.ns.empty());
  EXPECT_EQ(fin.subresource, "finalize");

  auto watch = parsed(true, "v1/watch/namespaces/ns/pods");
  EXPECT_TRUE(watch.legacy_watch);
  EXPECT_EQ(watch.ns, "ns");
  EXPECT_EQ(watch.resource, "pods");
}

TEST(KubeApiPathTest, HostilePathsAreRefused) {
  for (std::string_view bad : {"v1/namespaces/Bad_NS/pods", "v1/namespaces/ns/pods/a/log/extra", "v1/PODS", "V1/pods",
                               "v1/watch", "v1/namespaces/ns/pods/a/Log", "v1/namespaces/ns/pods/a\x01",
                               "v1/watch/namespaces/ns/pods/a/log", "v1/namespaces/-x-/pods"}) {
    EXPECT_FALSE(parse_kube_api_path(true, bad)) << bad;
  }
  EXPECT_FALSE(parse_kube_api_path(false, "Apps/v1/deployments"));
  EXPECT_FALSE(parse_kube_api_path(false, "apps/v1/namespaces/ns/deployments/a/b/c"));
  std::string long_name(300, 'a');
  EXPECT_FALSE(parse_kube_api_path(true, "v1/namespaces/ns/pods/" + long_name));
}

TEST(KubeVerbTest, FromMethodPathAndQuery) {
  net::QueryParams none;
  net::QueryParams watch{{"watch", "true"}};
  net::QueryParams watch1{{"watch", "1"}};
  net::QueryParams no_watch{{"watch", "false"}};
  auto list = parsed(true, "v1/namespaces/ns/pods");
  auto one = parsed(true, "v1/namespaces/ns/pods/a");
  EXPECT_EQ(*kube_verb("GET", list, none), "list");
  EXPECT_EQ(*kube_verb("GET", list, watch), "watch");
  EXPECT_EQ(*kube_verb("GET", list, watch1), "watch");
  EXPECT_EQ(*kube_verb("GET", list, no_watch), "list");
  EXPECT_EQ(*kube_verb("GET", one, none), "get");
  EXPECT_EQ(*kube_verb("GET", parsed(true, "v1/watch/namespaces/ns/pods"), none), "watch");
  EXPECT_EQ(*kube_verb("POST", list, none), "create");
  EXPECT_EQ(*kube_verb("PUT", one, none), "update");
  EXPECT_EQ(*kube_verb("PATCH", one, none), "patch");
  EXPECT_EQ(*kube_verb("DELETE", one, none), "delete");
  EXPECT_EQ(*kube_verb("DELETE", list, none), "deletecollection");
  EXPECT_FALSE(kube_verb("POST", parsed(true, "v1/watch/namespaces/ns/pods"), none));
  EXPECT_FALSE(kube_verb("TRACE", one, none));
}

TEST(BodyNamespaceTest, ObjectsListsAndPatches) {
  EXPECT_TRUE(check_body_namespace("application/json", R"({"metadata":{"name":"a"}})", "ns"));
  EXPECT_TRUE(check_body_namespace("application/json", R"({"metadata":{"namespace":"ns"}})", "ns"));
  EXPECT_TRUE(check_body_namespace("application/json", "", "ns"));
  auto other = check_body_namespace("application/json", R"({"metadata":{"namespace":"other"}})", "ns");
  ASSERT_FALSE(other);
  EXPECT_NE(other.error().message.find("other"), std::string::npos);
  EXPECT_FALSE(check_body_namespace("application/strategic-merge-patch+json",
                                    R"({"metadata":{"namespace":"kube-system"}})", "ns"));
  EXPECT_FALSE(check_body_namespace("application/json",
                                    R"({"kind":"List","items":[{"metadata":{"namespace":"ns"}},)"
                                    R"({"metadata":{"namespace":"x"}}]})",
                                    "ns"));
  EXPECT_FALSE(check_body_namespace("application/json", R"({"metadata":{"namespace":7}})", "ns"));
  EXPECT_FALSE(check_body_namespace("application/json", R"({"metadata":"x"})", "ns"));
  EXPECT_FALSE(check_body_namespace("application/json-patch+json",
                                    R"([{"op":"replace","path":"/metadata/namespace","value":"x"}])", "ns"));
  EXPECT_FALSE(
      check_body_namespace("application/json-patch+json", R"([{"op":"replace","path":"/metadata","value":{}}])", "ns"));
  EXPECT_FALSE(check_body_namespace("application/json-patch+json",
                                    R"([{"op":"move","from":"/metadata/namespace",)"
                                    R"("path":"/x"}])",
                                    "ns"));
  EXPECT_TRUE(check_body_namespace("application/json-patch+json",
                                   R"([{"op":"replace","path":"/spec/replicas","value":2}])", "ns"));
  EXPECT_FALSE(check_body_namespace("application/json-patch+json", R"([1])", "ns"));
  EXPECT_FALSE(check_body_namespace("application/json", "{\"metadata\":", "ns"));  // truncated
  EXPECT_FALSE(check_body_namespace("application/vnd.kubernetes.protobuf", "k8s\0", "ns"));
  EXPECT_FALSE(check_body_namespace("application/apply-patch+yaml", "metadata:\n  namespace: x\n", "ns"));
  EXPECT_TRUE(check_body_namespace("application/apply-patch+yaml", R"({"metadata":{"namespace":"ns"}})", "ns"));
  EXPECT_FALSE(check_body_namespace("application/json", "[]]", "ns"));
}

// The passthrough's gate: a CRD whose schema uses x-kubernetes-int-or-string goes only to a cluster that passes
// the "apply-crd-int-or-string" checks; other CRDs and other writes do not ask.
class PassthroughPreflightTest : public testing::KubeRouteTest {
 protected:
  void SetUp() override {
    KubeRouteTest::SetUp();
    routes_ = std::make_unique<KubePassthrough>(
        *connections_, *authz_,
        [](std::string_view cluster, std::string_view ns) -> std::optional<core::Scope> {
          if (ns != "shop") return std::nullopt;
          core::Scope s = iam::project_scope("ws", std::string(ns));
          s.cluster = std::string(cluster);
          return s;
        },
        preflight_.gate());
    routes_->register_routes(router_);
    start_handler();
  }
  void TearDown() override {
    KubeRouteTest::TearDown();
    routes_.reset();
  }
  static std::string crd(const std::string& name, bool int_or_string) {
    return fmt::format(
        R"({{"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{{"name":"{}"}},)"
        R"("spec":{{"group":"example.com","scope":"Namespaced","names":{{"plural":"foos","kind":"Foo"}},)"
        R"("versions":[{{"name":"v1","served":true,"storage":true,"schema":{{"openAPIV3Schema":{{"type":"object",)"
        R"("properties":{{"port":{}}}}}}}}}]}}}})",
        name, int_or_string ? R"({"x-kubernetes-int-or-string":true})" : R"({"type":"integer"})");
  }
  testing::RecordingGate preflight_{.refused_action = "apply-crd-int-or-string"};
  std::unique_ptr<KubePassthrough> routes_;
};

TEST_F(PassthroughPreflightTest, ACrdWithIntOrStringIsRefusedOnAClusterFailingThePreflight) {
  const std::string crds = "/clusters/local/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
  auto refused = call("admin", "POST", crds, crd("foos.example.com", true), "application/json");
  EXPECT_EQ(refused.status, 412) << refused.body_view();
  EXPECT_NE(std::string(refused.body_view()).find("apply-crd-int-or-string"), std::string::npos);
  EXPECT_TRUE(api_.seen("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions").empty());
  EXPECT_EQ(call("admin", "PUT", crds + "/foos.example.com", crd("foos.example.com", true), "application/json").status,
            412);
  EXPECT_EQ(preflight_.asked.size(), 2u);
  // A CRD without it, and other writes, are not gated (they go on to the cluster, which the fake answers as it
  // can: it has no RBAC to set impersonation up with).
  auto plain = call("admin", "POST", crds, crd("bars.example.com", false), "application/json");
  EXPECT_NE(plain.status, 412) << plain.body_view();
  EXPECT_NE(call("op", "POST", "/clusters/local/api/v1/namespaces/shop/configmaps",
                 R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}})", "application/json")
                .status,
            412);
  EXPECT_EQ(preflight_.asked.size(), 2u);
  // Someone who may not write CRDs is refused by the roles first.
  EXPECT_EQ(call("op", "POST", crds, crd("foos.example.com", true), "application/json").status, 403);
  EXPECT_EQ(preflight_.asked.size(), 2u);
}

}  // namespace
}  // namespace atrium::api
