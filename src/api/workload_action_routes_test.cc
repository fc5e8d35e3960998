// Scale, restart, rollout history and rollback: the pure pieces (validation, revision derivation, the rollback
// patch) and the routes behind the real front door and authoriser against a scripted apiserver.
#include "api/workload_action_routes.h"

#include <tuple>

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "api/testing/kube_route_fixture.h"

namespace atrium::api {
namespace {

using testing::js;

std::string deployment_json(std::string_view image, std::string_view revision, bool paused = false) {
  return fmt::format(
      R"({{"apiVersion":"apps/v1","kind":"Deployment","metadata":{{"name":"web","namespace":"shop","uid":"d-1",)"
      R"("resourceVersion":"10","annotations":{{"deployment.kubernetes.io/revision":"{}",)"
      R"("kubectl.kubernetes.io/last-applied-configuration":"{{}}","kubernetes.io/change-cause":"now"}}}},)"
      R"("spec":{{"replicas":1,"paused":{},"selector":{{"matchLabels":{{"app":"web"}}}},)"
      R"("template":{{"metadata":{{"labels":{{"app":"web"}}}},"spec":{{"containers":[{{"name":"web","image":"{}"}}]}}}}}}}})",
      revision, paused ? "true" : "false", image);
}

std::string replicaset_json(std::string_view name, std::string_view hash, std::string_view revision,
                            std::string_view image, std::string_view cause, std::string_view owner = "d-1") {
  return fmt::format(
      R"({{"apiVersion":"apps/v1","kind":"ReplicaSet","metadata":{{"name":"{}","namespace":"shop","uid":"rs-{}",)"
      R"("resourceVersion":"5","creationTimestamp":"2026-12-0{}T10:00:00Z",)"
      R"("labels":{{"app":"web","pod-template-hash":"{}"}},)"
      R"("annotations":{{"deployment.kubernetes.io/revision":"{}","kubernetes.io/change-cause":"{}",)"
      R"("deployment.kubernetes.io/desired-replicas":"1"}},)"
      R"("ownerReferences":[{{"apiVersion":"apps/v1","kind":"Deployment","name":"web","uid":"{}","controller":true}}]}},)"
      R"("spec":{{"replicas":0,"selector":{{"matchLabels":{{"app":"web","pod-template-hash":"{}"}}}},)"
      R"("template":{{"metadata":{{"labels":{{"app":"web","pod-template-hash":"{}"}}}},)"
      R"("spec":{{"containers":[{{"name":"web","image":"{}"}}]}}}}}}}})",
      name, hash, revision.empty() ? "1" : revision.substr(0, 1), hash, revision, cause, owner, hash, hash, image);
}

TEST(WorkloadActions, ReplicasAreWholeNumbersFromZeroToTenThousand) {
  for (const char* ok :
       {R"({"spec":{"replicas":0}})", R"({"spec":{"replicas":3}})", R"({"spec":{"replicas":10000}})"}) {
    EXPECT_TRUE(replicas_of(js(ok))) << ok;
  }
  for (const char* bad :
       {R"({"spec":{"replicas":-1}})", R"({"spec":{"replicas":10001}})", R"({"spec":{"replicas":3.5}})",
        R"({"spec":{"replicas":3.0}})", R"({"spec":{"replicas":"3"}})", R"({"spec":{"replicas":true}})",
        R"({"spec":{"replicas":null}})", R"({"spec":{}})", R"({"spec":[]})", R"({})", R"({"spec":{"replicas":1e30}})",
        R"({"spec":{"replicas":18446744073709551615}})", R"({"spec":{"replicas":[3]}})"}) {
    auto r = replicas_of(js(bad));
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, core::ErrorCode::InvalidArgument);
    ASSERT_EQ(r.error().causes.size(), 1u) << bad;
    EXPECT_EQ(r.error().causes[0].field, "spec.replicas") << bad;
    EXPECT_EQ(core::http_status(r.error()), 422) << bad;
  }
}

TEST(WorkloadActions, AScaleBodyIsPinnedToThePath) {
  auto body = js(R"({"spec":{"replicas":2}})");
  ASSERT_TRUE(check_scale_body(body, "shop", "web"));
  EXPECT_EQ(body.at("kind").as_string(), "Scale");
  EXPECT_EQ(body.at("apiVersion").as_string(), "autoscaling/v1");
  EXPECT_EQ(body.at("metadata").at("name").as_string(), "web");
  EXPECT_EQ(body.at("metadata").at("namespace").as_string(), "shop");
  struct Case {
    const char* body;
    const char* field;
  };
  for (const Case& c : {Case{R"({"kind":"Deployment","spec":{"replicas":2}})", "kind"},
                        Case{R"({"apiVersion":"apps/v1","spec":{"replicas":2}})", "apiVersion"},
                        Case{R"({"metadata":{"name":"other"},"spec":{"replicas":2}})", "metadata.name"},
                        Case{R"({"metadata":{"namespace":"bank"},"spec":{"replicas":2}})", "metadata.namespace"},
                        Case{R"({"metadata":"x","spec":{"replicas":2}})", "metadata"},
                        Case{R"({"spec":{"replicas":20000}})", "spec.replicas"}}) {
    auto v = js(c.body);
    auto s = check_scale_body(v, "shop", "web");
    ASSERT_FALSE(s) << c.body;
    ASSERT_FALSE(s.error().causes.empty()) << c.body;
    EXPECT_EQ(s.error().causes[0].field, c.field) << c.body;
  }
  auto not_object = js("[1]");
  EXPECT_FALSE(check_scale_body(not_object, "shop", "web"));

  EXPECT_TRUE(check_scale_patch(js(R"({"spec":{"replicas":4}})")));
  for (const Case& c : {Case{R"({"spec":{"replicas":4},"metadata":{"labels":{"a":"b"}}})", "metadata"},
                        Case{R"({"spec":{"replicas":4,"selector":"x"}})", "spec.selector"},
                        Case{R"({"spec":{"replicas":-4}})", "spec.replicas"}, Case{R"({"spec":null})", "spec.replicas"},
                        Case{R"("x")", ""}}) {
    auto s = check_scale_patch(js(c.body));
    ASSERT_FALSE(s) << c.body;
    EXPECT_EQ(s.error().causes.at(0).field, c.field) << c.body;
  }
}

TEST(WorkloadActions, RestartSetsRestartedAtToNow) {
  core::TimePoint t{std::chrono::seconds(1'765'000'000)};
  EXPECT_EQ(restart_patch(t),
            R"({"spec":{"template":{"metadata":{"annotations":{"kubectl.kubernetes.io/restartedAt":")" +
                core::format_rfc3339(t) + R"("}}}}})");
}

