#include "api/tenancy_routes.h"

#include <algorithm>

#include <fmt/format.h>

#include "api/request_body.h"
#include "api/resource_routes.h"
#include "api/responses.h"
#include "iam/scope_key.h"
#include "iam/templates.h"

namespace atrium::api {
namespace {

// The merge patch of the request applied to a stored document. A metadata.resourceVersion in the patch stays in
// the result, so the service refuses a change based on a stale version; the stored document never carries one.
core::Result<json::value> patched(const net::HttpRequest& req, const storage::StoredObject& current) {
  auto patch = parse_json_body(req);
  if (!patch) return patch;
  if (!patch->is_object()) return core::fail(core::ErrorCode::InvalidArgument, "a merge patch must be a JSON object");
  auto cur = core::parse_json(current.data);
  if (!cur) return core::fail(core::ErrorCode::Internal, "stored document is corrupt");
  return merge_patch(*cur, *patch);
}

// ?cascade=true|false (absent: false).
core::Result<bool> cascade_of(const net::HttpRequest& req) {
  auto v = req.query_param("cascade");
  if (!v || v->empty() || *v == "false") return false;
  if (*v == "true") return true;
  return core::fail(core::ErrorCode::InvalidArgument,
                    fmt::format("cascade=\"{}\" is not true or false", v->substr(0, 40)));
}

// ?adopt=true|false on project create (absent: false): whether an existing namespace may become the project's.
core::Result<tenancy::ProjectCreateOptions> create_options_of(const net::HttpRequest& req) {
  auto v = req.query_param("adopt");
  if (!v || v->empty() || *v == "false") return tenancy::ProjectCreateOptions{};
  if (*v == "true") return tenancy::ProjectCreateOptions{.adoption = tenancy::NamespaceAdoption::Adopt};
  return core::fail(core::ErrorCode::InvalidArgument,
                    fmt::format("adopt=\"{}\" is not true or false", v->substr(0, 40)));
}

// ?confirm=<project name> on project delete also deletes the namespace; absent, the namespace is kept (released).
core::Result<tenancy::ProjectDeleteOptions> delete_options_of(const net::HttpRequest& req, const std::string& name) {
  auto v = req.query_param("confirm");
  if (!v) return tenancy::ProjectDeleteOptions{};
  if (*v == name) return tenancy::ProjectDeleteOptions{.namespace_disposal = tenancy::NamespaceDisposal::Delete};
  return core::fail(
      core::Error(core::ErrorCode::InvalidArgument,
                  fmt::format("confirm=\"{}\" does not name the project; to delete namespace {} too, pass confirm={}",
                              v->substr(0, 63), name, name),
                  {core::Cause{"confirm", "must be the project's name"}}));
}

// The scope of a members route: the project, workspace or cluster the path names, else the platform.
core::Scope member_scope(const RouteContext& ctx) {
  if (ctx.params.contains("project")) return iam::project_scope(ctx.param("workspace"), ctx.param("project"));
  if (ctx.params.contains("workspace")) return iam::workspace_scope(ctx.param("workspace"));
  if (ctx.params.contains("cluster")) return iam::cluster_scope(ctx.param("cluster"));
  return iam::platform_scope();
}

json::value member_json(const iam::Member& m) { return iam::Member::schema().encode_value(m); }

core::Result<iam::Member> decode_member(const net::HttpRequest& req) {
  auto body = parse_json_body(req);
  if (!body) return core::fail(body.error());
  return iam::Member::schema().decode_value(*body, "member");
}

}  // namespace

TenancyRoutes::TenancyRoutes(tenancy::Workspaces& workspaces, tenancy::Projects& projects, tenancy::Members& members)
    : workspaces_(workspaces), projects_(projects), members_(members) {}

void TenancyRoutes::register_routes(Router& router) const {
  using Handler = core::Result<net::HttpResponse> (TenancyRoutes::*)(RouteContext&) const;
  struct Entry {
    const char* method;
    std::string pattern;
    Handler handler;
    const char* verb;
    std::string_view group;
    const char* resource;
    const char* summary;
  };
  const std::string workspaces = "/api/v1/workspaces";
  const std::string workspace = workspaces + "/{workspace}";
  const std::string projects = workspace + "/projects";
  const std::string project = projects + "/{project}";
  const std::string_view tenant = iam::kTenantGroup, iam_group = iam::kIamGroup;
  const Entry entries[] = {
      {"GET", workspaces, &TenancyRoutes::list_workspaces, "list", tenant, "workspaces",
       "List the workspaces you may see"},
      {"POST", workspaces, &TenancyRoutes::create_workspace, "create", tenant, "workspaces", "Create a Workspace"},
      {"GET", workspace, &TenancyRoutes::get_workspace, "get", tenant, "workspaces", "Read a Workspace"},
      {"PUT", workspace, &TenancyRoutes::update_workspace, "update", tenant, "workspaces", "Replace a Workspace"},
      {"PATCH", workspace, &TenancyRoutes::patch_workspace, "patch", tenant, "workspaces", "Merge-patch a Workspace"},
      {"DELETE", workspace, &TenancyRoutes::delete_workspace, "delete", tenant, "workspaces",
       "Delete a Workspace (?cascade=true also deletes its projects)"},
      {"GET", projects, &TenancyRoutes::list_projects, "list", tenant, "projects", "List the projects you may see"},
      {"POST", projects, &TenancyRoutes::create_project, "create", tenant, "projects",
       "Create a Project and its namespace (?adopt=true adopts an existing namespace)"},
      {"GET", project, &TenancyRoutes::get_project, "get", tenant, "projects", "Read a Project"},
      {"PUT", project, &TenancyRoutes::update_project, "update", tenant, "projects", "Replace a Project"},
      {"PATCH", project, &TenancyRoutes::patch_project, "patch", tenant, "projects", "Merge-patch a Project"},
      {"DELETE", project, &TenancyRoutes::delete_project, "delete", tenant, "projects",
       "Delete a Project; its namespace is kept unless ?confirm=<project name>"},
      {"GET", "/api/v1/members", &TenancyRoutes::list_members, "list", iam_group, "platformmembers",
       "List the platform's members (platform roles)"},
      {"POST", "/api/v1/members", &TenancyRoutes::add_member, "create", iam_group, "platformmembers",
       "Give a user or group a platform role"},
      {"GET", "/api/v1/members/{name}", &TenancyRoutes::get_member, "get", iam_group, "platformmembers",
       "Read a platform member"},
      {"PUT", "/api/v1/members/{name}", &TenancyRoutes::update_member, "update", iam_group, "platformmembers",
       "Change a platform member's role"},
      {"DELETE", "/api/v1/members/{name}", &TenancyRoutes::remove_member, "delete", iam_group, "platformmembers",
       "Take a platform role away"},
      {"GET", "/api/v1/clusters/{cluster}/members", &TenancyRoutes::list_members, "list", iam_group, "clustermembers",
       "List the members of a cluster (cluster roles)"},
      {"POST", "/api/v1/clusters/{cluster}/members", &TenancyRoutes::add_member, "create", iam_group, "clustermembers",
       "Give a user or group a cluster role"},
      {"GET", "/api/v1/clusters/{cluster}/members/{name}", &TenancyRoutes::get_member, "get", iam_group,
       "clustermembers", "Read a member of a cluster"},
      {"PUT", "/api/v1/clusters/{cluster}/members/{name}", &TenancyRoutes::update_member, "update", iam_group,
       "clustermembers", "Change a cluster member's role"},
      {"DELETE", "/api/v1/clusters/{cluster}/members/{name}", &TenancyRoutes::remove_member, "delete", iam_group,
       "clustermembers", "Take a cluster role away"},
      {"GET", workspace + "/members", &TenancyRoutes::list_members, "list", iam_group, "workspacemembers",
       "List the members of a workspace"},
      {"POST", workspace + "/members", &TenancyRoutes::add_member, "create", iam_group, "workspacemembers",
       "Add a member to a workspace"},
      {"GET", workspace + "/members/{name}", &TenancyRoutes::get_member, "get", iam_group, "workspacemembers",
       "Read a member of a workspace"},
      {"PUT", workspace + "/members/{name}", &TenancyRoutes::update_member, "update", iam_group, "workspacemembers",
       "Change the role of a workspace member"},
      {"DELETE", workspace + "/members/{name}", &TenancyRoutes::remove_member, "delete", iam_group, "workspacemembers",
       "Remove a member from a workspace"},
      {"GET", project + "/members", &TenancyRoutes::list_members, "list", iam_group, "members",
       "List the members of a project"},
      {"POST", project + "/members", &TenancyRoutes::add_member, "create", iam_group, "members",
       "Add a member to a project"},
      {"GET", project + "/members/{name}", &TenancyRoutes::get_member, "get", iam_group, "members",
       "Read a member of a project"},
      {"PUT", project + "/members/{name}", &TenancyRoutes::update_member, "update", iam_group, "members",
       "Change the role of a project member"},
      {"DELETE", project + "/members/{name}", &TenancyRoutes::remove_member, "delete", iam_group, "members",
       "Remove a member from a project"},
  };
  for (const Entry& e : entries) {
    Handler h = e.handler;
    router.add(Route{.method = e.method,
                     .pattern = e.pattern,
                     .handler = [this, h](RouteContext& c) { return (this->*h)(c); },
                     .verb = e.verb,
                     .resource = e.resource,
                     .summary = e.summary,
                     .api_group = std::string(e.group)});
  }
}

// --- workspaces ---

core::Result<net::HttpResponse> TenancyRoutes::list_workspaces(RouteContext& ctx) const {
  auto opts = core::parse_list_options(ctx.request.query);
  if (!opts) return core::fail(opts.error());
  auto list = workspaces_.list_shared(ctx.principal, *opts);
  if (!list) return core::fail(list.error());
  return shared_list_response(*list);
}

core::Result<net::HttpResponse> TenancyRoutes::create_workspace(RouteContext& ctx) const {
  auto body = parse_json_body(ctx.request);
  if (!body) return core::fail(body.error());
  auto created = workspaces_.create(ctx.principal, *body);
  if (!created) return core::fail(created.error());
  return json_response(201, render_stored(*created));
}

core::Result<net::HttpResponse> TenancyRoutes::get_workspace(RouteContext& ctx) const {
  auto obj = workspaces_.get(ctx.param("workspace"));
  if (!obj) return core::fail(obj.error());
  return json_response(200, render_stored(*obj));
}

core::Result<net::HttpResponse> TenancyRoutes::update_workspace(RouteContext& ctx) const {
  auto body = parse_json_body(ctx.request);
  if (!body) return core::fail(body.error());
  auto updated = workspaces_.update(ctx.principal, ctx.param("workspace"), *body);
  if (!updated) return core::fail(updated.error());
  return json_response(200, render_stored(*updated));
}

core::Result<net::HttpResponse> TenancyRoutes::patch_workspace(RouteContext& ctx) const {
  auto current = workspaces_.get(ctx.param("workspace"));
  if (!current) return core::fail(current.error());
  auto merged = patched(ctx.request, *current);
  if (!merged) return core::fail(merged.error());
  auto updated = workspaces_.update(ctx.principal, ctx.param("workspace"), *merged);
  if (!updated) return core::fail(updated.error());
  return json_response(200, render_stored(*updated));
}

core::Result<net::HttpResponse> TenancyRoutes::delete_workspace(RouteContext& ctx) const {
  auto cascade = cascade_of(ctx.request);
  if (!cascade) return core::fail(cascade.error());
  const std::string& name = ctx.param("workspace");
  if (auto s = workspaces_.remove(name, tenancy::WorkspaceDeleteOptions{.cascade = *cascade}); !s) {
    return core::fail(s.error());
  }
  return success_status(fmt::format("Workspace \"{}\" deleted", name));
}

// --- projects ---

net::HttpResponse TenancyRoutes::shared_list_response(const std::shared_ptr<const storage::ListResult>& list) const {
  net::HttpResponse r = json_response(200, std::string());
  r.shared_body = rendered_.render(list);
  return r;
}

core::Result<net::HttpResponse> TenancyRoutes::list_projects(RouteContext& ctx) const {
  auto opts = core::parse_list_options(ctx.request.query);
  if (!opts) return core::fail(opts.error());
  const std::string& ws = ctx.param("workspace");
  // An empty list and a missing workspace must not look alike.
  if (auto w = workspaces_.get(ws); !w) return core::fail(w.error());
  auto list = projects_.list_shared(ctx.principal, ws, *opts);
  if (!list) return core::fail(list.error());
  return shared_list_response(*list);
}

core::Result<net::HttpResponse> TenancyRoutes::create_project(RouteContext& ctx) const {
  auto body = parse_json_body(ctx.request);
  if (!body) return core::fail(body.error());
  auto options = create_options_of(ctx.request);
  if (!options) return core::fail(options.error());
  auto created = projects_.create(ctx.principal, ctx.param("workspace"), *body, *options);
  if (!created) return core::fail(created.error());
  return json_response(201, render_stored(*created));
}

core::Result<net::HttpResponse> TenancyRoutes::get_project(RouteContext& ctx) const {
  auto obj = projects_.get(ctx.param("workspace"), ctx.param("project"));
  if (!obj) return core::fail(obj.error());
  return json_response(200, render_stored(*obj));
}

core::Result<net::HttpResponse> TenancyRoutes::update_project(RouteContext& ctx) const {
  auto body = parse_json_body(ctx.request);
  if (!body) return core::fail(body.error());
  auto updated = projects_.update(ctx.principal, ctx.param("workspace"), ctx.param("project"), *body);
  if (!updated) return core::fail(updated.error());
  return json_response(200, render_stored(*updated));
}

core::Result<net::HttpResponse> TenancyRoutes::patch_project(RouteContext& ctx) const {
  auto current = projects_.get(ctx.param("workspace"), ctx.param("project"));
  if (!current) return core::fail(current.error());
  auto merged = patched(ctx.request, *current);
  if (!merged) return core::fail(merged.error());
  auto updated = projects_.update(ctx.principal, ctx.param("workspace"), ctx.param("project"), *merged);
  if (!updated) return core::fail(updated.error());
  return json_response(200, render_stored(*updated));
}

core::Result<net::HttpResponse> TenancyRoutes::delete_project(RouteContext& ctx) const {
  const std::string& name = ctx.param("project");
  auto options = delete_options_of(ctx.request, name);
  if (!options) return core::fail(options.error());
  if (auto s = projects_.remove(ctx.param("workspace"), name, *options); !s) return core::fail(s.error());
  return success_status(options->namespace_disposal == tenancy::NamespaceDisposal::Delete
                            ? fmt::format("Project \"{}\" and its namespace deleted", name)
                            : fmt::format("Project \"{}\" deleted; its namespace is kept", name));
}

// --- members ---

core::Result<net::HttpResponse> TenancyRoutes::list_members(RouteContext& ctx) const {
  auto opts = core::parse_list_options(ctx.request.query);
  if (!opts) return core::fail(opts.error());
  auto members = members_.list(member_scope(ctx));
  if (!members) return core::fail(members.error());
  // Members have no metadata: the name filter applies to the member id, paging as everywhere; order is by id.
  std::vector<const iam::Member*> matching;
  for (const auto& m : *members) {
    if (opts->name.empty() || m.id().find(opts->name) != std::string::npos) matching.push_back(&m);
  }
  // By id, ascending, unless the caller asks for names in descending order (sortBy=name without ascending).
  const bool descending = opts->sort_by == "name" && opts->order == core::SortOrder::Descending;
  std::sort(matching.begin(), matching.end(), [&](const iam::Member* a, const iam::Member* b) {
    return descending ? a->id() > b->id() : a->id() < b->id();
  });
  json::array items;
  const auto total = static_cast<std::int64_t>(matching.size());
  for (std::int64_t i = opts->offset(); i < total && i < opts->offset() + opts->limit; ++i) {
    items.push_back(member_json(*matching[static_cast<std::size_t>(i)]));
  }
  return json_response(200, json::value(json::object{{"items", std::move(items)}, {"total", total}}));
}

core::Result<net::HttpResponse> TenancyRoutes::add_member(RouteContext& ctx) const {
  auto member = decode_member(ctx.request);
  if (!member) return core::fail(member.error());
  auto added = members_.add(member_scope(ctx), *member);
  if (!added) return core::fail(added.error());
  return json_response(201, member_json(*added));
}

core::Result<net::HttpResponse> TenancyRoutes::get_member(RouteContext& ctx) const {
  auto member = members_.get(member_scope(ctx), ctx.param("name"));
  if (!member) return core::fail(member.error());
  return json_response(200, member_json(*member));
}

core::Result<net::HttpResponse> TenancyRoutes::update_member(RouteContext& ctx) const {
  auto member = decode_member(ctx.request);
  if (!member) return core::fail(member.error());
  const std::string& id = ctx.param("name");
  // The body may repeat who the member is ({"user": "dev", "role": "viewer"}); it may not name someone else.
  if ((!member->user.empty() || !member->group.empty()) && member->id() != id) {
    return core::fail(
        core::Error(core::ErrorCode::InvalidArgument,
                    fmt::format("the body names member \"{}\" but the path names \"{}\"", member->id(), id),
                    {core::Cause{member->user.empty() ? "group" : "user", "must match the path"}}));
  }
  auto changed = members_.change_role(member_scope(ctx), id, std::move(member->role));
  if (!changed) return core::fail(changed.error());
  return json_response(200, member_json(*changed));
}

core::Result<net::HttpResponse> TenancyRoutes::remove_member(RouteContext& ctx) const {
  const core::Scope scope = member_scope(ctx);
  const std::string& id = ctx.param("name");
  if (auto s = members_.remove(scope, id); !s) return core::fail(s.error());
  return success_status(fmt::format("member \"{}\" removed from {}", id, iam::describe_scope(scope)));
}

}  // namespace atrium::api
