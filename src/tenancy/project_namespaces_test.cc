// Projects and Workspaces with a ProjectNamespaces (a fake here; the real one is tested against the local cluster
// in tests/integration/projects_test.cc): the cluster side happens before the commit, failures store nothing, a
// failed commit undoes the cluster side. Also the ResourceQuota and LimitRange documents.
#include <gtest/gtest.h>

#include "core/testing/fake_clock.h"
#include "iam/authorizer.h"
#include "iam/store_objects.h"
#include "iam/testing/temp_store.h"
#include "tenancy/kubernetes_namespaces.h"
#include "tenancy/projects.h"
#include "tenancy/templates.h"
#include "tenancy/testing/fake_project_namespaces.h"
#include "tenancy/workspaces.h"

namespace atrium::tenancy {
namespace {

using Calls = std::vector<std::string>;

class ProjectNamespacesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.ok());
    ASSERT_TRUE(iam::register_templates(templates_));
    ASSERT_TRUE(tenancy::register_templates(templates_));
    ASSERT_TRUE(bindings_.add_member(iam::platform_scope(), iam::Member{.user = "admin", .role = "platform-admin"}));
    ASSERT_TRUE(workspaces_.create(admin_, json(R"({"metadata":{"name":"merchant-platform"},"spec":{
        "clusters":["sandbox"],"quotas":[{"cluster":"sandbox","hard":{"limits.cpu":"4"}}]}})")));
    fake_.calls.clear();
  }
  static core::json::value json(const char* text) { return *core::parse_json(text); }
  static core::json::value project(const std::string& name, const std::string& hard = R"({"limits.cpu":"1"})") {
    return *core::parse_json(R"({"metadata":{"name":")" + name + R"("},"spec":{"cluster":"sandbox","quota":{"hard":)" +
                             hard + "}}}");
  }
  bool stored(const std::string& name) {
    return store_->get("Project", "workspace/merchant-platform", name) &&
           store_->get("ProjectClaim", "cluster/sandbox", name);
  }

  iam::testing::TempStore store_;
  core::FakeClock clock_;
  iam::TemplateRegistry templates_;
  iam::RbacAuthorizer authz_{*store_, templates_, clock_};
  iam::Roles roles_{*store_, templates_, clock_, [this] { (void)authz_.refresh(); }};
  iam::RoleBindings bindings_{*store_, roles_, clock_, [this] { (void)authz_.refresh(); }};
  testing::FakeProjectNamespaces fake_;
  Workspaces workspaces_{*store_, clock_, bindings_, authz_, &fake_};
  Projects projects_{*store_, clock_, bindings_, authz_, &fake_};
  core::Principal admin_{"admin", {}, "token"};
};

TEST_F(ProjectNamespacesTest, CreateProvisionsTheNamespaceWithItsQuota) {
  ASSERT_TRUE(projects_.create(admin_, "merchant-platform", project("merchant-sandbox")));
  EXPECT_EQ(fake_.calls, Calls{"provision merchant-platform/merchant-sandbox on sandbox"});
  EXPECT_EQ(fake_.labelled["merchant-sandbox"], "merchant-platform");
  EXPECT_EQ(fake_.quotas["merchant-sandbox"].at("limits.cpu"), "1");
  EXPECT_TRUE(stored("merchant-sandbox"));
}

