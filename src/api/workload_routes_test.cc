#include "api/workload_routes.h"

#include <gtest/gtest.h>

#include "api/pod_stream_routes.h"
#include "api/testing/route_matrix.h"
#include "api/workload_action_routes.h"

namespace atrium::api {
namespace {

const WorkloadKind& kind_of(std::string_view resource) {
  for (const auto& k : workload_kinds()) {
    if (k.resource == resource) return k;
  }
  static WorkloadKind none{};
  return none;
}

TEST(WorkloadRoutes, SecretValuesAreBlankedAndTheLastAppliedCopyOfThemDropped) {
  std::string secret = R"({"kind":"Secret","metadata":{"name":"db","annotations":{
      "kubectl.kubernetes.io/last-applied-configuration":"{\"data\":{\"password\":\"aHVudGVyMg==\"}}","keep":"me"}},
      "data":{"password":"aHVudGVyMg==","user":"YWRtaW4="},"stringData":{"token":"plain"}})";
  auto masked = mask_secret_values(secret);
  EXPECT_EQ(masked.find("aHVudGVyMg"), std::string::npos) << masked;
  EXPECT_EQ(masked.find("YWRtaW4"), std::string::npos) << masked;
  EXPECT_EQ(masked.find("plain"), std::string::npos) << masked;
  auto v = core::parse_json(masked);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->at("data").at("password").as_string(), "") << "keys stay, values go";
  EXPECT_TRUE(v->at("data").as_object().contains("user"));
  EXPECT_EQ(v->at("metadata").at("annotations").at("keep").as_string(), "me");
  // Not an object: returned as it is (nothing to mask, nothing to crash on).
  EXPECT_EQ(mask_secret_values("[1,2]"), "[1,2]");
  EXPECT_EQ(mask_secret_values("{"), "{");
}

TEST(WorkloadRoutes, ABodyIsPinnedToThePathsNamespaceKindAndName) {
  const auto& deployments = kind_of("deployments");
  auto body = core::parse_json(R"({"metadata":{"name":"api"},"spec":{}})");
  ASSERT_TRUE(check_object_body(*body, "merchant-sandbox", {}, deployments, "apps/v1"));
  EXPECT_EQ(body->at("metadata").at("namespace").as_string(), "merchant-sandbox");
  EXPECT_EQ(body->at("kind").as_string(), "Deployment");
  EXPECT_EQ(body->at("apiVersion").as_string(), "apps/v1");

  struct Case {
    const char* body;
    const char* name;
    const char* field;
  };
  for (const Case& c : {
           Case{R"({"metadata":{"name":"api","namespace":"merchant-prod"}})", "", "metadata.namespace"},
           Case{R"({"metadata":{"name":"api","namespace":7}})", "", "metadata.namespace"},
           Case{R"({"kind":"Pod","metadata":{"name":"api"}})", "", "kind"},
           Case{R"({"kind":["Deployment"],"metadata":{"name":"api"}})", "", "kind"},
           Case{R"({"metadata":{"name":"other"}})", "api", "metadata.name"},
       }) {
    auto v = core::parse_json(c.body);
    auto s = check_object_body(*v, "merchant-sandbox", c.name, deployments, "apps/v1");
    ASSERT_FALSE(s) << c.body;
    EXPECT_EQ(s.error().code, core::ErrorCode::InvalidArgument);
    ASSERT_FALSE(s.error().causes.empty()) << c.body;
    EXPECT_EQ(s.error().causes[0].field, c.field) << c.body;
  }
  for (const char* bad : {"[]", "\"x\"", "null", R"({"metadata":[]})", R"({"metadata":"x"})"}) {
    auto v = core::parse_json(bad);
    EXPECT_FALSE(check_object_body(*v, "ns", {}, deployments, "apps/v1")) << bad;
  }
}

TEST(WorkloadRoutes, EveryKindTheIssueNamesIsServed) {
  for (const char* r : {"deployments", "statefulsets", "daemonsets", "jobs", "cronjobs", "pods", "services",
                        "ingresses", "configmaps", "secrets", "persistentvolumeclaims", "events"}) {
    EXPECT_FALSE(kind_of(r).kind.empty()) << r;
  }
}

// Each workload and pod-stream route carries the verb/group/resource of its row in the hand-written matrix
// (src/iam/testdata/route_role_matrix.txt), whose cells src/tenancy/route_role_matrix_test.cc decides.
TEST(WorkloadRoutes, EventFieldSelectorsNameTheInvolvedObject) {
  auto ok = parse_event_field_selector("involvedObject.kind=Deployment,involvedObject.name==api");
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(*ok, (FieldSelector{{"kind", "Deployment"}, {"name", "api"}}));
  EXPECT_TRUE(parse_event_field_selector("involvedObject.uid=6f1c"));
  for (const char* bad : {"metadata.name=x", "involvedObject.name!=x", "involvedObject.name", "=x", ",",
                          "involvedObject.name=a,involvedObject.name=b,involvedObject.kind=c,involvedObject.uid=d"}) {
    auto r = parse_event_field_selector(bad);
    EXPECT_FALSE(r) << bad;
    if (!r) {
      EXPECT_EQ(r.error().causes.at(0).field, "fieldSelector") << bad;
    }
  }
  EXPECT_FALSE(parse_event_field_selector("involvedObject.name=" + std::string(300, 'x')));
}

TEST(WorkloadRoutes, TheRoutesCarryTheMatrixsVerbs) {
  struct DenyAll : core::Authorizer {
    core::Decision authorize(const core::Principal&, const core::AccessRequest&) override { return {}; }
  } authz;
  kube::ClusterConnections clusters([](std::string_view) -> core::Result<std::shared_ptr<kube::Client>> {
    return core::fail(core::ErrorCode::NotFound, "no clusters here");
  });
  WorkloadRoutes workloads(clusters, authz);
  PodStreamRoutes streams(clusters, nullptr);
  core::SystemClock clock;
  WorkloadActionRoutes actions(clusters, authz, clock);
  Router router;
  workloads.register_routes(router);
  streams.register_routes(router);
  actions.register_routes(router);
  int rows = testing::expect_routes_match_matrix(
      router, [](const std::string& line) { return line.find("/namespaces/") != std::string::npos; });
  EXPECT_GE(rows, 25);
}

}  // namespace
}  // namespace atrium::api
