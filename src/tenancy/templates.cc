#include "tenancy/templates.h"

namespace atrium::tenancy {

core::Status register_templates(iam::TemplateRegistry& r) {
  using iam::Level;
  using iam::PolicyRule;
  const std::vector<std::string> tenant = {std::string(iam::kTenantGroup)};
  const std::vector<std::string> read = {"get", "list", "watch"};
  std::vector<iam::PermissionTemplate> ts = {
      {"workspaces-create",
       Level::Platform,
       "Create workspaces.",
       {PolicyRule{tenant, {"workspaces"}, {"create"}, {}}}},
      {"tenancy-read-all", Level::Platform, "Read every workspace and project.", {PolicyRule{tenant, {"*"}, read, {}}}},
      {"workspace-read",
       Level::Workspace,
       "Read the workspace's settings.",
       {PolicyRule{tenant, {"workspaces"}, {"get"}, {}}}},
      // Workspace quotas and clusters (workspaces/quotas) stay with the platform.
      {"workspace-manage",
       Level::Workspace,
       "Change and delete the workspace (not its clusters and quotas).",
       {PolicyRule{tenant, {"workspaces"}, {"get", "update", "patch", "delete"}, {}}}},
      {"projects-create", Level::Workspace, "Create projects.", {PolicyRule{tenant, {"projects"}, {"create"}, {}}}},
      {"projects-manage",
       Level::Workspace,
       "Create, change (including quotas) and delete projects.",
       {PolicyRule{tenant, {"projects", "projects/quota"}, {"*"}, {}}}},
      {"projects-read", Level::Project, "Read projects.", {PolicyRule{tenant, {"projects"}, read, {}}}},
      {"project-manage",
       Level::Project,
       "Change the project's settings (not its quota).",
       {PolicyRule{tenant, {"projects"}, {"get", "list", "watch", "update", "patch"}, {}}}},
  };
  for (auto& t : ts) {
    if (auto s = r.add(std::move(t)); !s) return s;
  }
  return {};
}

}  // namespace atrium::tenancy