TEST(WorkloadActions, DeploymentRevisionsComeFromItsOwnReplicaSetsNewestFirst) {
  auto deployment = js(deployment_json("busybox:2", "2"));
  std::vector<json::value> rs = {
      js(replicaset_json("web-111", "111", "1", "busybox:1", "first")),
      js(replicaset_json("web-222", "222", "2", "busybox:2", "second")),
      js(replicaset_json("api-333", "333", "7", "nginx", "someone else's", "d-other")),
      js(replicaset_json("web-444", "444", "", "busybox:4", "no revision annotation")),
      js(R"({"metadata":{"name":"broken","ownerReferences":"x"}})"),
  };
  auto revisions = deployment_revisions(deployment, rs);
  ASSERT_EQ(revisions.size(), 2u);
  EXPECT_EQ(revisions[0].revision, 2);
  EXPECT_EQ(revisions[0].source, "web-222");
  EXPECT_EQ(revisions[0].images, std::vector<std::string>{"busybox:2"});
  EXPECT_EQ(revisions[0].change_cause, "second");
  EXPECT_TRUE(revisions[0].current);
  EXPECT_EQ(revisions[1].revision, 1);
  EXPECT_FALSE(revisions[1].current);
  EXPECT_EQ(revisions[1].creation_timestamp, "2026-12-01T10:00:00Z");
  auto out = revisions_json(revisions, "replicaSet");
  EXPECT_EQ(out.at("total").as_int64(), 2);
  EXPECT_EQ(out.at("items").at(0).at("replicaSet").as_string(), "web-222");
  EXPECT_EQ(out.at("items").at(1).at("images").at(0).as_string(), "busybox:1");
  // A deployment without a uid owns nothing.
  EXPECT_TRUE(deployment_revisions(js(R"({"metadata":{"name":"web"}})"), rs).empty());
}

