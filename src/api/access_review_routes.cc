#include "api/access_review_routes.h"

#include <fmt/format.h>

#include "api/request_body.h"
#include "api/responses.h"
#include "core/json.h"

namespace atrium::api {
namespace {

namespace json = core::json;

// A string field of `o` (absent: empty); `bad` names the field when it is not a string.
bool string_field(const json::object& o, std::string_view key, std::string& out) {
  const auto* v = o.if_contains(key);
  if (!v || v->is_null()) return true;
  if (!v->is_string()) return false;
  out = std::string(v->as_string());
  return true;
}

}  // namespace

AccessReviewRoutes::AccessReviewRoutes(core::Authorizer& authorizer, NamespaceScope namespace_scope)
    : authorizer_(authorizer), namespace_scope_(std::move(namespace_scope)) {}

void AccessReviewRoutes::register_routes(Router& router) const {
  router.add(Route{.method = "GET",
                   .pattern = "/api/v1/whoami",
                   .handler = [](RouteContext& ctx) -> core::Result<net::HttpResponse> {
                     json::array groups;
                     for (const auto& g : ctx.principal.groups) groups.emplace_back(g);
                     return json_response(200, json::value{{"user", ctx.principal.user},
                                                           {"groups", std::move(groups)},
                                                           {"authMethod", ctx.principal.auth_method}});
                   },
                   .summary = "The authenticated caller"});
  router.add(Route{.method = "POST",
                   .pattern = "/api/v1/accessreviews",
                   .handler = [this](RouteContext& ctx) { return review(ctx); },
                   .summary = "Whether the caller may do each of a list of actions (for showing only usable controls)",
                   .read_only = true});
}

core::Result<net::HttpResponse> AccessReviewRoutes::review(RouteContext& ctx) const {
  auto body = parse_json_body(ctx.request);
  if (!body) return core::fail(body.error());
  const auto* o = body->if_object();
  const auto* checks = o ? o->if_contains("checks") : nullptr;
  if (!checks || !checks->is_array()) {
    return core::fail(core::Error(core::ErrorCode::InvalidArgument, "the body must be {\"checks\":[...]}",
                                  {{"checks", "required: a list of access checks"}}));
  }
  const auto& list = checks->as_array();
  if (list.size() > kMaxChecks) {
    return core::fail(core::Error(core::ErrorCode::InvalidArgument,
                                  fmt::format("at most {} checks per request", kMaxChecks),
                                  {{"checks", fmt::format("{} checks, at most {}", list.size(), kMaxChecks)}}));
  }
  std::vector<core::Cause> causes;
  std::vector<core::AccessRequest> requests;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string at = fmt::format("checks[{}]", i);
    const auto* c = list[i].if_object();
    if (!c) {
      causes.push_back({at, "must be an object"});
      continue;
    }
    core::AccessRequest r;
    for (auto [key, field] :
         {std::pair{"verb", &r.verb}, std::pair{"apiGroup", &r.api_group}, std::pair{"resource", &r.resource},
          std::pair{"subresource", &r.subresource}, std::pair{"name", &r.name}}) {
      if (!string_field(*c, key, *field)) causes.push_back({at + "." + key, "must be a string"});
    }
    if (r.verb.empty()) causes.push_back({at + ".verb", "required"});
    if (r.resource.empty()) causes.push_back({at + ".resource", "required"});
    if (const auto* s = c->if_contains("scope"); s && !s->is_null()) {
      if (!s->is_object()) {
        causes.push_back({at + ".scope", "must be an object"});
      } else {
        std::string ns;
        bool ok = string_field(s->as_object(), "cluster", r.scope.cluster) &&
                  string_field(s->as_object(), "workspace", r.scope.workspace) &&
                  string_field(s->as_object(), "project", r.scope.project) &&
                  string_field(s->as_object(), "namespace", ns);
        if (!ok) causes.push_back({at + ".scope", "cluster, workspace, project and namespace are strings"});
        if (!r.scope.project.empty() && r.scope.workspace.empty()) {
          causes.push_back({at + ".scope.workspace", "required with a project"});
        }
        if (!ns.empty() && r.scope.cluster.empty())
          causes.push_back({at + ".scope.cluster", "required with a namespace"});
        if (!r.scope.project.empty()) {
          r.scope.level = core::Scope::Level::Project;
        } else if (!r.scope.workspace.empty()) {
          r.scope.level = core::Scope::Level::Workspace;
        } else if (!r.scope.cluster.empty()) {
          r.scope.level = core::Scope::Level::Cluster;
          if (!ns.empty() && namespace_scope_) {
            if (auto p = namespace_scope_(r.scope.cluster, ns)) r.scope = *p;
          }
        }
      }
    }
    requests.push_back(std::move(r));
  }
  if (!causes.empty()) {
    return core::fail(core::Error(core::ErrorCode::InvalidArgument, "invalid access checks", std::move(causes)));
  }
  json::array results;
  results.reserve(requests.size());
  for (const auto& r : requests) {
    core::Decision d = authorizer_.authorize(ctx.principal, r);
    json::object one{{"allowed", d.allowed}};
    if (!d.allowed && !d.reason.empty()) one["reason"] = d.reason;
    results.emplace_back(std::move(one));
  }
  return json_response(200, json::value{{"results", std::move(results)}});
}

}  // namespace atrium::api
