// HTTP routes of tenancy, thin adapters over the tenancy services (no logic of their own beyond decoding requests
// and rendering answers):
//   /api/v1/workspaces[/{workspace}]                                       Workspaces (tenant.atrium.io workspaces)
//   /api/v1/workspaces/{workspace}/projects[/{project}]                    Projects (tenant.atrium.io projects)
//   /api/v1/workspaces/{workspace}/members[/{name}]                        Members (iam.atrium.io workspacemembers)
//   /api/v1/workspaces/{workspace}/projects/{project}/members[/{name}]     Members (iam.atrium.io members)
// Workspace and project items use {workspace}/{project} so the front door authorises them in their own scope.
// Lists are filtered by the services to what the caller may see. A member's path id is the user name or
// "group:<name>". Thread-safe after register_routes(); the services must outlive the routes.
#pragma once

#include "api/resource_routes.h"
#include "api/router.h"
#include "tenancy/members.h"
#include "tenancy/projects.h"
#include "tenancy/workspaces.h"

namespace atrium::api {

class TenancyRoutes {
 public:
  TenancyRoutes(tenancy::Workspaces& workspaces, tenancy::Projects& projects, tenancy::Members& members);

  void register_routes(Router& router) const;

 private:
  core::Result<net::HttpResponse> list_workspaces(RouteContext& ctx) const;
  core::Result<net::HttpResponse> create_workspace(RouteContext& ctx) const;
  core::Result<net::HttpResponse> get_workspace(RouteContext& ctx) const;
  core::Result<net::HttpResponse> update_workspace(RouteContext& ctx) const;
  core::Result<net::HttpResponse> patch_workspace(RouteContext& ctx) const;
  core::Result<net::HttpResponse> delete_workspace(RouteContext& ctx) const;

  core::Result<net::HttpResponse> list_projects(RouteContext& ctx) const;
  core::Result<net::HttpResponse> create_project(RouteContext& ctx) const;
  core::Result<net::HttpResponse> get_project(RouteContext& ctx) const;
  core::Result<net::HttpResponse> update_project(RouteContext& ctx) const;
  core::Result<net::HttpResponse> patch_project(RouteContext& ctx) const;
  core::Result<net::HttpResponse> delete_project(RouteContext& ctx) const;

  // Members of the scope named by the path: a workspace, or a project when {project} is present.
  core::Result<net::HttpResponse> list_members(RouteContext& ctx) const;
  core::Result<net::HttpResponse> add_member(RouteContext& ctx) const;
  core::Result<net::HttpResponse> get_member(RouteContext& ctx) const;
  core::Result<net::HttpResponse> update_member(RouteContext& ctx) const;
  core::Result<net::HttpResponse> remove_member(RouteContext& ctx) const;

  tenancy::Workspaces& workspaces_;
  tenancy::Projects& projects_;
  tenancy::Members& members_;
  mutable RenderedListCache rendered_;

  net::HttpResponse shared_list_response(const std::shared_ptr<const storage::ListResult>& list) const;
};

}  // namespace atrium::api
