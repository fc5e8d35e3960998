#include "tenancy/workspace.h"

namespace atrium::tenancy {

const schema::Struct<WorkspaceSpec>& WorkspaceSpec::schema() {
  static const auto s = schema::Struct<WorkspaceSpec>("WorkspaceSpec")
                            .field("displayName", &WorkspaceSpec::display_name,
                                   {.description = "Human-readable name shown in the console.", .max_length = 128})
                            .field("description", &WorkspaceSpec::description, {.max_length = 1024})
                            .field("manager", &WorkspaceSpec::manager,
                                   {.description = "User name of the workspace's first admin.", .max_length = 253})
                            .field("clusters", &WorkspaceSpec::clusters,
                                   {.description = "Clusters this workspace's projects may use.",
                                    .format = schema::Format::Dns1123Label,
                                    .max_items = 64});
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
