#include "api/iam_routes.h"

#include <fmt/format.h>

#include "api/request_body.h"
#include "api/resource_routes.h"
#include "api/responses.h"
#include "iam/scope_key.h"
#include "iam/templates.h"

namespace atrium::api {
namespace {

// The scope of a roles route: the project when the path names one, the workspace when it names one, else the
// platform (which offers platform and cluster roles).
core::Scope role_scope(const RouteContext& ctx) {
  if (ctx.params.contains("project")) return iam::project_scope(ctx.param("workspace"), ctx.param("project"));
  if (ctx.params.contains("workspace")) return iam::workspace_scope(ctx.param("workspace"));
  return iam::platform_scope();
}

core::Result<std::map<std::string, std::string, std::less<>>> labels_of(const storage::StoredObject& o) {
  std::map<std::string, std::string, std::less<>> out;
  if (o.labels.empty()) return out;
  auto v = core::parse_json(o.labels);
  if (!v || !v->is_object()) return core::fail(core::ErrorCode::Internal, "stored labels are corrupt");
  for (const auto& kv : v->as_object()) {
    if (kv.value().is_string()) out.emplace(std::string(kv.key()), std::string(kv.value().as_string()));
  }
  return out;
}

}  // namespace

IamRoutes::IamRoutes(iam::Roles& roles) : roles_(roles) {}

void register_template_routes(Router& router, const iam::TemplateRegistry& templates) {
  router.add(Route{.method = "GET",
                   .pattern = "/api/v1/templates",
                   .handler = [&templates](RouteContext& ctx) -> core::Result<net::HttpResponse> {
                     std::string filter(ctx.request.query_param("name").value_or(""));
                     core::json::array items;
                     for (const auto& [name, t] : templates.all()) {
                       if (!filter.empty() && name.find(filter) == std::string::npos) continue;
                       core::json::array rules;
                       for (const auto& r : t.rules) rules.emplace_back(iam::PolicyRule::schema().encode_value(r));
                       items.emplace_back(core::json::object{{"name", name},
                                                             {"level", iam::level_name(t.level)},
                                                             {"description", t.description},
                                                             {"rules", std::move(rules)}});
                     }
                     auto total = static_cast<std::int64_t>(items.size());
                     return json_response(200, core::json::value{{"items", std::move(items)}, {"total", total}});
                   },
                   .summary = "The permission templates roles are made of, with their rules"});
}

void IamRoutes::register_routes(Router& router) const {
  using Handler = core::Result<net::HttpResponse> (IamRoutes::*)(RouteContext&) const;
  struct Base {
    std::string path;
    const char* resource;
    const char* where;
  };
  const Base bases[] = {
      {"/api/v1/roles", "roles", "on the platform"},
      {"/api/v1/workspaces/{workspace}/roles", "workspaceroles", "in a workspace"},
      {"/api/v1/workspaces/{workspace}/projects/{project}/roles", "roles", "in a project"},
  };
  for (const Base& b : bases) {
    struct Entry {
      const char* method;
      std::string pattern;
      Handler handler;
      const char* verb;
      std::string summary;
    };
    const Entry entries[] = {
        {"GET", b.path, &IamRoutes::list_roles, "list", fmt::format("List the roles offered {}", b.where)},
        {"POST", b.path, &IamRoutes::create_role, "create", fmt::format("Create a custom Role {}", b.where)},
        {"GET", b.path + "/{name}", &IamRoutes::get_role, "get", fmt::format("Read a Role {}", b.where)},
        {"PUT", b.path + "/{name}", &IamRoutes::replace_role, "update",
         fmt::format("Replace a custom Role's description and templates {}", b.where)},
        {"DELETE", b.path + "/{name}", &IamRoutes::delete_role, "delete",
         fmt::format("Delete a custom Role {}", b.where)},
    };
    for (const Entry& e : entries) {
      Handler h = e.handler;
      router.add(Route{.method = e.method,
                       .pattern = e.pattern,
                       .handler = [this, h](RouteContext& c) { return (this->*h)(c); },
                       .verb = e.verb,
                       .resource = b.resource,
                       .summary = e.summary,
                       .api_group = std::string(iam::kIamGroup)});
    }
  }
}

core::Result<net::HttpResponse> IamRoutes::list_roles(RouteContext& ctx) const {
  auto opts = core::parse_list_options(ctx.request.query);
  if (!opts) return core::fail(opts.error());
  auto roles = roles_.list(role_scope(ctx));
  if (!roles) return core::fail(roles.error());
  // Roles keep the service's order (built-ins first, then custom roles by name); the name filter, the label
  // selector and paging apply as everywhere.
  storage::ListResult out;
  for (auto& r : *roles) {
    if (!opts->name.empty() && r.name.find(opts->name) == std::string::npos) continue;
    if (!opts->label_selector.empty()) {
      auto labels = labels_of(r);
      if (!labels) return core::fail(labels.error());
      if (!opts->label_selector.matches(*labels)) continue;
    }
    if (out.total >= opts->offset() && static_cast<std::int64_t>(out.items.size()) < opts->limit) {
      out.items.push_back(std::move(r));
    }
    ++out.total;
  }
  return json_response(200, render_list(out));
}

core::Result<net::HttpResponse> IamRoutes::create_role(RouteContext& ctx) const {
  auto body = parse_json_body(ctx.request);
  if (!body) return core::fail(body.error());
  auto created = roles_.create(role_scope(ctx), *body);
  if (!created) return core::fail(created.error());
  return json_response(201, render_stored(*created));
}

core::Result<net::HttpResponse> IamRoutes::replace_role(RouteContext& ctx) const {
  auto body = parse_json_body(ctx.request);
  if (!body) return core::fail(body.error());
  auto replaced = roles_.replace(role_scope(ctx), ctx.param("name"), *body);
  if (!replaced) return core::fail(replaced.error());
  return json_response(200, render_stored(*replaced));
}

core::Result<net::HttpResponse> IamRoutes::get_role(RouteContext& ctx) const {
  auto role = roles_.get(role_scope(ctx), ctx.param("name"));
  if (!role) return core::fail(role.error());
  return json_response(200, render_stored(*role));
}

core::Result<net::HttpResponse> IamRoutes::delete_role(RouteContext& ctx) const {
  const std::string& name = ctx.param("name");
  if (auto s = roles_.remove(role_scope(ctx), name); !s) return core::fail(s.error());
  return success_status(fmt::format("Role \"{}\" deleted", name));
}

}  // namespace atrium::api
