#include "iam/role_bindings.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "core/testing/fake_clock.h"
#include "iam/store_objects.h"
#include "iam/testing/temp_store.h"

namespace atrium::iam {
namespace {

class RoleBindingsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.ok());
    ASSERT_TRUE(register_templates(templates_));
    roles_ = std::make_unique<Roles>(*store_, templates_, clock_);
    bindings_ = std::make_unique<RoleBindings>(*store_, *roles_, clock_);
  }
  std::size_t binding_count() {
    auto all = list_all(*store_, std::string(kRoleBindingKind), "", storage::Store::ScopeMatch::All);
    return all ? all->size() : 999;
  }

  testing::TempStore store_;
  core::FakeClock clock_;
  TemplateRegistry templates_;
  std::unique_ptr<Roles> roles_;
  std::unique_ptr<RoleBindings> bindings_;
};

TEST_F(RoleBindingsTest, RoleOfTheWrongLevelIsRefused) {
  auto r = bindings_->add_member(workspace_scope("ws"), Member{.user = "ann", .role = "cluster-admin"});
  ASSERT_FALSE(r);
  EXPECT_EQ(core::http_status(r.error()), 422);
  EXPECT_NE(r.error().message.find("cluster role"), std::string::npos) << r.error().message;
  ASSERT_EQ(r.error().causes.size(), 1u);
  EXPECT_EQ(r.error().causes[0].field, "role");
  auto p = bindings_->add_member(platform_scope(), Member{.user = "ann", .role = "operator"});
  ASSERT_FALSE(p);
  EXPECT_EQ(binding_count(), 0u);
}

TEST_F(RoleBindingsTest, UnknownRoleAndBadMembersAreRefused) {
  for (const auto& m : {Member{.user = "ann", .role = "superuser"}, Member{.user = "ann", .role = ""},
                        Member{.role = "viewer"}, Member{.user = "a", .group = "b", .role = "viewer"},
                        Member{.user = "a/b", .role = "viewer"}, Member{.user = "group:x", .role = "viewer"}}) {
    auto r = bindings_->add_member(project_scope("ws", "p"), m);
    ASSERT_FALSE(r) << m.user << "/" << m.group << "/" << m.role;
    EXPECT_EQ(r.error().code, core::ErrorCode::InvalidArgument);
  }
  EXPECT_EQ(binding_count(), 0u);
}

TEST_F(RoleBindingsTest, MembersAreViewsOverBindings) {
  auto scope = project_scope("ws", "p");
  ASSERT_TRUE(bindings_->add_member(scope, Member{.user = "ann", .role = "operator"}));
  ASSERT_TRUE(bindings_->add_member(scope, Member{.group = "devs", .role = "viewer"}));
  auto dup = bindings_->add_member(scope, Member{.user = "ann", .role = "viewer"});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, core::ErrorCode::AlreadyExists);
  ASSERT_TRUE(bindings_->change_member_role(scope, "group:devs", "admin"));
  auto members = bindings_->list_members(scope);
  ASSERT_TRUE(members);
  ASSERT_EQ(members->size(), 2u);
  EXPECT_EQ(members->at(0).group, "devs");
  EXPECT_EQ(members->at(0).role, "admin");
  EXPECT_EQ(members->at(1).user, "ann");
  EXPECT_EQ(members->at(1).role, "operator");
  ASSERT_TRUE(bindings_->remove_member(scope, "ann"));
  EXPECT_FALSE(bindings_->get_member(scope, "ann"));
  EXPECT_EQ(bindings_->remove_member(scope, "ann").error().code, core::ErrorCode::NotFound);
}

TEST_F(RoleBindingsTest, TheLastPlatformAdminStays) {
  ASSERT_TRUE(bindings_->add_member(platform_scope(), Member{.user = "admin", .role = "platform-admin"}));
  ASSERT_TRUE(bindings_->add_member(platform_scope(), Member{.group = "ops", .role = "platform-admin"}));
  auto before = binding_count();

  auto demote = bindings_->change_member_role(platform_scope(), "admin", "platform-regular");
  ASSERT_FALSE(demote);
  EXPECT_EQ(demote.error().code, core::ErrorCode::FailedPrecondition);
  EXPECT_NE(demote.error().message.find("last platform-admin"), std::string::npos);
  EXPECT_FALSE(bindings_->remove_member(platform_scope(), "admin"));
  EXPECT_FALSE(bindings_->check_not_last_platform_admin("admin"));
  EXPECT_TRUE(bindings_->check_not_last_platform_admin("someone-else"));
  EXPECT_EQ(binding_count(), before);
  EXPECT_EQ(bindings_->get_member(platform_scope(), "admin")->role, "platform-admin");

  ASSERT_TRUE(bindings_->add_member(platform_scope(), Member{.user = "second", .role = "platform-admin"}));
  EXPECT_TRUE(bindings_->check_not_last_platform_admin("admin"));
  ASSERT_TRUE(bindings_->remove_member(platform_scope(), "admin"));
  EXPECT_FALSE(bindings_->remove_member(platform_scope(), "second"));
}

