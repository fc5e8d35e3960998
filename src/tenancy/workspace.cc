#include "tenancy/workspace.h"

namespace atrium::tenancy {

const schema::Struct<WorkspaceQuota>& WorkspaceQuota::schema() {
  static const auto s =
      schema::Struct<WorkspaceQuota>("WorkspaceQuota")
          .field("cluster", &WorkspaceQuota::cluster, {.required = true, .format = schema::Format::Dns1123Label})
          .field("hard", &WorkspaceQuota::hard,
                 {.description = "Resource name → quantity, e.g. {\"limits.cpu\": \"8\"}.", .max_items = 64});
  return s;
}

const schema::Struct<WorkspaceSpec>& WorkspaceSpec::schema() {
  static const auto s =
      schema::Struct<WorkspaceSpec>("WorkspaceSpec")
          .field("displayName", &WorkspaceSpec::display_name,
                 {.description = "Human-readable name shown in the console.", .max_length = 128})
          .field("description", &WorkspaceSpec::description, {.max_length = 1024})
          .field("manager", &WorkspaceSpec::manager,
                 {.description = "User name of the workspace's first admin.", .max_length = 253})
          .field("clusters", &WorkspaceSpec::clusters,
                 {.description = "Clusters this workspace's projects may use.",
                  .format = schema::Format::Dns1123Label,
                  .max_items = 64})
          .field("quotas", &WorkspaceSpec::quotas,
                 {.description = "Per cluster: the most its projects there may reserve together.", .max_items = 64});
  return s;
}

const schema::ResourceType& workspace_type() {
  static const schema::ResourceType t(
      schema::ResourceInfo{.group = "tenant.atrium.io",
                           .version = "v1",
                           .kind = "Workspace",
                           .plural = "workspaces",
                           .scope = schema::ResourceScope::Platform,
                           .description = "A tenant: projects, members and the clusters they may use."},
      WorkspaceSpec::schema(), nullptr);
  return t;
}

}  // namespace atrium::tenancy

namespace atrium::tenancy {

core::Result<WorkspaceSpec> workspace_spec_of(const std::string& stored_data) {
  auto doc = core::parse_json(stored_data);
  if (!doc || !doc->is_object()) return core::fail(core::ErrorCode::Internal, "stored workspace is corrupt");
  const auto* spec = doc->as_object().if_contains("spec");
  if (!spec) return WorkspaceSpec{};
  auto s = WorkspaceSpec::schema().decode_value(*spec, "workspace");
  if (!s) return core::fail(core::ErrorCode::Internal, "stored workspace is corrupt");
  return s;
}

}  // namespace atrium::tenancy