TEST_F(ProjectNamespacesTest, AnExistingNamespaceIsAdoptedOnlyWhenAsked) {
  fake_.existing.insert("legacy");
  auto refused = projects_.create(admin_, "merchant-platform", project("legacy"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::ErrorCode::AlreadyExists);
  EXPECT_FALSE(stored("legacy"));
  ASSERT_TRUE(projects_.create(admin_, "merchant-platform", project("legacy"),
                               ProjectCreateOptions{.adoption = NamespaceAdoption::Adopt}));
  EXPECT_EQ(fake_.calls.back(), "provision merchant-platform/legacy on sandbox adopt");
  EXPECT_TRUE(stored("legacy"));
}

TEST_F(ProjectNamespacesTest, AnUnreachableClusterStoresNothing) {
  fake_.fail_next = core::Error(core::ErrorCode::Unavailable, "cluster sandbox is unreachable: connection refused");
  auto r = projects_.create(admin_, "merchant-platform", project("merchant-sandbox"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::ErrorCode::Unavailable);
  EXPECT_FALSE(store_->get("Project", "workspace/merchant-platform", "merchant-sandbox"));
  EXPECT_FALSE(store_->get("ProjectClaim", "cluster/sandbox", "merchant-sandbox"));
}

TEST_F(ProjectNamespacesTest, ChecksBeforeTheClusterIsTouched) {
  // Over the workspace's quota, or a name already claimed on the cluster: refused before any namespace is made.
  EXPECT_FALSE(projects_.create(admin_, "merchant-platform", project("big", R"({"limits.cpu":"5"})")));
  ASSERT_TRUE(projects_.create(admin_, "merchant-platform", project("taken")));
  fake_.calls.clear();
  EXPECT_FALSE(projects_.create(admin_, "merchant-platform", project("taken")));
  EXPECT_TRUE(fake_.calls.empty()) << fake_.calls.front();
}

TEST_F(ProjectNamespacesTest, AFailedCommitDeletesTheNamespaceItMade) {
  // A racing create of the same name wins the claim while this one makes the namespace.
  fake_.before_provision = [&](const ProjectRef& p) {
    ASSERT_TRUE(store_->create(iam::project_claim_object(p.cluster, "other", p.name, clock_)));
  };
  auto r = projects_.create(admin_, "merchant-platform", project("merchant-sandbox"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::ErrorCode::AlreadyExists);
  EXPECT_EQ(fake_.calls, (Calls{"provision merchant-platform/merchant-sandbox on sandbox",
                                "delete merchant-platform/merchant-sandbox"}));
  EXPECT_FALSE(store_->get("Project", "workspace/merchant-platform", "merchant-sandbox"));
}

TEST_F(ProjectNamespacesTest, AQuotaChangeIsAppliedFirstAndOnlyWhenItChanges) {
  ASSERT_TRUE(projects_.create(admin_, "merchant-platform", project("merchant-sandbox")));
  fake_.calls.clear();
  auto with_name = json(R"({"metadata":{"name":"merchant-sandbox"},"spec":{"cluster":"sandbox",
      "displayName":"Sandbox","quota":{"hard":{"limits.cpu":"1"}}}})");
  ASSERT_TRUE(projects_.update(admin_, "merchant-platform", "merchant-sandbox", with_name));
  EXPECT_TRUE(fake_.calls.empty());
  ASSERT_TRUE(projects_.update(admin_, "merchant-platform", "merchant-sandbox",
                               project("merchant-sandbox", R"({"limits.cpu":"2","pods":"10"})")));
  EXPECT_EQ(fake_.calls, Calls{"quota merchant-platform/merchant-sandbox limits.cpu=2 pods=10"});
  // The cluster refuses: the stored quota stays as it was.
  fake_.fail_next = core::Error(core::ErrorCode::Unavailable, "cluster sandbox is unreachable");
  auto r = projects_.update(admin_, "merchant-platform", "merchant-sandbox",
                            project("merchant-sandbox", R"({"limits.cpu":"3"})"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::ErrorCode::Unavailable);
  auto p = projects_.get("merchant-platform", "merchant-sandbox");
  ASSERT_TRUE(p);
  EXPECT_NE(p->data.find(R"("limits.cpu":"2")"), std::string::npos) << p->data;
}

TEST_F(ProjectNamespacesTest, DeleteKeepsTheNamespaceUnlessConfirmed) {
  ASSERT_TRUE(projects_.create(admin_, "merchant-platform", project("kept")));
  ASSERT_TRUE(projects_.create(admin_, "merchant-platform", project("gone")));
  fake_.calls.clear();
  ASSERT_TRUE(projects_.remove("merchant-platform", "kept"));
  ASSERT_TRUE(projects_.remove("merchant-platform", "gone",
                               ProjectDeleteOptions{.namespace_disposal = NamespaceDisposal::Delete}));
  EXPECT_EQ(fake_.calls, (Calls{"release merchant-platform/kept", "delete merchant-platform/gone"}));
  EXPECT_TRUE(fake_.existing.contains("kept"));
  EXPECT_FALSE(fake_.labelled.contains("kept"));
  EXPECT_FALSE(fake_.existing.contains("gone"));
  EXPECT_FALSE(stored("kept"));
  EXPECT_FALSE(stored("gone"));
}

TEST_F(ProjectNamespacesTest, DeleteWithAnUnreachableClusterKeepsTheProject) {
  ASSERT_TRUE(projects_.create(admin_, "merchant-platform", project("merchant-sandbox")));
  fake_.fail_on_dispose = [](const ProjectRef&) { return true; };
  auto r = projects_.remove("merchant-platform", "merchant-sandbox");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::ErrorCode::Unavailable);
  EXPECT_TRUE(stored("merchant-sandbox"));
}

TEST_F(ProjectNamespacesTest, CascadeReleasesNamespacesOrTakesThemBack) {
  ASSERT_TRUE(projects_.create(admin_, "merchant-platform", project("a")));
  ASSERT_TRUE(projects_.create(admin_, "merchant-platform", project("b")));
  fake_.calls.clear();
  fake_.fail_on_dispose = [](const ProjectRef& p) { return p.name == "b"; };
  auto r = workspaces_.remove("merchant-platform", WorkspaceDeleteOptions{.cascade = true});
  ASSERT_FALSE(r);
  EXPECT_EQ(fake_.calls, (Calls{"release merchant-platform/a", "release merchant-platform/b",
                                "provision merchant-platform/a on sandbox adopt"}));
  EXPECT_EQ(fake_.labelled["a"], "merchant-platform");
  EXPECT_TRUE(stored("a"));
  EXPECT_TRUE(stored("b"));

  fake_.fail_on_dispose = nullptr;
  ASSERT_TRUE(workspaces_.remove("merchant-platform", WorkspaceDeleteOptions{.cascade = true}));
  EXPECT_TRUE(fake_.labelled.empty());
  EXPECT_TRUE(fake_.existing.contains("a") && fake_.existing.contains("b")) << "cascade never deletes namespaces";
  EXPECT_FALSE(stored("a"));
}

TEST(QuotaObjects, ResourceQuotaCarriesTheHardValuesAndLabels) {
  ProjectRef ref{.workspace = "merchant-platform", .name = "merchant-sandbox", .cluster = "sandbox"};
  ProjectQuota q{.hard = {{"limits.cpu", "2"}, {"pods", "10"}}};
  auto rq = resource_quota_object(ref, q);
  EXPECT_EQ(core::json::serialize(rq.at("spec")), R"({"hard":{"limits.cpu":"2","pods":"10"}})");
  EXPECT_EQ(rq.at("metadata").at("name").as_string(), "atrium-quota");
  EXPECT_EQ(rq.at("metadata").at("namespace").as_string(), "merchant-sandbox");
  EXPECT_EQ(rq.at("metadata").at("labels").at("atrium.io/workspace").as_string(), "merchant-platform");
}

TEST(QuotaObjects, LimitRangeOnlyForCpuAndMemoryAndWithinTheQuota) {
  ProjectRef ref{.workspace = "w", .name = "p", .cluster = "c"};
  EXPECT_FALSE(limit_range_object(ref, ProjectQuota{.hard = {{"pods", "10"}}}));
  auto lr = limit_range_object(ref, ProjectQuota{.hard = {{"limits.cpu", "4"}, {"requests.memory", "64Mi"}}});
  ASSERT_TRUE(lr);
  EXPECT_EQ(lr->at("metadata").at("name").as_string(), "atrium-limits");
  const auto& item = lr->at("spec").at("limits").at(0);
  EXPECT_EQ(core::json::serialize(item.at("default")), R"({"cpu":"500m","memory":"512Mi"})");
  // Requests never above the quota nor above the default limit.
  EXPECT_EQ(core::json::serialize(item.at("defaultRequest")), R"({"cpu":"100m","memory":"64Mi"})");
  auto small = limit_range_object(ref, ProjectQuota{.hard = {{"limits.cpu", "50m"}}});
  ASSERT_TRUE(small);
  EXPECT_EQ(core::json::serialize(small->at("spec").at("limits").at(0).at("default")), R"({"cpu":"50m"})");
  EXPECT_EQ(core::json::serialize(small->at("spec").at("limits").at(0).at("defaultRequest")), R"({"cpu":"50m"})");
}

}  // namespace
}  // namespace atrium::tenancy
