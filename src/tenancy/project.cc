#include "tenancy/project.h"

namespace atrium::tenancy {

const schema::Struct<ProjectQuota>& ProjectQuota::schema() {
  static const auto s =
      schema::Struct<ProjectQuota>("ProjectQuota")
          .field("hard", &ProjectQuota::hard,
                 {.description = "Resource name → quantity, e.g. {\"limits.memory\": \"8Gi\"}.", .max_items = 64});
  return s;
}

const schema::Struct<ProjectSpec>& ProjectSpec::schema() {
  static const auto s = schema::Struct<ProjectSpec>("ProjectSpec")
                            .field("cluster", &ProjectSpec::cluster,
                                   {.required = true,
                                    .description = "One of the workspace's clusters; cannot change.",
                                    .format = schema::Format::Dns1123Label})
                            .field("displayName", &ProjectSpec::display_name, {.max_length = 128})
                            .field("description", &ProjectSpec::description, {.max_length = 1024})
                            .field("quota", &ProjectSpec::quota);
  return s;
}

const schema::ResourceType& project_type() {
  static const schema::ResourceType t(
      schema::ResourceInfo{.group = "tenant.atrium.io",
                           .version = "v1",
                           .kind = "Project",
                           .plural = "projects",
                           .scope = schema::ResourceScope::Workspace,
                           .description = "A namespace of a workspace on one of its clusters."},
      ProjectSpec::schema(), nullptr);
  return t;
}

}  // namespace atrium::tenancy