TEST(WorkloadActions, StatefulSetRevisionsComeFromControllerRevisions) {
  auto sts = js(R"({"metadata":{"name":"db","uid":"s-1"},"status":{"updateRevision":"db-aaa"}})");
  auto cr = [](const char* name, int revision, const char* image, const char* owner) {
    return js(fmt::format(
        R"({{"apiVersion":"apps/v1","kind":"ControllerRevision","metadata":{{"name":"{}","ownerReferences":)"
        R"([{{"kind":"StatefulSet","name":"db","uid":"{}"}}]}},"revision":{},)"
        R"("data":{{"spec":{{"template":{{"spec":{{"containers":[{{"name":"db","image":"{}"}}]}}}}}}}}}})",
        name, owner, revision, image));
  };
  auto revisions = controller_revisions(sts, {cr("db-bbb", 1, "pg:12", "s-1"), cr("db-aaa", 2, "pg:13", "s-1"),
                                              cr("x-ccc", 5, "redis", "s-2"), js(R"({"revision":"3"})")});
  ASSERT_EQ(revisions.size(), 2u);
  EXPECT_EQ(revisions[0].source, "db-aaa");
  EXPECT_EQ(revisions[0].images, std::vector<std::string>{"pg:13"});
  EXPECT_TRUE(revisions[0].current);
  EXPECT_FALSE(revisions[1].current);
}

TEST(WorkloadActions, RollbackBodies) {
  EXPECT_EQ(*rollback_revision(""), 0);
  EXPECT_EQ(*rollback_revision(" \n"), 0);
  EXPECT_EQ(*rollback_revision("{}"), 0);
  EXPECT_EQ(*rollback_revision(R"({"revision":null})"), 0);
  EXPECT_EQ(*rollback_revision(R"({"revision":0})"), 0);
  EXPECT_EQ(*rollback_revision(R"({"revision":12})"), 12);
  for (const char* bad :
       {R"({"revision":-1})", R"({"revision":1.5})", R"({"revision":"2"})", R"({"revision":[1]})",
        R"({"revision":1,"dryRun":true})", "[]", R"("x")", "{", R"({"revision":99999999999999999999})"}) {
    auto r = rollback_revision(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, core::ErrorCode::InvalidArgument) << bad;
  }
  EXPECT_EQ(rollback_revision(R"({"revision":-1})").error().causes.at(0).field, "revision");
}