TEST_F(RoleBindingsTest, CustomRoleValidation) {
  auto make = [](const char* text) { return *core::parse_json(text); };
  auto bad_template = roles_->create(
      workspace_scope("ws"), make(R"({"metadata":{"name":"r1"},"spec":{"level":"workspace","templates":["nope"]}})"));
  ASSERT_FALSE(bad_template);
  EXPECT_EQ(core::http_status(bad_template.error()), 422);
  auto wrong_level =
      roles_->create(workspace_scope("ws"),
                     make(R"({"metadata":{"name":"r2"},"spec":{"level":"project","templates":["kube-read"]}})"));
  ASSERT_FALSE(wrong_level);
  auto too_wide = roles_->create(
      project_scope("ws", "p"),
      make(R"({"metadata":{"name":"r3"},"spec":{"level":"project","templates":["workspaces-create"]}})"));
  ASSERT_FALSE(too_wide);
  auto builtin_name =
      roles_->create(project_scope("ws", "p"),
                     make(R"({"metadata":{"name":"admin"},"spec":{"level":"project","templates":["kube-read"]}})"));
  ASSERT_FALSE(builtin_name);
  auto roles = list_all(*store_, std::string(kRoleKind), "", storage::Store::ScopeMatch::All);
  ASSERT_TRUE(roles);
  EXPECT_TRUE(roles->empty());
  EXPECT_EQ(roles_->remove(project_scope("ws", "p"), "admin").error().code, core::ErrorCode::FailedPrecondition);
  auto listed = roles_->list(workspace_scope("ws"));
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->size(), 4u);  // admin, self-provisioner, regular, viewer
}

TEST_F(RoleBindingsTest, ACustomRoleIsReplacedInPlaceAndItsMembersFollow) {
  auto make = [](const std::string& text) { return *core::parse_json(text); };
  const auto scope = project_scope("ws", "p");
  ASSERT_TRUE(roles_->create(
      scope, make(R"({"metadata":{"name":"readers"},"spec":{"level":"project","templates":["members-read"]}})")));
  ASSERT_TRUE(bindings_->add_member(scope, Member{.user = "ann", .role = "readers"}));
  auto before = roles_->get(scope, "readers");
  ASSERT_TRUE(before);
  auto replaced =
      roles_->replace(scope, "readers",
                      make(R"({"metadata":{"name":"readers"},"spec":{"level":"project","description":"now more",)"
                           R"("templates":["members-read","kube-read"]}})"));
  ASSERT_TRUE(replaced) << replaced.error().message;
  EXPECT_GT(replaced->resource_version, before->resource_version);
  auto resolved = roles_->resolve(scope, "readers");
  ASSERT_TRUE(resolved);
  EXPECT_NE(replaced->data.find("kube-read"), std::string::npos);
  EXPECT_NE(replaced->data.find(R"("uid")"), std::string::npos) << "uid kept";

  // Refused: a stale resourceVersion, another name or level, a bad template, built-ins, unknown roles.
  auto stale = roles_->replace(
      scope, "readers",
      make(fmt::format(R"({{"metadata":{{"name":"readers","resourceVersion":"{}"}},"spec":{{"level":"project",)"
                       R"("templates":["kube-read"]}}}})",
                       before->resource_version)));
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, core::ErrorCode::Conflict);
  auto renamed = roles_->replace(
      scope, "readers", make(R"({"metadata":{"name":"other"},"spec":{"level":"project","templates":["kube-read"]}})"));
  ASSERT_FALSE(renamed);
  EXPECT_EQ(renamed.error().causes.at(0).field, "metadata.name");
  auto relevelled = roles_->replace(
      workspace_scope("ws"), "readers",
      make(R"({"metadata":{"name":"readers"},"spec":{"level":"workspace","templates":["workspace-read"]}})"));
  EXPECT_FALSE(relevelled);
  auto bad = roles_->replace(
      scope, "readers", make(R"({"metadata":{"name":"readers"},"spec":{"level":"project","templates":["nope"]}})"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(core::http_status(bad.error()), 422);
  EXPECT_EQ(roles_
                ->replace(scope, "admin",
                          make(R"({"metadata":{"name":"admin"},"spec":{"level":"project","templates":["kube-read"]}})"))
                .error()
                .code,
            core::ErrorCode::FailedPrecondition);
  EXPECT_EQ(roles_
                ->replace(scope, "ghost",
                          make(R"({"metadata":{"name":"ghost"},"spec":{"level":"project","templates":["kube-read"]}})"))
                .error()
                .code,
            core::ErrorCode::NotFound);
}

}  // namespace
}  // namespace atrium::iam
