// The tenant-scoped workload API: Kubernetes objects of a project's namespace under
// /api/v1/clusters/{cluster}/namespaces/{namespace}/{resource}[/{name}]. Reads come from the cluster's informer
// caches with the API's list conventions (page, limit, sortBy, ascending, name, labelSelector); writes go to the
// apiserver with Atrium's own credentials after the front door authorised the caller for the project the
// namespace belongs to. Secret values are shown only to callers who may read secrets (project admin, operator);
// others see names and keys. Immutable after construction; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/router.h"
#include "core/auth.h"
#include "core/list_options.h"
#include "kube/cluster_connections.h"

namespace atrium::api {

// One kind the workload API serves.
struct WorkloadKind {
  std::string_view resource;  // plural, as in the path
  std::string_view group;     // API group ("" core)
  std::string_view kind;
};

// Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs, CronJobs, Pods, Services, Ingresses, ConfigMaps,
// Secrets, PersistentVolumeClaims, Events.
const std::vector<WorkloadKind>& workload_kinds();

// Equality terms on an event's involvedObject ("kind", "name", "uid") from a Kubernetes-style fieldSelector
// (`involvedObject.name=api,involvedObject.kind=Deployment`); lists and live lists of events accept it.
using FieldSelector = std::vector<std::pair<std::string, std::string>>;
core::Result<FieldSelector> parse_event_field_selector(std::string_view text);

class WorkloadRoutes {
 public:
  WorkloadRoutes(kube::ClusterConnections& clusters, core::Authorizer& authorizer);
  void register_routes(Router& router) const;

 private:
  core::Result<net::HttpResponse> list(RouteContext& ctx, const WorkloadKind& kind) const;
  // A list's live updates over a WebSocket (a GET with an upgrade): every cached object passing the list's name
  // and label filters as {"type":"ADDED","object":...}, then {"type":"SYNCED","total":N}, then each change as
  // ADDED, MODIFIED or DELETED while the socket is open.
  core::Result<net::HttpResponse> watch(RouteContext& ctx, std::shared_ptr<kube::Informer> informer,
                                        core::ListOptions opts, bool mask, FieldSelector fields) const;
  core::Result<net::HttpResponse> get(RouteContext& ctx, const WorkloadKind& kind) const;
  core::Result<net::HttpResponse> create(RouteContext& ctx, const WorkloadKind& kind) const;
  core::Result<net::HttpResponse> replace(RouteContext& ctx, const WorkloadKind& kind) const;
  core::Result<net::HttpResponse> patch(RouteContext& ctx, const WorkloadKind& kind) const;
  core::Result<net::HttpResponse> remove(RouteContext& ctx, const WorkloadKind& kind) const;

  // The informer of the kind on the route's cluster (started on first use).
  core::Result<std::shared_ptr<kube::Informer>> informer_for(const RouteContext& ctx, const WorkloadKind& kind) const;
  // Whether the caller may read secret values here (otherwise values are blanked).
  bool may_read_secret_values(const RouteContext& ctx) const;

  kube::ClusterConnections& clusters_;
  core::Authorizer& authorizer_;
};

// Blanks the values of a Secret (data, stringData) and drops the last-applied annotation, which holds them too.
// Returns the JSON text unchanged when it is not a JSON object.
std::string mask_secret_values(std::string_view secret_json);

// Checks a request body for the object at (namespace, name): a JSON object whose metadata.namespace, when
// present, is the path's namespace (a different one is refused: the body cannot reach outside the path), whose
// kind, when present, is `kind`, and whose metadata.name, for a replace, is the path's name. Fills in namespace,
// apiVersion and kind. InvalidArgument naming the field otherwise.
core::Status check_object_body(core::json::value& body, std::string_view ns, std::string_view name,
                               const WorkloadKind& kind, std::string_view api_version);

}  // namespace atrium::api