TEST(WorkloadActions, RollbackPatchCopiesTheReplicaSetTemplateWithoutItsHash) {
  auto deployment = js(deployment_json("busybox:2", "2"));
  std::vector<json::value> rs = {js(replicaset_json("web-111", "111", "1", "busybox:1", "first")),
                                 js(replicaset_json("web-222", "222", "2", "busybox:2", "second"))};
  for (std::int64_t asked : {1, 0}) {
    auto plan = plan_rollback(deployment, rs, asked);
    ASSERT_TRUE(plan) << plan.error().message;
    EXPECT_EQ(plan->revision, 1);
    EXPECT_EQ(plan->source, "web-111");
    EXPECT_FALSE(plan->unchanged);
    auto patch = js(plan->patch);
    ASSERT_TRUE(patch.is_array());
    ASSERT_EQ(patch.as_array().size(), 2u);
    EXPECT_EQ(patch.at(0).at("op").as_string(), "replace");
    EXPECT_EQ(patch.at(0).at("path").as_string(), "/spec/template");
    const auto& t = patch.at(0).at("value");
    EXPECT_EQ(t.at("spec").at("containers").at(0).at("image").as_string(), "busybox:1");
    EXPECT_EQ(t.at("metadata").at("labels").as_object().size(), 1u) << "pod-template-hash removed";
    EXPECT_EQ(t.at("metadata").at("labels").at("app").as_string(), "web");
    const auto& a = patch.at(1).at("value").as_object();
    EXPECT_EQ(patch.at(1).at("path").as_string(), "/metadata/annotations");
    EXPECT_EQ(a.at("kubernetes.io/change-cause").as_string(), "first") << "the revision's change cause comes back";
    EXPECT_EQ(a.at("deployment.kubernetes.io/revision").as_string(), "2") << "the Deployment keeps its own";
    EXPECT_TRUE(a.contains("kubectl.kubernetes.io/last-applied-configuration"));
    EXPECT_FALSE(a.contains("deployment.kubernetes.io/desired-replicas")) << "never taken from the ReplicaSet";
  }
  // Back to the revision it already runs: nothing to do.
  auto same = plan_rollback(deployment, rs, 2);
  ASSERT_TRUE(same);
  EXPECT_TRUE(same->unchanged);
  EXPECT_TRUE(same->patch.empty());

  auto unknown = plan_rollback(deployment, rs, 9);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, core::ErrorCode::NotFound);
  EXPECT_NE(unknown.error().message.find("revision 9"), std::string::npos) << unknown.error().message;
  auto lonely = plan_rollback(deployment, {rs[1]}, 0);
  ASSERT_FALSE(lonely);
  EXPECT_EQ(lonely.error().code, core::ErrorCode::NotFound);
  auto paused = plan_rollback(js(deployment_json("busybox:2", "2", true)), rs, 1);
  ASSERT_FALSE(paused);
  EXPECT_EQ(paused.error().code, core::ErrorCode::Conflict);
  // Another deployment's ReplicaSets are never a revision of this one.
  EXPECT_FALSE(plan_rollback(deployment, {js(replicaset_json("x-1", "1", "1", "evil", "", "d-other")), rs[1]}, 1));
}

TEST(WorkloadActions, ControllerRollbackSendsTheRecordedTemplateAsAStrategicMergePatch) {
  auto cr = [](const char* name, int revision, const char* image, const char* owner) {
    return js(fmt::format(
        R"({{"apiVersion":"apps/v1","kind":"ControllerRevision","metadata":{{"name":"{}","ownerReferences":)"
        R"([{{"kind":"StatefulSet","name":"db","uid":"{}"}}]}},"revision":{},)"
        R"("data":{{"spec":{{"template":{{"$patch":"replace","metadata":{{"labels":{{"app":"db"}}}},)"
        R"("spec":{{"containers":[{{"name":"db","image":"{}"}}]}}}}}}}}}})",
        name, owner, revision, image));
  };
  auto sts = js(R"({"metadata":{"name":"db","uid":"s-1"},"spec":{"template":{"metadata":{"labels":{"app":"db"}},)"
                R"("spec":{"containers":[{"name":"db","image":"pg:13"}]}}}})");
  std::vector<json::value> revisions = {cr("db-bbb", 1, "pg:12", "s-1"), cr("db-aaa", 2, "pg:13", "s-1"),
                                        cr("x-ccc", 5, "redis", "s-2"), js(R"({"revision":3})")};
  for (std::int64_t asked : {1, 0}) {
    auto plan = plan_controller_rollback(sts, "statefulset", revisions, asked);
    ASSERT_TRUE(plan) << plan.error().message;
    EXPECT_EQ(plan->revision, 1);
    EXPECT_EQ(plan->source, "db-bbb");
    EXPECT_FALSE(plan->unchanged);
    EXPECT_EQ(plan->content_type, "application/strategic-merge-patch+json");
    auto patch = js(plan->patch);
    ASSERT_EQ(patch.as_object().size(), 1u);
    const auto& t = patch.at("spec").at("template");
    EXPECT_EQ(t.at("$patch").as_string(), "replace") << "the whole template is replaced, as kubectl does";
    EXPECT_EQ(t.at("spec").at("containers").at(0).at("image").as_string(), "pg:12");
  }
  auto same = plan_controller_rollback(sts, "statefulset", revisions, 2);
  ASSERT_TRUE(same) << same.error().message;
  EXPECT_TRUE(same->unchanged) << "the recorded template minus $patch equals the current one";
  EXPECT_TRUE(same->patch.empty());

  auto unknown = plan_controller_rollback(sts, "statefulset", revisions, 5);
  ASSERT_FALSE(unknown) << "revision 5 belongs to another owner";
  EXPECT_EQ(unknown.error().code, core::ErrorCode::NotFound);
  EXPECT_NE(unknown.error().message.find("revision 5 of statefulset db"), std::string::npos) << unknown.error().message;
  auto lonely = plan_controller_rollback(sts, "statefulset", {revisions[1]}, 0);
  ASSERT_FALSE(lonely);
  EXPECT_NE(lonely.error().message.find("no previous revision"), std::string::npos);
  // Hostile revisions: data that is not an object, a template that is not one, revision numbers as strings.
  for (const char* bad : {R"({"metadata":{"name":"z","ownerReferences":[{"uid":"s-1"}]},"revision":1,"data":"x"})",
                          R"({"metadata":{"name":"z","ownerReferences":[{"uid":"s-1"}]},"revision":1,)"
                          R"("data":{"spec":{"template":[1]}}})",
                          R"({"metadata":{"name":"z","ownerReferences":[{"uid":"s-1"}]},"revision":"1",)"
                          R"("data":{"spec":{"template":{}}}})"}) {
    auto r = plan_controller_rollback(sts, "statefulset", {js(bad), revisions[1]}, 1);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, core::ErrorCode::NotFound) << bad;
  }
}

