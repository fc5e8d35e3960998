// Workspaces: the tenant unit of Atrium. A workspace groups projects and members and names the clusters
// its projects may use. This file holds the API type; [iam] adds members, roles and quotas.
#pragma once

#include <string>
#include <vector>

#include "schema/resource.h"

namespace atrium::tenancy {

struct WorkspaceSpec {
  std::string display_name;
  std::string description;
  std::string manager;                // user name of the workspace's first admin
  std::vector<std::string> clusters;  // clusters the workspace's projects may use

  static const schema::Struct<WorkspaceSpec>& schema();
};

// The Workspace kind: tenant.atrium.io/v1, platform scope, served at /api/v1/workspaces.
const schema::ResourceType& workspace_type();

}  // namespace atrium::tenancy
