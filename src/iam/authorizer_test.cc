#include "iam/authorizer.h"

#include <gtest/gtest.h>

#include "core/testing/fake_clock.h"
#include "iam/role_bindings.h"
#include "iam/roles.h"
#include "iam/store_objects.h"
#include "iam/testing/temp_store.h"

namespace atrium::iam {
namespace {

using namespace std::chrono_literals;

class AuthorizerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.ok());
    ASSERT_TRUE(register_templates(templates_));
    authz_ = std::make_unique<RbacAuthorizer>(*store_, templates_, clock_, AuthorizerOptions{200ms});
    roles_ = std::make_unique<Roles>(*store_, templates_, clock_, [this] { (void)authz_->refresh(); });
    bindings_ = std::make_unique<RoleBindings>(*store_, *roles_, clock_, [this] { (void)authz_->refresh(); });
  }
  core::Decision ask(const std::string& user, std::vector<std::string> groups, std::string verb, std::string group,
                     std::string resource, core::Scope scope, std::string sub = {}) {
    return authz_->authorize(core::Principal{user, std::move(groups), "token"},
                             core::AccessRequest{std::move(verb), std::move(group), std::move(resource), std::move(sub),
                                                 "", std::move(scope)});
  }

  testing::TempStore store_;
  core::FakeClock clock_;
  TemplateRegistry templates_;
  std::unique_ptr<RbacAuthorizer> authz_;
  std::unique_ptr<Roles> roles_;
  std::unique_ptr<RoleBindings> bindings_;
};

TEST_F(AuthorizerTest, DenialNamesTheMissingPermission) {
  auto d = ask("dev", {}, "create", "tenant.atrium.io", "projects", workspace_scope("merchant-platform"));
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.reason, "create projects in workspace merchant-platform");
}

TEST_F(AuthorizerTest, OwnWritesApplyAtOnceOthersAfterTheRefreshInterval) {
  auto pods = [&] { return ask("dev", {}, "get", "", "pods", project_scope("ws", "p")).allowed; };
  EXPECT_FALSE(pods());
  ASSERT_TRUE(bindings_->add_member(project_scope("ws", "p"), Member{.user = "dev", .role = "viewer"}));
  EXPECT_TRUE(pods());  // written through the service: refreshed at once

  // Another replica removes the binding directly in the store: seen only after the interval.
  ASSERT_TRUE(store_->remove(std::string(kRoleBindingKind), "project/ws/p", "user-dev", 0));
  clock_.advance(100ms);
  EXPECT_TRUE(pods());
  clock_.advance(150ms);
  EXPECT_FALSE(pods());
}

TEST_F(AuthorizerTest, GroupBindingsApply) {
  ASSERT_TRUE(bindings_->add_member(workspace_scope("ws"), Member{.group = "devs", .role = "viewer"}));
  EXPECT_TRUE(ask("ann", {"devs"}, "list", "", "pods", project_scope("ws", "p")).allowed);
  EXPECT_FALSE(ask("ann", {"ops"}, "list", "", "pods", project_scope("ws", "p")).allowed);
  EXPECT_FALSE(ask("ann", {"devs"}, "list", "", "pods", project_scope("other", "p")).allowed);
}

TEST_F(AuthorizerTest, ClusterBindingsReachProjectNamespacesOnThatClusterOnly) {
  ASSERT_TRUE(store_->create(project_claim_object("sandbox", "ws", "p-sandbox", clock_)));
  ASSERT_TRUE(store_->create(project_claim_object("production", "ws", "p-prod", clock_)));
  ASSERT_TRUE(bindings_->add_member(cluster_scope("sandbox"), Member{.user = "ops", .role = "cluster-admin"}));
  EXPECT_TRUE(ask("ops", {}, "delete", "", "pods", project_scope("ws", "p-sandbox")).allowed);
  EXPECT_FALSE(ask("ops", {}, "delete", "", "pods", project_scope("ws", "p-prod")).allowed);
  EXPECT_TRUE(ask("ops", {}, "list", "", "nodes", cluster_scope("sandbox")).allowed);
  EXPECT_FALSE(ask("ops", {}, "list", "", "nodes", cluster_scope("production")).allowed);
  EXPECT_FALSE(ask("ops", {}, "delete", "tenant.atrium.io", "projects", project_scope("ws", "p-sandbox")).allowed);
}

TEST_F(AuthorizerTest, CustomRolesFromTemplates) {
  auto body = core::parse_json(R"({"apiVersion":"iam.atrium.io/v1","kind":"Role","metadata":{"name":"log-reader"},
      "spec":{"level":"project","templates":["kube-read"]}})");
  ASSERT_TRUE(body);
  ASSERT_TRUE(roles_->create(project_scope("ws", "p"), *body));
  ASSERT_TRUE(bindings_->add_member(project_scope("ws", "p"), Member{.user = "eve", .role = "log-reader"}));
  EXPECT_TRUE(ask("eve", {}, "get", "", "pods", project_scope("ws", "p"), "log").allowed);
  EXPECT_FALSE(ask("eve", {}, "create", "", "pods", project_scope("ws", "p")).allowed);
  // The role exists only in its project.
  EXPECT_FALSE(bindings_->add_member(project_scope("ws", "q"), Member{.user = "eve", .role = "log-reader"}));
  // A bound role cannot be deleted; an unbound one can.
  auto del = roles_->remove(project_scope("ws", "p"), "log-reader");
  ASSERT_FALSE(del);
  EXPECT_EQ(del.error().code, core::ErrorCode::FailedPrecondition);
  ASSERT_TRUE(bindings_->remove_member(project_scope("ws", "p"), "eve"));
  EXPECT_TRUE(roles_->remove(project_scope("ws", "p"), "log-reader"));
}

TEST_F(AuthorizerTest, MembershipMakesTheWorkspaceVisibleButNothingElse) {
  ASSERT_TRUE(bindings_->add_member(project_scope("ws", "p"), Member{.user = "pat", .role = "viewer"}));
  EXPECT_TRUE(ask("pat", {}, "get", "tenant.atrium.io", "workspaces", workspace_scope("ws")).allowed);
  EXPECT_TRUE(ask("pat", {}, "list", "tenant.atrium.io", "projects", workspace_scope("ws")).allowed);
  EXPECT_FALSE(ask("pat", {}, "list", "iam.atrium.io", "workspacemembers", workspace_scope("ws")).allowed);
  EXPECT_FALSE(ask("pat", {}, "get", "tenant.atrium.io", "workspaces", workspace_scope("other")).allowed);
  EXPECT_FALSE(ask("pat", {}, "get", "tenant.atrium.io", "projects", project_scope("ws", "q")).allowed);
  EXPECT_FALSE(ask("", {}, "list", "tenant.atrium.io", "workspaces", platform_scope()).allowed);
}

}  // namespace
}  // namespace atrium::iam