// --- the routes ----------------------------------------------------------------------------------------------

class WorkloadActionRoutesTest : public testing::KubeRouteTest {
 protected:
  void SetUp() override {
    KubeRouteTest::SetUp();
    routes_ = std::make_unique<WorkloadActionRoutes>(*connections_, *authz_, clock_);
    routes_->register_routes(router_);
    start_handler();
    api_.put("/apis/apps/v1/namespaces/shop/deployments/web", deployment_json("busybox:2", "2"));
    api_.put("/apis/apps/v1/namespaces/shop/replicasets/web-111",
             replicaset_json("web-111", "111", "1", "busybox:1", "first"));
    api_.put("/apis/apps/v1/namespaces/shop/replicasets/web-222",
             replicaset_json("web-222", "222", "2", "busybox:2", "second"));
    api_.put("/apis/apps/v1/namespaces/shop/deployments/web/scale",
             R"({"kind":"Scale","apiVersion":"autoscaling/v1","metadata":{"name":"web","namespace":"shop"},)"
             R"("spec":{"replicas":1},"status":{"replicas":1}})");
  }
  void TearDown() override {
    KubeRouteTest::TearDown();
    routes_.reset();
  }
  std::string path(const std::string& rest) { return "/api/v1/clusters/local/namespaces/shop/" + rest; }
  std::unique_ptr<WorkloadActionRoutes> routes_;
};

