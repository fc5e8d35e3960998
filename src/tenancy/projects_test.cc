#include "tenancy/projects.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/testing/fake_clock.h"
#include "iam/authorizer.h"
#include "iam/store_objects.h"
#include "iam/testing/temp_store.h"
#include "tenancy/members.h"
#include "tenancy/templates.h"
#include "tenancy/workspaces.h"

namespace atrium::tenancy {
namespace {

using iam::Member;

class ProjectsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.ok());
    ASSERT_TRUE(iam::register_templates(templates_));
    ASSERT_TRUE(tenancy::register_templates(templates_));
    ASSERT_TRUE(bindings_.add_member(iam::platform_scope(), Member{.user = "admin", .role = "platform-admin"}));
    ASSERT_TRUE(workspaces_.create(admin_, json(R"({"metadata":{"name":"merchant-platform"},"spec":{
        "manager":"lead","clusters":["sandbox","production"],
        "quotas":[{"cluster":"sandbox","hard":{"limits.cpu":"4","limits.memory":"8Gi"}}]}})")));
    ASSERT_TRUE(workspaces_.create(admin_, json(R"({"metadata":{"name":"other"},"spec":{"clusters":["sandbox"]}})")));
  }
  static core::json::value json(const char* text) { return *core::parse_json(text); }
  static core::json::value project(const std::string& name, const std::string& cluster, const std::string& hard) {
    return *core::parse_json(R"({"metadata":{"name":")" + name + R"("},"spec":{"cluster":")" + cluster +
                             R"(","quota":{"hard":)" + hard + "}}}");
  }
  // Every stored object, as "kind scope name" lines, to assert nothing was half-written.
  std::vector<std::string> snapshot() {
    std::vector<std::string> out;
    for (const char* kind : {"Workspace", "Project", "ProjectClaim", "RoleBinding", "Role"}) {
      auto all = iam::list_all(*store_, kind, "", storage::Store::ScopeMatch::All);
      EXPECT_TRUE(all);
      for (const auto& o : *all) out.push_back(std::string(kind) + " " + o.scope + " " + o.name);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  iam::testing::TempStore store_;
  core::FakeClock clock_;
  iam::TemplateRegistry templates_;
  iam::RbacAuthorizer authz_{*store_, templates_, clock_};
  // Wired as the server wires it: custom roles only in workspaces and projects that exist.
  iam::Roles roles_{*store_, templates_, clock_, [this] { (void)authz_.refresh(); },
                    [this](const core::Scope& scope) { return check_scope_exists(*store_, scope); }};
  iam::RoleBindings bindings_{*store_, roles_, clock_, [this] { (void)authz_.refresh(); }};
  Workspaces workspaces_{*store_, clock_, bindings_, authz_};
  Projects projects_{*store_, clock_, bindings_, authz_};
  Members members_{*store_, bindings_};
  core::Principal admin_{"admin", {}, "token"};
  core::Principal lead_{"lead", {}, "token"};
};

TEST_F(ProjectsTest, ManagerBecomesWorkspaceAdmin) {
  auto m = bindings_.get_member(iam::workspace_scope("merchant-platform"), "lead");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->role, "admin");
}

TEST_F(ProjectsTest, CreateWritesProjectAndClaimTogether) {
  ASSERT_TRUE(projects_.create(lead_, "merchant-platform",
                               project("merchant-sandbox", "sandbox", R"({"limits.cpu":"2","limits.memory":"4Gi"})")));
  EXPECT_TRUE(store_->get("ProjectClaim", "cluster/sandbox", "merchant-sandbox"));
  // The workspace admin manages the project through the workspace: no extra binding.
  EXPECT_FALSE(bindings_.get_member(iam::project_scope("merchant-platform", "merchant-sandbox"), "lead"));
}

TEST_F(ProjectsTest, SelfProvisionerBecomesProjectAdmin) {
  ASSERT_TRUE(
      members_.add(iam::workspace_scope("merchant-platform"), Member{.user = "sp", .role = "self-provisioner"}));
  core::Principal sp{"sp", {}, "token"};
  ASSERT_TRUE(projects_.create(sp, "merchant-platform", project("sp-prod", "production", "{}")));
  auto m = bindings_.get_member(iam::project_scope("merchant-platform", "sp-prod"), "sp");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->role, "admin");
  core::AccessRequest del{.verb = "create",
                          .api_group = "",
                          .resource = "pods",
                          .scope = iam::project_scope("merchant-platform", "sp-prod")};
  EXPECT_TRUE(authz_.authorize(sp, del).allowed);
}

