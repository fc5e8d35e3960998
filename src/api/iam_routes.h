// HTTP routes of iam roles, thin adapters over iam::Roles: the roles offered at a scope, built-in (read-only) and
// custom, with create, replace and delete of custom roles:
//   /api/v1/roles[/{name}]                                             platform and cluster roles
//   /api/v1/workspaces/{workspace}/roles[/{name}]                      workspace roles (iam.atrium.io workspaceroles)
//   /api/v1/workspaces/{workspace}/projects/{project}/roles[/{name}]   project roles (iam.atrium.io roles)
// Members (role bindings) of workspaces and projects are served by TenancyRoutes, which checks the scope exists.
// Thread-safe after register_routes(); `roles` must outlive the routes.
#pragma once

#include "api/router.h"
#include "iam/roles.h"
#include "iam/templates.h"

namespace atrium::api {

// GET /api/v1/templates: every permission template roles can aggregate, with its level and rules, for any signed-in
// user (the catalogue of what can be granted, not tenant data). List conventions: `name` filters by substring.
void register_template_routes(Router& router, const iam::TemplateRegistry& templates);

class IamRoutes {
 public:
  explicit IamRoutes(iam::Roles& roles);

  void register_routes(Router& router) const;

 private:
  core::Result<net::HttpResponse> list_roles(RouteContext& ctx) const;
  core::Result<net::HttpResponse> create_role(RouteContext& ctx) const;
  core::Result<net::HttpResponse> replace_role(RouteContext& ctx) const;
  core::Result<net::HttpResponse> get_role(RouteContext& ctx) const;
  core::Result<net::HttpResponse> delete_role(RouteContext& ctx) const;

  iam::Roles& roles_;
};

}  // namespace atrium::api
