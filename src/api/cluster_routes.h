// HTTP routes of the cluster registry (cluster.atrium.io clusters), thin adapters over kube::ClusterRegistry:
//   GET/POST /api/v1/clusters                       list (only the clusters the caller may get), register
//   GET/PUT/DELETE /api/v1/clusters/{cluster}        read with status, replace, remove
//   POST /api/v1/clusters/{cluster}/preflight        {"action": "..."}: 200 with the checks, 412 when refused
// POST and PUT take ?dryRun=All (validate and probe, store nothing) and ?verify=false (accept a cluster that
// cannot be reached now). Kubeconfigs are accepted, never returned. Thread-safe after register_routes(); the
// registry and the authorizer must outlive the routes.
#pragma once

#include "api/router.h"
#include "core/auth.h"
#include "kube/cluster_registry.h"

namespace atrium::api {

class ClusterRoutes {
 public:
  ClusterRoutes(kube::ClusterRegistry& registry, core::Authorizer& authorizer);

  void register_routes(Router& router) const;

 private:
  core::Result<net::HttpResponse> list_clusters(RouteContext& ctx) const;
  core::Result<net::HttpResponse> create_cluster(RouteContext& ctx) const;
  core::Result<net::HttpResponse> get_cluster(RouteContext& ctx) const;
  core::Result<net::HttpResponse> update_cluster(RouteContext& ctx) const;
  core::Result<net::HttpResponse> delete_cluster(RouteContext& ctx) const;
  core::Result<net::HttpResponse> run_preflight(RouteContext& ctx) const;

  kube::ClusterRegistry& registry_;
  core::Authorizer& authorizer_;
};

}  // namespace atrium::api
