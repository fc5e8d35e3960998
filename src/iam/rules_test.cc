#include "iam/rules.h"

#include <gtest/gtest.h>

#include "iam/roles.h"
#include "iam/scope_key.h"
#include "iam/templates.h"

namespace atrium::iam {
namespace {

core::AccessRequest req(std::string verb, std::string group, std::string resource, std::string sub = {},
                        std::string name = {}) {
  return core::AccessRequest{std::move(verb), std::move(group), std::move(resource),
                             std::move(sub),  std::move(name),  {}};
}

TEST(RulesTest, MatchesLikeKubernetes) {
  PolicyRule pods{{""}, {"pods", "pods/log"}, {"get", "list"}, {}};
  EXPECT_TRUE(rule_allows(pods, req("get", "", "pods")));
  EXPECT_TRUE(rule_allows(pods, req("get", "", "pods", "log")));
  EXPECT_FALSE(rule_allows(pods, req("get", "", "pods", "exec")));
  EXPECT_FALSE(rule_allows(pods, req("delete", "", "pods")));
  EXPECT_FALSE(rule_allows(pods, req("get", "apps", "pods")));
  EXPECT_FALSE(rule_allows(pods, req("get", "", "secrets")));

  PolicyRule all{{"*"}, {"*"}, {"*"}, {}};
  EXPECT_TRUE(rule_allows(all, req("escalate", "x.io", "things", "sub")));

  PolicyRule scale{{"apps"}, {"*/scale"}, {"update"}, {}};
  EXPECT_TRUE(rule_allows(scale, req("update", "apps", "deployments", "scale")));
  EXPECT_FALSE(rule_allows(scale, req("update", "apps", "deployments")));

  PolicyRule named{{""}, {"configmaps"}, {"get"}, {"settings"}};
  EXPECT_TRUE(rule_allows(named, req("get", "", "configmaps", "", "settings")));
  EXPECT_FALSE(rule_allows(named, req("get", "", "configmaps", "", "other")));
  EXPECT_FALSE(rule_allows(named, req("get", "", "configmaps")));
}

TEST(RulesTest, SecretValuesAreSeparateFromKeys) {
  TemplateRegistry r;
  ASSERT_TRUE(register_templates(r));
  const auto* read = r.find("kube-read");
  ASSERT_NE(read, nullptr);
  auto allows = [&](const core::AccessRequest& a) {
    for (const auto& rule : read->rules) {
      if (rule_allows(rule, a)) return true;
    }
    return false;
  };
  EXPECT_TRUE(allows(req("get", "", "secrets", "keys")));
  EXPECT_FALSE(allows(req("get", "", "secrets")));
  EXPECT_FALSE(allows(req("list", "", "secrets")));
  EXPECT_TRUE(allows(req("list", "apps", "deployments")));
}

TEST(RulesTest, RegistryRefusesDuplicatesAndEmptyTemplates) {
  TemplateRegistry r;
  ASSERT_TRUE(register_templates(r));
  auto again = register_templates(r);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, core::ErrorCode::AlreadyExists);
  EXPECT_FALSE(r.add(PermissionTemplate{"empty", Level::Project, "", {}}));
}

TEST(RulesTest, TemplateLevels) {
  EXPECT_TRUE(template_allowed_in(Level::Project, Level::Workspace));
  EXPECT_TRUE(template_allowed_in(Level::Cluster, Level::Platform));
  EXPECT_FALSE(template_allowed_in(Level::Workspace, Level::Project));
  EXPECT_FALSE(template_allowed_in(Level::Platform, Level::Workspace));
  EXPECT_FALSE(template_allowed_in(Level::Workspace, Level::Cluster));
}

TEST(ScopeKeyTest, RoundTripsAndRefusesMalformedKeys) {
  for (const auto& s : {platform_scope(), cluster_scope("sandbox"), workspace_scope("merchant-platform"),
                        project_scope("merchant-platform", "merchant-prod")}) {
    auto back = parse_scope_key(scope_key(s));
    ASSERT_TRUE(back) << scope_key(s);
    EXPECT_EQ(scope_key(*back), scope_key(s));
    EXPECT_EQ(back->level, s.level);
  }
  for (const char* bad :
       {"cluster/", "workspace/a/b", "project/a", "project/a/", "project//b", "project/a/b/c", "tenant/x", "/"}) {
    EXPECT_FALSE(parse_scope_key(bad)) << bad;
  }
  EXPECT_EQ(describe_scope(workspace_scope("merchant-platform")), "in workspace merchant-platform");
}

TEST(RolesTest, BuiltinRolesUseOnlyTemplatesOfTheirLevel) {
  TemplateRegistry r;
  ASSERT_TRUE(register_templates(r));
  for (const auto& role : builtin_roles()) {
    for (const auto& t : role.templates) {
      if (const auto* pt = r.find(t)) {
        EXPECT_TRUE(template_allowed_in(pt->level, role.level)) << role.name << " holds " << t;
      }
    }
  }
  EXPECT_NE(find_builtin_role(Level::Project, "operator"), nullptr);
  EXPECT_EQ(find_builtin_role(Level::Workspace, "operator"), nullptr);
}

}  // namespace
}  // namespace atrium::iam
