// Workspaces: the tenant unit of Atrium. A workspace groups projects and members and names the clusters
// its projects may use, with a quota per cluster. This file holds the API type; services are in workspaces.h.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "schema/resource.h"

namespace atrium::tenancy {

inline constexpr std::string_view kWorkspaceKind = "Workspace";

// The most a workspace's projects on one cluster may reserve together: resource name → quantity ("8Gi").
struct WorkspaceQuota {
  std::string cluster;
  schema::StringMap hard;

  static const schema::Struct<WorkspaceQuota>& schema();
};

struct WorkspaceSpec {
  std::string display_name;
  std::string description;
  std::string manager;                 // user name of the workspace's first admin
  std::vector<std::string> clusters;   // clusters the workspace's projects may use
  std::vector<WorkspaceQuota> quotas;  // per cluster; a cluster without an entry is not limited

  static const schema::Struct<WorkspaceSpec>& schema();
};

// The Workspace kind: tenant.atrium.io/v1, platform scope, served at /api/v1/workspaces.
const schema::ResourceType& workspace_type();

}  // namespace atrium::tenancy

namespace atrium::tenancy {

// The spec of a stored Workspace; Internal when the document is corrupt.
core::Result<WorkspaceSpec> workspace_spec_of(const std::string& stored_data);

}  // namespace atrium::tenancy
