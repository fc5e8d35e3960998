// Nodes for cluster roles: label and taint validation, which pods a drain evicts, drain options, and the routes
// behind the real front door (cluster roles decide; project roles never do) against a scripted apiserver.
#include "api/node_routes.h"

#include <gtest/gtest.h>

#include <sstream>

#include <fmt/format.h>

#include "api/testing/kube_route_fixture.h"
#include "api/testing/route_matrix.h"

namespace atrium::api {
namespace {

using testing::js;

std::string first_field(const core::Error& e) { return e.causes.empty() ? "<none>" : e.causes[0].field; }

TEST(NodeRoutes, TheRoutesCarryTheMatrixsVerbs) {
  struct DenyAll : core::Authorizer {
    core::Decision authorize(const core::Principal&, const core::AccessRequest&) override { return {}; }
  } authz;
  kube::ClusterConnections clusters([](std::string_view) -> core::Result<std::shared_ptr<kube::Client>> {
    return core::fail(core::ErrorCode::NotFound, "no clusters here");
  });
  NodeRoutes routes(clusters, authz, {});
  Router router;
  routes.register_routes(router);
  int rows = testing::expect_routes_match_matrix(router, [](const std::string& line) {
    std::istringstream s(line);
    std::string method, path;
    s >> method >> path;
    return path.find("/nodes") != std::string::npos || path.ends_with("/namespaces");
  });
  EXPECT_EQ(rows, 3);
}

TEST(NodeRoutes, LabelsAreAMergePatchOfValidLabels) {
  auto patch = node_labels_patch(js(R"({"env":"prod","example.com/tier":"db","old":null})"));
  ASSERT_TRUE(patch) << patch.error().message;
  auto v = js(*patch);
  EXPECT_EQ(v.at("metadata").at("labels").at("env").as_string(), "prod");
  EXPECT_TRUE(v.at("metadata").at("labels").at("old").is_null()) << "null removes the label";
  EXPECT_TRUE(node_labels_patch(js("{}")));

  struct Case {
    const char* body;
    const char* field;
  };
  const std::string long_value(64, 'a');
  for (const Case& c :
       {Case{R"({"-bad":"x"})", R"(labels["-bad"])"}, Case{R"({"a/b/c":"x"})", R"(labels["a/b/c"])"},
        Case{R"({"":"x"})", R"(labels[""])"}, Case{R"({"env":7})", R"(labels["env"])"},
        Case{R"({"env":"has space"})", R"(labels["env"])"}, Case{R"({"env":["x"]})", R"(labels["env"])"},
        Case{R"(["env"])", ""}, Case{R"("env=prod")", ""}}) {
    auto r = node_labels_patch(js(c.body));
    ASSERT_FALSE(r) << c.body;
    EXPECT_EQ(core::http_status(r.error()), 422) << c.body;
    EXPECT_EQ(first_field(r.error()), c.field) << c.body;
  }
  EXPECT_FALSE(node_labels_patch(js(fmt::format(R"({{"env":"{}"}})", long_value))));
  json::object many;
  for (int i = 0; i < 101; ++i) many[fmt::format("k{}", i)] = "v";
  EXPECT_FALSE(node_labels_patch(json::value(many)));
}

TEST(NodeRoutes, TaintsAreValidatedOneByOne) {
  auto list = check_taints(js(R"([{"key":"dedicated","value":"gpu","effect":"NoSchedule"},
                                   {"key":"example.com/maintenance","effect":"NoExecute"},
                                   {"key":"dedicated","value":"","effect":"PreferNoSchedule"}])"));
  ASSERT_TRUE(list) << list.error().message;
  ASSERT_EQ(list->size(), 3u);
  EXPECT_FALSE(list->at(1).as_object().contains("value"));
  EXPECT_FALSE(list->at(2).as_object().contains("value")) << "an empty value is no value";
  auto kept = check_taints(js(R"([{"key":"node.kubernetes.io/unreachable","effect":"NoExecute",
                                    "timeAdded":"2026-12-06T10:00:00Z"}])"));
  ASSERT_TRUE(kept) << kept.error().message;
  EXPECT_EQ(kept->at(0).at("timeAdded").as_string(), "2026-12-06T10:00:00Z");
  ASSERT_TRUE(check_taints(js("[]")));
  EXPECT_TRUE(check_taints(js("[]"))->empty()) << "an empty list removes every taint";