TEST_F(WorkloadActionRoutesTest, OperatorScalesViewerReadsOutsiderNothing) {
  auto got = call("viewer", "GET", path("deployments/web/scale"));
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(parse(got).at("spec").at("replicas").as_int64(), 1);
  EXPECT_EQ(call("outsider", "GET", path("deployments/web/scale")).status, 403);

  auto scaled =
      call("op", "PATCH", path("deployments/web/scale"), R"({"spec":{"replicas":3}})", "application/merge-patch+json");
  ASSERT_EQ(scaled.status, 200) << scaled.body;
  auto sent = api_.seen("PATCH", "/apis/apps/v1/namespaces/shop/deployments/web/scale");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].content_type, "application/merge-patch+json");
  EXPECT_EQ(js(sent[0].body).at("spec").at("replicas").as_int64(), 3);

  auto put = call("op", "PUT", path("statefulsets/db/scale"), R"({"spec":{"replicas":0}})");
  EXPECT_EQ(put.status, 404) << "the apiserver's answer for a missing object: " << put.body;
  auto sent_put = api_.seen("PUT", "/apis/apps/v1/namespaces/shop/statefulsets/db/scale");
  ASSERT_EQ(sent_put.size(), 1u);
  EXPECT_EQ(js(sent_put[0].body).at("metadata").at("name").as_string(), "db");
  EXPECT_EQ(call("op", "PATCH", path("replicasets/web-111/scale"), R"({"spec":{"replicas":0}})").status, 404)
      << "operators may scale ReplicaSets (the fake has no such object)";

  for (const char* user : {"viewer", "outsider"}) {
    EXPECT_EQ(call(user, "PATCH", path("deployments/web/scale"), R"({"spec":{"replicas":5}})").status, 403) << user;
    EXPECT_EQ(call(user, "PUT", path("deployments/web/scale"), R"({"spec":{"replicas":5}})").status, 403) << user;
  }
  EXPECT_EQ(api_.seen("PATCH", "/apis/apps/v1/namespaces/shop/deployments/web/scale").size(), 1u);

  // Hostile bodies never reach the cluster.
  for (const char* bad : {R"({"spec":{"replicas":10001}})", R"({"spec":{"replicas":-1}})",
                          R"({"spec":{"replicas":"3"}})", R"({"spec":{"replicas":1e9}})"}) {
    auto r = call("op", "PATCH", path("deployments/web/scale"), bad);
    EXPECT_EQ(r.status, 422) << bad;
    EXPECT_NE(std::string(r.body_view()).find("spec.replicas"), std::string::npos) << r.body_view();
  }
  EXPECT_EQ(call("op", "PATCH", path("deployments/web/scale"), R"({"spec":{"replicas":3)").status, 400);
  EXPECT_EQ(call("op", "PATCH", path("deployments/web/scale"), "").status, 400);
  EXPECT_EQ(call("op", "PATCH", path("deployments/web/scale"), R"({"spec":{"replicas":3}})", "application/yaml").status,
            400);
  EXPECT_EQ(call("op", "PATCH", path("deployments/WEB/scale"), R"({"spec":{"replicas":3}})").status, 400);
  EXPECT_EQ(call("op", "PATCH", path("deployments/..%2Fweb/scale"), R"({"spec":{"replicas":3}})").status, 404);
  EXPECT_EQ(call("op", "PATCH", path("daemonsets/agent/scale"), R"({"spec":{"replicas":3}})").status, 404)
      << "DaemonSets have no scale";
  EXPECT_EQ(api_.seen("PATCH", "/apis/apps/v1/namespaces/shop/deployments/web/scale").size(), 1u);

  // The front door audited the mutations, the denials included.
  int patches = 0, denied = 0;
  for (const auto& e : audit_events("deployments")) {
    if (e.at("verb").as_string() != "patch") continue;
    ++patches;
    if (e.at("outcome").as_string() == "denied") ++denied;
  }
  EXPECT_GE(patches, 3);
  EXPECT_EQ(denied, 2);
}

TEST_F(WorkloadActionRoutesTest, RestartAnnotatesTheTemplateWithTheClocksTime) {
  auto r = call("op", "POST", path("deployments/web/restart"));
  ASSERT_EQ(r.status, 200) << r.body;
  auto sent = api_.seen("PATCH", "/apis/apps/v1/namespaces/shop/deployments/web");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].body, restart_patch(clock_.now()));
  EXPECT_EQ(call("viewer", "POST", path("deployments/web/restart")).status, 403);
  EXPECT_EQ(call("outsider", "POST", path("deployments/web/restart")).status, 403);
  EXPECT_EQ(call("op", "POST", path("replicasets/web-111/restart")).status, 404) << "not a route";
  api_.put("/apis/apps/v1/namespaces/shop/deployments/paused", deployment_json("busybox:2", "2", true));
  EXPECT_EQ(call("op", "POST", path("deployments/paused/restart")).status, 409);
  EXPECT_EQ(call("op", "POST", path("deployments/missing/restart")).status, 404);
  EXPECT_EQ(api_.seen("PATCH", "/apis/apps/v1/namespaces/shop/deployments").size(), 1u);
}