TEST_F(ProjectsTest, NameClashOnTheSameClusterFromAnotherWorkspace) {
  ASSERT_TRUE(projects_.create(admin_, "other", project("shop", "sandbox", "{}")));
  auto before = snapshot();
  auto r = projects_.create(lead_, "merchant-platform",
                            project("shop", "sandbox", R"({"limits.cpu":"1","limits.memory":"1Gi"})"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::ErrorCode::AlreadyExists);
  EXPECT_NE(r.error().message.find("unique per cluster"), std::string::npos) << r.error().message;
  EXPECT_EQ(snapshot(), before);
  // Another cluster is fine.
  EXPECT_TRUE(projects_.create(lead_, "merchant-platform", project("shop", "production", "{}")));
}

TEST_F(ProjectsTest, AClusterHoldingProjectsCannotBeRemoved) {
  EXPECT_TRUE(require_no_projects(*store_, "production"));
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(projects_.create(lead_, "merchant-platform", project("p" + std::to_string(i), "production", "{}")));
  }
  auto refused = require_no_projects(*store_, "production");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::ErrorCode::Conflict);
  EXPECT_NE(refused.error().message.find("6 project(s)"), std::string::npos) << refused.error().message;
  EXPECT_NE(refused.error().message.find("merchant-platform/p0"), std::string::npos) << refused.error().message;
  EXPECT_NE(refused.error().message.find(", ..."), std::string::npos) << "five named, the rest elided";
  ASSERT_EQ(refused.error().causes.size(), 6u) << "every project is a cause";
  EXPECT_EQ(refused.error().causes.back().field, "projects");
  // Another workspace's project on another cluster holds that one only; once it is gone, the cluster may go.
  EXPECT_TRUE(require_no_projects(*store_, "sandbox"));
  ASSERT_TRUE(projects_.create(admin_, "other", project("shop", "sandbox", "{}")));
  EXPECT_EQ(require_no_projects(*store_, "sandbox").error().causes.size(), 1u);
  ASSERT_TRUE(projects_.remove("other", "shop"));
  EXPECT_TRUE(require_no_projects(*store_, "sandbox"));
}