  struct Case {
    const char* body;
    const char* field;
  };
  for (const Case& c : {
           Case{R"([{"key":"a","effect":"NoRun"}])", "[0].effect"},
           Case{R"([{"key":"a"}])", "[0].effect"},
           Case{R"([{"key":"a","effect":"noschedule"}])", "[0].effect"},
           Case{R"([{"effect":"NoSchedule"}])", "[0].key"},
           Case{R"([{"key":"-a","effect":"NoSchedule"}])", "[0].key"},
           Case{R"([{"key":7,"effect":"NoSchedule"}])", "[0].key"},
           Case{R"([{"key":"a","value":"b c","effect":"NoSchedule"}])", "[0].value"},
           Case{R"([{"key":"a","value":1,"effect":"NoSchedule"}])", "[0].value"},
           Case{R"([{"key":"a","effect":"NoSchedule","tolerationSeconds":5}])", "[0].tolerationSeconds"},
           Case{R"([{"key":"a","effect":"NoExecute","timeAdded":"yesterday"}])", "[0].timeAdded"},
           Case{R"([{"key":"a","effect":"NoSchedule"},{"key":"a","value":"x","effect":"NoSchedule"}])", "[1]"},
           Case{R"([{"key":"a","effect":"NoSchedule"},"a:NoSchedule"])", "[1]"},
           Case{R"({"taints":[]})", ""},
       }) {
    auto r = check_taints(js(c.body));
    ASSERT_FALSE(r) << c.body;
    EXPECT_EQ(first_field(r.error()), c.field) << c.body;
  }
  json::array many;
  for (int i = 0; i < 101; ++i) many.push_back(json::object{{"key", fmt::format("k{}", i)}, {"effect", "NoSchedule"}});
  EXPECT_FALSE(check_taints(json::value(many)));
}

std::string pod_json(std::string_view ns, std::string_view name, std::string_view node, std::string_view extra_meta) {
  return fmt::format(R"({{"apiVersion":"v1","kind":"Pod","metadata":{{"name":"{}","namespace":"{}","uid":"uid-{}"{}}},)"
                     R"("spec":{{"nodeName":"{}","containers":[{{"name":"c","image":"busybox"}}]}}}})",
                     name, ns, name, extra_meta, node);
}

TEST(NodeRoutes, DrainSkipsDaemonSetAndMirrorPodsOnly) {
  std::vector<json::value> pods = {
      js(pod_json("shop", "web-1", "n1",
                  R"(,"ownerReferences":[{"kind":"ReplicaSet","name":"web-111","uid":"r","controller":true}])")),
      js(pod_json("kube-system", "agent-x", "n1",
                  R"(,"ownerReferences":[{"kind":"DaemonSet","name":"agent","uid":"d","controller":true}])")),
      js(pod_json("shop", "adopted", "n1",
                  R"(,"ownerReferences":[{"kind":"DaemonSet","name":"agent","uid":"d","controller":false}])")),
      js(pod_json("kube-system", "etcd-n1", "n1", R"(,"annotations":{"kubernetes.io/config.mirror":"abc"})")),
      js(pod_json("shop", "bare", "n1", "")),
      js(R"({"metadata":{"namespace":"x"}})"),
  };
  auto s = select_pods_to_drain(pods);
  std::vector<std::string> evicted;
  for (const auto& p : s.evict) evicted.push_back(p.namespace_name + "/" + p.name);
  EXPECT_EQ(evicted, (std::vector<std::string>{"shop/web-1", "shop/adopted", "shop/bare"}));
  ASSERT_EQ(s.skipped.size(), 2u);
  EXPECT_EQ(s.skipped[0].pod.name, "agent-x");
  EXPECT_NE(s.skipped[0].reason.find("DaemonSet agent"), std::string::npos);
  EXPECT_EQ(s.skipped[1].pod.name, "etcd-n1");
  EXPECT_NE(s.skipped[1].reason.find("mirror"), std::string::npos);
  EXPECT_EQ(s.evict[0].uid, "uid-web-1");
}

TEST(NodeRoutes, EvictionBodiesAndDrainOptions) {
  auto with = js(eviction_body(PodRef{"shop", "web-1", "u"}, 5));
  EXPECT_EQ(with.at("apiVersion").as_string(), "policy/v1beta1");
  EXPECT_EQ(with.at("kind").as_string(), "Eviction");
  EXPECT_EQ(with.at("metadata").at("namespace").as_string(), "shop");
  EXPECT_EQ(with.at("deleteOptions").at("gracePeriodSeconds").as_int64(), 5);
  EXPECT_FALSE(js(eviction_body(PodRef{"shop", "web-1", "u"}, std::nullopt)).as_object().contains("deleteOptions"));

  auto request = [](std::string target) { return testing::make_request("POST", std::move(target)); };
  auto d = parse_drain_options(request("/x"));
  ASSERT_TRUE(d);
  EXPECT_FALSE(d->grace_period_seconds);
  EXPECT_EQ(d->timeout, std::chrono::seconds(30));
  d = parse_drain_options(request("/x?gracePeriodSeconds=0&timeoutSeconds=300"));
  ASSERT_TRUE(d);
  EXPECT_EQ(*d->grace_period_seconds, 0);
  EXPECT_EQ(d->timeout, std::chrono::seconds(300));
  for (const char* bad : {"/x?gracePeriodSeconds=-1", "/x?gracePeriodSeconds=3601", "/x?gracePeriodSeconds=abc",
                          "/x?gracePeriodSeconds=1&gracePeriodSeconds=2", "/x?timeoutSeconds=301",
                          "/x?timeoutSeconds=", "/x?timeoutSeconds=99999999999999999999", "/x?timeoutSeconds=1.5"}) {
    auto r = parse_drain_options(request(bad));
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(core::http_status(r.error()), 400) << bad;
  }
}

// --- the routes ----------------------------------------------------------------------------------------------

class NodeRoutesTest : public testing::KubeRouteTest {
 protected:
  void SetUp() override {
    KubeRouteTest::SetUp();
    routes_ = std::make_unique<NodeRoutes>(*connections_, *authz_,
                                           NodeRoutesOptions{.poll_interval = std::chrono::milliseconds(10)});
    routes_->register_routes(router_);
    start_handler();
    for (const char* n : {"n1", "n2"}) {
      api_.put(fmt::format("/api/v1/nodes/{}", n),
               fmt::format(R"({{"apiVersion":"v1","kind":"Node","metadata":{{"name":"{}","resourceVersion":"77",)"
                           R"("labels":{{"kubernetes.io/hostname":"{}"}}}},"spec":{{}}}})",
                           n, n));
    }
  }
  void TearDown() override {
    KubeRouteTest::TearDown();
    routes_.reset();
  }
  std::unique_ptr<NodeRoutes> routes_;
};

TEST_F(NodeRoutesTest, ClusterRolesDecideProjectRolesNever) {
  for (const char* user : {"cadm", "cview", "admin"}) {
    auto list = call(user, "GET", "/api/v1/clusters/local/nodes?sortBy=name&ascending=true");
    ASSERT_EQ(list.status, 200) << user << " " << list.body;
    EXPECT_EQ(parse(list).at("total").as_int64(), 2);
    EXPECT_EQ(parse(list).at("items").at(0).at("metadata").at("name").as_string(), "n1");
    EXPECT_EQ(call(user, "GET", "/api/v1/clusters/local/nodes/n2").status, 200) << user;
  }
  EXPECT_EQ(call("cadm", "GET", "/api/v1/clusters/local/nodes/n9").status, 404);
  for (const char* user : {"op", "viewer", "outsider"}) {
    EXPECT_EQ(call(user, "GET", "/api/v1/clusters/local/nodes").status, 403) << user;
    EXPECT_EQ(call(user, "GET", "/api/v1/clusters/local/nodes/n1").status, 403) << user;
  }
  for (const char* user : {"op", "viewer", "outsider", "cview"}) {
    EXPECT_EQ(call(user, "POST", "/api/v1/clusters/local/nodes/n1/cordon").status, 403) << user;
    EXPECT_EQ(call(user, "POST", "/api/v1/clusters/local/nodes/n1/uncordon").status, 403) << user;
    EXPECT_EQ(call(user, "POST", "/api/v1/clusters/local/nodes/n1/drain").status, 403) << user;
    EXPECT_EQ(call(user, "PATCH", "/api/v1/clusters/local/nodes/n1/labels", R"({"a":"b"})").status, 403) << user;
    EXPECT_EQ(call(user, "PATCH", "/api/v1/clusters/local/nodes/n1/taints", "[]").status, 403) << user;
  }
  EXPECT_TRUE(api_.seen("PATCH").empty());
  EXPECT_TRUE(api_.seen("POST").empty());
}

TEST_F(NodeRoutesTest, CordonUncordonLabelsTaints) {
  ASSERT_EQ(call("cadm", "POST", "/api/v1/clusters/local/nodes/n1/cordon").status, 200);
  ASSERT_EQ(call("cadm", "POST", "/api/v1/clusters/local/nodes/n1/uncordon").status, 200);
  auto patches = api_.seen("PATCH", "/api/v1/nodes/n1");
  ASSERT_EQ(patches.size(), 2u);
  EXPECT_EQ(patches[0].body, R"({"spec":{"unschedulable":true}})");
  EXPECT_EQ(patches[1].body, R"({"spec":{"unschedulable":null}})");
  EXPECT_EQ(patches[0].content_type, "application/merge-patch+json");
  EXPECT_EQ(call("cadm", "POST", "/api/v1/clusters/local/nodes/n9/cordon").status, 404);

  auto labelled = call("cadm", "PATCH", "/api/v1/clusters/local/nodes/n1/labels", R"({"env":"prod","old":null})",
                       "application/merge-patch+json");
  ASSERT_EQ(labelled.status, 200) << labelled.body;
  EXPECT_EQ(js(api_.seen("PATCH", "/api/v1/nodes/n1").back().body).at("metadata").at("labels").at("env").as_string(),
            "prod");
  auto bad_label = call("cadm", "PATCH", "/api/v1/clusters/local/nodes/n1/labels", R"({"-x":"y"})");
  EXPECT_EQ(bad_label.status, 422);
  EXPECT_NE(std::string(bad_label.body_view()).find(R"(labels[\"-x\"])"), std::string::npos) << bad_label.body_view();
  EXPECT_EQ(call("cadm", "PATCH", "/api/v1/clusters/local/nodes/n1/labels", "{").status, 400);

  auto tainted = call("cadm", "PATCH", "/api/v1/clusters/local/nodes/n1/taints",
                      R"([{"key":"dedicated","value":"gpu","effect":"NoSchedule"}])");
  ASSERT_EQ(tainted.status, 200) << tainted.body;
  auto sent = js(api_.seen("PATCH", "/api/v1/nodes/n1").back().body);
  EXPECT_EQ(sent.at("metadata").at("resourceVersion").as_string(), "77") << "conditional on the version read";
  EXPECT_EQ(sent.at("spec").at("taints").at(0).at("effect").as_string(), "NoSchedule");
  auto bad_taint = call("cadm", "PATCH", "/api/v1/clusters/local/nodes/n1/taints", R"([{"key":"a","effect":"Never"}])");
  EXPECT_EQ(bad_taint.status, 422);
  EXPECT_NE(std::string(bad_taint.body_view()).find("[0].effect"), std::string::npos);
  EXPECT_EQ(api_.seen("PATCH", "/api/v1/nodes/n1").size(), 4u) << "refused bodies never reach the cluster";
  EXPECT_EQ(call("cadm", "POST", "/api/v1/clusters/local/nodes/..%2Fn1/cordon").status, 404);
  EXPECT_EQ(call("cadm", "POST", "/api/v1/clusters/local/nodes/N1/cordon").status, 400);

  int audited = 0;
  for (const auto& e : audit_events("nodes")) audited += e.at("verb").as_string() == "patch" ? 1 : 0;
  EXPECT_GE(audited, 6);
}

TEST_F(NodeRoutesTest, DrainEvictsReportsBudgetsAndSkips) {
  api_.put("/api/v1/namespaces/shop/pods/web-1", pod_json("shop", "web-1", "n1", ""));
  api_.put("/api/v1/namespaces/shop/pods/db-0", pod_json("shop", "db-0", "n1", ""));
  api_.put("/api/v1/namespaces/kube-system/pods/agent-x",
           pod_json("kube-system", "agent-x", "n1",
                    R"(,"ownerReferences":[{"kind":"DaemonSet","name":"agent","uid":"d","controller":true}])"));
  api_.put("/api/v1/namespaces/shop/pods/elsewhere", pod_json("shop", "elsewhere", "n2", ""));
  const std::string pdb =
      R"({"kind":"Status","apiVersion":"v1","status":"Failure","message":"Cannot evict pod as it would violate the pod's disruption budget.","reason":"TooManyRequests","code":429})";
  // db-0 is protected by a budget that never relents within the timeout of a single pass.
  for (int i = 0; i < 3; ++i) api_.answer("POST", "/api/v1/namespaces/shop/pods/db-0/eviction", 429, pdb);

  auto r = call("cadm", "POST", "/api/v1/clusters/local/nodes/n1/drain?timeoutSeconds=0&gracePeriodSeconds=3");
  EXPECT_EQ(r.status, 429) << r.body;
  auto v = parse(r);
  EXPECT_EQ(v.at("kind").as_string(), "Status") << "a failure reads as a Status";
  EXPECT_NE(v.at("message").as_string().find("disruption budget"), std::string::npos) << r.body;
  ASSERT_EQ(v.at("evicted").as_array().size(), 1u) << r.body;
  EXPECT_EQ(v.at("evicted").at(0).at("name").as_string(), "web-1");
  ASSERT_EQ(v.at("failed").as_array().size(), 1u);
  EXPECT_EQ(v.at("failed").at(0).at("name").as_string(), "db-0");
  EXPECT_EQ(v.at("failed").at(0).at("code").as_int64(), 429);
  ASSERT_EQ(v.at("skipped").as_array().size(), 1u);
  EXPECT_EQ(v.at("skipped").at(0).at("name").as_string(), "agent-x");
  EXPECT_EQ(api_.seen("PATCH", "/api/v1/nodes/n1").at(0).body, R"({"spec":{"unschedulable":true}})")
      << "cordoned first";
  auto evictions = api_.seen("POST");
  ASSERT_EQ(evictions.size(), 2u);
  EXPECT_EQ(js(evictions[0].body).at("deleteOptions").at("gracePeriodSeconds").as_int64(), 3);
  for (const auto& e : evictions) EXPECT_EQ(e.path.find("elsewhere"), std::string::npos) << "another node's pod";

  // Given time, the budget relents (two more refusals, then the eviction goes through): 200.
  auto again = call("cadm", "POST", "/api/v1/clusters/local/nodes/n1/drain?timeoutSeconds=10");
  ASSERT_EQ(again.status, 200) << again.body;
  auto w = parse(again);
  ASSERT_EQ(w.at("evicted").as_array().size(), 1u) << again.body;
  EXPECT_EQ(w.at("evicted").at(0).at("name").as_string(), "db-0");
  EXPECT_TRUE(w.at("failed").as_array().empty());
  EXPECT_TRUE(w.at("terminating").as_array().empty());
  EXPECT_EQ(call("cadm", "POST", "/api/v1/clusters/local/nodes/n1/drain?timeoutSeconds=1000").status, 400);
}

// A pod whose namespace is being deleted cannot be evicted (the apiserver refuses to create anything there); as
// kubectl drain does, the drain waits for the namespace's deletion to take it, and is not a failure.
TEST_F(NodeRoutesTest, PodsOfATerminatingNamespaceAreAwaitedNotFailed) {
  api_.put("/api/v1/namespaces/old/pods/leftover", pod_json("old", "leftover", "n1", ""));
  api_.answer("POST", "/api/v1/namespaces/old/pods/leftover/eviction", 403,
              R"({"kind":"Status","apiVersion":"v1","status":"Failure","message":"pods \"leftover\" is forbidden: )"
              R"(unable to create new content in namespace old because it is being terminated","reason":"Forbidden",)"
              R"("details":{"causes":[{"reason":"NamespaceTerminating","message":"namespace old is being terminated",)"
              R"("field":"metadata.namespace"}]},"code":403})");
  auto r = call("cadm", "POST", "/api/v1/clusters/local/nodes/n1/drain?timeoutSeconds=0");
  ASSERT_EQ(r.status, 200) << r.body;
  auto v = parse(r);
  EXPECT_TRUE(v.at("failed").as_array().empty()) << r.body;
  ASSERT_EQ(v.at("skipped").as_array().size(), 1u) << r.body;
  EXPECT_EQ(v.at("skipped").at(0).at("reason").as_string(), "its namespace is being deleted");
  EXPECT_EQ(v.at("terminating").as_array().size(), 1u) << "still there when the (zero) timeout ran out: " << r.body;
}

}  // namespace
}  // namespace atrium::api
