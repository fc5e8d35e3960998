#include "api/cluster_routes.h"

#include <fmt/format.h>

#include "api/request_body.h"
#include "api/responses.h"
#include "iam/scope_key.h"
#include "kube/preflight.h"
#include "schema/schema.h"

namespace atrium::api {
namespace {

constexpr std::string_view kGroup = kube::kClusterGroup;

struct PreflightRequest {
  std::string action;

  static const schema::Struct<PreflightRequest>& schema() {
    static const auto s = schema::Struct<PreflightRequest>("PreflightRequest")
                              .field("action", &PreflightRequest::action,
                                     {.required = true,
                                      .description = "The risky action to check, e.g. apply-crd-int-or-string.",
                                      .max_length = 64});
    return s;
  }
};

// ?dryRun=All and ?verify=false.
core::Result<kube::WriteOptions> write_options(const net::HttpRequest& req) {
  kube::WriteOptions o;
  if (auto v = req.query_param("dryRun"); v && !v->empty()) {
    if (*v != "All") {
      return core::fail(core::ErrorCode::InvalidArgument,
                        fmt::format("dryRun=\"{}\" is not supported (use dryRun=All)", v->substr(0, 40)));
    }
    o.dry_run = kube::DryRun::Yes;
  }
  if (auto v = req.query_param("verify"); v && !v->empty()) {
    if (*v == "false") {
      o.reachability = kube::Reachability::Skipped;
    } else if (*v != "true") {
      return core::fail(core::ErrorCode::InvalidArgument,
                        fmt::format("verify=\"{}\" is not true or false", v->substr(0, 40)));
    }
  }
  return o;
}

}  // namespace

ClusterRoutes::ClusterRoutes(kube::ClusterRegistry& registry, core::Authorizer& authorizer)
    : registry_(registry), authorizer_(authorizer) {}

void ClusterRoutes::register_routes(Router& router) const {
  using Handler = core::Result<net::HttpResponse> (ClusterRoutes::*)(RouteContext&) const;
  struct Entry {
    const char* method;
    const char* pattern;
    Handler handler;
    const char* verb;
    const char* subresource;
    const char* summary;
  };
  const Entry entries[] = {
      {"GET", "/api/v1/clusters", &ClusterRoutes::list_clusters, "list", "", "List the clusters you may see"},
      {"POST", "/api/v1/clusters", &ClusterRoutes::create_cluster, "create", "",
       "Register a cluster by kubeconfig (?dryRun=All, ?verify=false)"},
      {"GET", "/api/v1/clusters/{cluster}", &ClusterRoutes::get_cluster, "get", "", "Read a Cluster and its status"},
      {"PUT", "/api/v1/clusters/{cluster}", &ClusterRoutes::update_cluster, "update", "",
       "Replace a Cluster (an absent kubeconfig is kept)"},
      {"DELETE", "/api/v1/clusters/{cluster}", &ClusterRoutes::delete_cluster, "delete", "", "Remove a Cluster"},
      {"POST", "/api/v1/clusters/{cluster}/preflight", &ClusterRoutes::run_preflight, "create", "preflight",
       "Run the preflight checks of a risky action (412 when refused)"},
  };
  for (const Entry& e : entries) {
    Handler h = e.handler;
    router.add(Route{.method = e.method,
                     .pattern = e.pattern,
                     .handler = [this, h](RouteContext& c) { return (this->*h)(c); },
                     .verb = e.verb,
                     .resource = "clusters",
                     .summary = e.summary,
                     .api_group = std::string(kGroup),
                     .subresource = e.subresource});
  }
}

core::Result<net::HttpResponse> ClusterRoutes::list_clusters(RouteContext& ctx) const {
  auto opts = core::parse_list_options(ctx.request.query);
  if (!opts) return core::fail(opts.error());
  auto page = registry_.list(*opts, [&](std::string_view name) {
    core::AccessRequest r{.verb = "get",
                          .api_group = std::string(kGroup),
                          .resource = "clusters",
                          .name = std::string(name),
                          .scope = iam::cluster_scope(std::string(name))};
    return authorizer_.authorize(ctx.principal, r).allowed;
  });
  if (!page) return core::fail(page.error());
  core::json::array items;
  for (auto& o : page->items) items.emplace_back(std::move(o));
  return json_response(200, core::json::value(core::json::object{{"items", std::move(items)}, {"total", page->total}}));
}

core::Result<net::HttpResponse> ClusterRoutes::create_cluster(RouteContext& ctx) const {
  auto options = write_options(ctx.request);
  if (!options) return core::fail(options.error());
  auto body = parse_json_body(ctx.request);
  if (!body) return core::fail(body.error());
  auto created = registry_.create(*body, *options);
  if (!created) return core::fail(created.error());
  return json_response(options->dry_run == kube::DryRun::Yes ? 200 : 201, core::json::value(std::move(*created)));
}

core::Result<net::HttpResponse> ClusterRoutes::get_cluster(RouteContext& ctx) const {
  auto got = registry_.get(ctx.param("cluster"));
  if (!got) return core::fail(got.error());
  return json_response(200, core::json::value(std::move(*got)));
}

core::Result<net::HttpResponse> ClusterRoutes::update_cluster(RouteContext& ctx) const {
  auto options = write_options(ctx.request);
  if (!options) return core::fail(options.error());
  auto body = parse_json_body(ctx.request);
  if (!body) return core::fail(body.error());
  auto updated = registry_.update(ctx.param("cluster"), *body, *options);
  if (!updated) return core::fail(updated.error());
  return json_response(200, core::json::value(std::move(*updated)));
}

core::Result<net::HttpResponse> ClusterRoutes::delete_cluster(RouteContext& ctx) const {
  const std::string& name = ctx.param("cluster");
  if (auto s = registry_.remove(name); !s) return core::fail(s.error());
  return success_status(fmt::format("Cluster \"{}\" removed", name));
}

core::Result<net::HttpResponse> ClusterRoutes::run_preflight(RouteContext& ctx) const {
  auto body = parse_json_body(ctx.request);
  if (!body) return core::fail(body.error());
  auto request = PreflightRequest::schema().decode_value(*body, "preflight request");
  if (!request) return core::fail(request.error());
  const std::string& name = ctx.param("cluster");
  auto checks = registry_.preflight(name, request->action);
  if (!checks) return core::fail(checks.error());
  auto cluster = registry_.get(name);
  if (!cluster) return core::fail(cluster.error());
  std::string version(cluster->at("status").at("kubernetesVersion").as_string());
  if (auto s = kube::require_preflight(name, *checks, version); !s) return core::fail(s.error());
  core::json::array items;
  for (const auto& c : *checks) items.push_back(kube::PreflightCheck::schema().encode_value(c));
  return json_response(200, core::json::value(core::json::object{{"cluster", name},
                                                                 {"action", request->action},
                                                                 {"kubernetesVersion", version},
                                                                 {"allowed", true},
                                                                 {"checks", std::move(items)}}));
}

}  // namespace atrium::api
