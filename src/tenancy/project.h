// Projects: a workspace's namespaces. A project lives in one of its workspace's clusters; its name is the
// namespace name, unique per cluster across workspaces. This file holds the API type; services are in projects.h.
#pragma once

#include <string>

#include "schema/resource.h"

namespace atrium::tenancy {

struct ProjectQuota {
  schema::StringMap hard;  // resource name → quantity ("limits.cpu": "4", "requests.memory": "8Gi")

  static const schema::Struct<ProjectQuota>& schema();
};

struct ProjectSpec {
  std::string cluster;
  std::string display_name;
  std::string description;
  ProjectQuota quota;

  static const schema::Struct<ProjectSpec>& schema();
};

// The Project kind: tenant.atrium.io/v1, workspace scope, served at /api/v1/workspaces/{workspace}/projects.
const schema::ResourceType& project_type();

}  // namespace atrium::tenancy