TEST_F(WorkloadActionRoutesTest, HistoryAndRollback) {
  auto history = call("viewer", "GET", path("deployments/web/revisions"));
  ASSERT_EQ(history.status, 200) << history.body;
  auto v = parse(history);
  ASSERT_EQ(v.at("total").as_int64(), 2);
  EXPECT_EQ(v.at("items").at(0).at("revision").as_int64(), 2);
  EXPECT_EQ(v.at("items").at(1).at("changeCause").as_string(), "first");
  EXPECT_EQ(call("outsider", "GET", path("deployments/web/revisions")).status, 403);
  EXPECT_EQ(call("viewer", "GET", path("deployments/nope/revisions")).status, 404);

  EXPECT_EQ(call("viewer", "POST", path("deployments/web/rollback"), R"({"revision":1})").status, 403);
  auto unknown = call("op", "POST", path("deployments/web/rollback"), R"({"revision":7})");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_NE(std::string(unknown.body_view()).find("revision 7"), std::string::npos) << unknown.body_view();
  EXPECT_EQ(call("op", "POST", path("deployments/web/rollback"), R"({"revision":"1"})").status, 422);
  EXPECT_TRUE(api_.seen("PATCH", "/apis/apps/v1/namespaces/shop/deployments/web").empty());

  auto back = call("op", "POST", path("deployments/web/rollback"), "");
  ASSERT_EQ(back.status, 200) << back.body;
  EXPECT_EQ(parse(back).at("revision").as_int64(), 1);
  EXPECT_TRUE(parse(back).at("changed").as_bool());
  auto sent = api_.seen("PATCH", "/apis/apps/v1/namespaces/shop/deployments/web");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].content_type, "application/json-patch+json");
  EXPECT_EQ(js(sent[0].body).at(0).at("value").at("spec").at("containers").at(0).at("image").as_string(), "busybox:1");
}

TEST_F(WorkloadActionRoutesTest, StatefulSetRollbackPatchesWithTheControllerRevision) {
  api_.put("/apis/apps/v1/namespaces/shop/statefulsets/db",
           R"({"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"db","namespace":"shop","uid":"s-1"},)"
           R"("spec":{"template":{"spec":{"containers":[{"name":"db","image":"pg:13"}]}}}})");
  for (auto [name, revision, image] : {std::tuple{"db-1", 1, "pg:12"}, std::tuple{"db-2", 2, "pg:13"}}) {
    api_.put(fmt::format("/apis/apps/v1/namespaces/shop/controllerrevisions/{}", name),
             fmt::format(
                 R"({{"apiVersion":"apps/v1","kind":"ControllerRevision","metadata":{{"name":"{}",)"
                 R"("namespace":"shop","ownerReferences":[{{"uid":"s-1"}}]}},"revision":{},"data":{{"spec":)"
                 R"({{"template":{{"$patch":"replace","spec":{{"containers":[{{"name":"db","image":"{}"}}]}}}}}}}}}})",
                 name, revision, image));
  }
  EXPECT_EQ(call("viewer", "POST", path("statefulsets/db/rollback"), "").status, 403);
  EXPECT_EQ(call("outsider", "POST", path("statefulsets/db/rollback"), "").status, 403);
  EXPECT_EQ(call("op", "POST", path("replicasets/web-111/rollback"), "").status, 404) << "not a route";
  auto back = call("op", "POST", path("statefulsets/db/rollback"), "");
  ASSERT_EQ(back.status, 200) << back.body;
  auto v = parse(back);
  EXPECT_EQ(v.at("kind").as_string(), "StatefulSetRollback");
  EXPECT_EQ(v.at("controllerRevision").as_string(), "db-1");
  EXPECT_TRUE(v.at("statefulSet").is_object());
  auto sent = api_.seen("PATCH", "/apis/apps/v1/namespaces/shop/statefulsets/db");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].content_type, "application/strategic-merge-patch+json");
  EXPECT_EQ(js(sent[0].body).at("spec").at("template").at("spec").at("containers").at(0).at("image").as_string(),
            "pg:12");
}

}  // namespace
}  // namespace atrium::api