TEST_F(ProjectsTest, BadProjectsAreRefusedAndNothingIsWritten) {
  ASSERT_TRUE(projects_.create(lead_, "merchant-platform",
                               project("first", "sandbox", R"({"limits.cpu":"3","limits.memory":"4Gi"})")));
  auto before = snapshot();
  struct Case {
    core::json::value body;
    core::ErrorCode code;
    const char* needle;
  };
  std::vector<Case> cases = {
      {project("Bad_Name", "sandbox", "{}"), core::ErrorCode::InvalidArgument, "metadata.name"},
      {project(std::string(64, 'a'), "sandbox", "{}"), core::ErrorCode::InvalidArgument, ""},
      {project("p", "elsewhere", "{}"), core::ErrorCode::InvalidArgument, "may not use cluster"},
      {project("p", "sandbox", R"({"limits.cpu":"2","limits.memory":"1Gi"})"), core::ErrorCode::InvalidArgument,
       "over the workspace's quota"},
      {project("p", "sandbox", R"({"limits.cpu":"1"})"), core::ErrorCode::InvalidArgument, "must set it"},
      {project("p", "sandbox", R"({"limits.cpu":"1e999","limits.memory":"1Gi"})"), core::ErrorCode::InvalidArgument,
       "not a quantity"},
      {project("p", "sandbox", R"({"limits.cpu":"-1","limits.memory":"1Gi"})"), core::ErrorCode::InvalidArgument,
       "negative"},
      {project("p", "sandbox", R"({"limits.cpu":"Gi","limits.memory":"1Gi"})"), core::ErrorCode::InvalidArgument,
       "not a quantity"},
      {project("p", "sandbox", R"({"limits.cpu":"1.5.5","limits.memory":"1Gi"})"), core::ErrorCode::InvalidArgument,
       "not a quantity"},
      {project("first", "sandbox", R"({"limits.cpu":"1","limits.memory":"1Gi"})"), core::ErrorCode::AlreadyExists, ""},
  };
  for (const auto& c : cases) {
    auto r = projects_.create(lead_, "merchant-platform", c.body);
    ASSERT_FALSE(r) << core::json::serialize(c.body);
    EXPECT_EQ(r.error().code, c.code) << r.error().message;
    EXPECT_NE(r.error().message.find(c.needle), std::string::npos) << r.error().message;
    EXPECT_EQ(snapshot(), before) << core::json::serialize(c.body);
  }
  auto missing = projects_.create(lead_, "no-such-workspace", project("p", "sandbox", "{}"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, core::ErrorCode::NotFound);
  EXPECT_EQ(snapshot(), before);
}

TEST_F(ProjectsTest, QuotaChangesNeedTheWorkspaceAndStayWithinIt) {
  ASSERT_TRUE(
      members_.add(iam::workspace_scope("merchant-platform"), Member{.user = "sp", .role = "self-provisioner"}));
  core::Principal sp{"sp", {}, "token"};
  ASSERT_TRUE(projects_.create(sp, "merchant-platform",
                               project("p", "sandbox", R"({"limits.cpu":"1","limits.memory":"1Gi"})")));
  auto raise = projects_.update(sp, "merchant-platform", "p",
                                project("p", "sandbox", R"({"limits.cpu":"2","limits.memory":"1Gi"})"));
  ASSERT_FALSE(raise);  // sp is the project's admin, but quotas belong to the workspace admin
  EXPECT_EQ(raise.error().code, core::ErrorCode::PermissionDenied);
  EXPECT_TRUE(projects_.update(lead_, "merchant-platform", "p",
                               project("p", "sandbox", R"({"limits.cpu":"4","limits.memory":"1Gi"})")));
  auto over = projects_.update(lead_, "merchant-platform", "p",
                               project("p", "sandbox", R"({"limits.cpu":"4001m","limits.memory":"1Gi"})"));
  ASSERT_FALSE(over);
  EXPECT_EQ(core::http_status(over.error()), 422);
  auto move = projects_.update(lead_, "merchant-platform", "p",
                               project("p", "production", R"({"limits.cpu":"1","limits.memory":"1Gi"})"));
  ASSERT_FALSE(move);
  // The workspace admin may not raise the workspace's own quota.
  auto ws = workspaces_.update(lead_, "merchant-platform", json(R"({"metadata":{"name":"merchant-platform"},"spec":{
      "clusters":["sandbox","production"],"quotas":[{"cluster":"sandbox","hard":{"limits.cpu":"400","limits.memory":"8Gi"}}]}})"));
  ASSERT_FALSE(ws);
  EXPECT_EQ(ws.error().code, core::ErrorCode::PermissionDenied);
  // The platform admin may, but not below what projects hold.
  auto shrink =
      workspaces_.update(admin_, "merchant-platform", json(R"({"metadata":{"name":"merchant-platform"},"spec":{
      "clusters":["sandbox","production"],"quotas":[{"cluster":"sandbox","hard":{"limits.cpu":"1","limits.memory":"8Gi"}}]}})"));
  ASSERT_FALSE(shrink);
  EXPECT_EQ(core::http_status(shrink.error()), 422);
}

TEST_F(ProjectsTest, DeletingAWorkspaceWithProjectsNeedsCascade) {
  ASSERT_TRUE(projects_.create(lead_, "merchant-platform",
                               project("a", "sandbox", R"({"limits.cpu":"1","limits.memory":"1Gi"})")));
  ASSERT_TRUE(members_.add(iam::project_scope("merchant-platform", "a"), Member{.user = "dev", .role = "operator"}));
  auto before = snapshot();
  auto refused = workspaces_.remove("merchant-platform", {});
  ASSERT_FALSE(refused);
  EXPECT_EQ(core::http_status(refused.error()), 412);
  EXPECT_NE(refused.error().message.find("cascade=true"), std::string::npos);
  EXPECT_EQ(snapshot(), before);

  ASSERT_TRUE(workspaces_.remove("merchant-platform", {.cascade = true}));
  for (const auto& line : snapshot()) {
    EXPECT_EQ(line.find("merchant-platform"), std::string::npos) << line;
    EXPECT_NE(line, "ProjectClaim cluster/sandbox a");
  }
  // The name is free again on the cluster.
  EXPECT_TRUE(projects_.create(admin_, "other", project("a", "sandbox", "{}")));
}

TEST_F(ProjectsTest, ListsShowOnlyWhatTheCallerMaySee) {
  ASSERT_TRUE(projects_.create(lead_, "merchant-platform",
                               project("a", "sandbox", R"({"limits.cpu":"1","limits.memory":"1Gi"})")));
  ASSERT_TRUE(projects_.create(lead_, "merchant-platform", project("b", "production", "{}")));
  ASSERT_TRUE(members_.add(iam::project_scope("merchant-platform", "b"), Member{.user = "guest", .role = "viewer"}));
  core::Principal guest{"guest", {}, "token"};
  auto ps = projects_.list(guest, "merchant-platform", core::ListOptions{});
  ASSERT_TRUE(ps);
  ASSERT_EQ(ps->total, 1);
  EXPECT_EQ(ps->items.at(0).name, "b");
  auto ws = workspaces_.list(guest, core::ListOptions{});
  ASSERT_TRUE(ws);
  ASSERT_EQ(ws->total, 1);
  EXPECT_EQ(ws->items.at(0).name, "merchant-platform");
  EXPECT_EQ(projects_.list(lead_, "merchant-platform", core::ListOptions{})->total, 2);
  EXPECT_EQ(workspaces_.list(admin_, core::ListOptions{})->total, 2);
  auto members = members_.list(iam::project_scope("merchant-platform", "nope"));
  ASSERT_FALSE(members);
  EXPECT_EQ(members.error().code, core::ErrorCode::NotFound);
}

TEST_F(ProjectsTest, CustomRolesOnlyInWorkspacesAndProjectsThatExist) {
  ASSERT_TRUE(projects_.create(lead_, "merchant-platform", project("a", "production", "{}")));
  auto role = [](const char* name, const char* level, const char* tmpl) {
    return *core::parse_json(fmt::format(
        R"({{"apiVersion":"iam.atrium.io/v1","kind":"Role","metadata":{{"name":"{}"}},
            "spec":{{"level":"{}","templates":["{}"]}}}})",
        name, level, tmpl));
  };
  auto before = snapshot();
  struct Case {
    core::Scope scope;
    const char* level;
    const char* tmpl;
    const char* needle;
  };
  const Case missing[] = {
      {iam::workspace_scope("ghost"), "workspace", "workspace-read", "workspace \"ghost\" not found"},
      {iam::project_scope("ghost", "a"), "project", "kube-read", "workspace \"ghost\" not found"},
      {iam::project_scope("merchant-platform", "ghost"), "project", "kube-read", "project \"ghost\" not found"},
      // A project of that name exists, but in another workspace.
      {iam::project_scope("other", "a"), "project", "kube-read", "project \"a\" not found in workspace other"},
  };
  for (const auto& c : missing) {
    auto r = roles_.create(c.scope, role("reader", c.level, c.tmpl));
    ASSERT_FALSE(r) << iam::describe_scope(c.scope);
    EXPECT_EQ(r.error().code, core::ErrorCode::NotFound) << r.error().message;
    EXPECT_NE(r.error().message.find(c.needle), std::string::npos) << r.error().message;
  }
  EXPECT_EQ(snapshot(), before) << "nothing written for a scope that does not exist";

  // The same roles where the scopes exist, and on the platform (which always does).
  ASSERT_TRUE(roles_.create(iam::workspace_scope("merchant-platform"), role("reader", "workspace", "workspace-read")));
  ASSERT_TRUE(roles_.create(iam::project_scope("merchant-platform", "a"), role("reader", "project", "kube-read")));
  ASSERT_TRUE(roles_.create(iam::platform_scope(), role("auditor2", "platform", "audit-read")));
  EXPECT_TRUE(store_->get("Role", "workspace/merchant-platform", "reader"));
  EXPECT_TRUE(store_->get("Role", "project/merchant-platform/a", "reader"));

  // After the workspace is gone (with its roles), its name takes no new role until it is created again.
  ASSERT_TRUE(workspaces_.remove("merchant-platform", {.cascade = true}));
  EXPECT_FALSE(store_->get("Role", "workspace/merchant-platform", "reader"));
  auto gone = roles_.create(iam::workspace_scope("merchant-platform"), role("reader", "workspace", "workspace-read"));
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().code, core::ErrorCode::NotFound);
}

}  // namespace
}  // namespace atrium::tenancy
