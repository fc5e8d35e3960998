// A cluster's nodes, for cluster roles (the routes have no namespace, so the front door decides them at cluster
// scope: cluster and platform bindings only, never a project role):
//   GET   /api/v1/clusters/{cluster}/nodes[/{name}]        list / get nodes (cached; the list conventions)
//   POST  /api/v1/clusters/{cluster}/nodes/{name}/cordon    spec.unschedulable = true      (patch nodes)
//   POST  .../nodes/{name}/uncordon                          spec.unschedulable removed     (patch nodes)
//   POST  .../nodes/{name}/drain                             cordon, then evict its pods    (patch nodes, and
//                                                            create pods/eviction at cluster scope)
//   PATCH .../nodes/{name}/labels                            a merge patch of the labels    (patch nodes)
//   PATCH .../nodes/{name}/taints                            the new list of taints         (patch nodes)
// Mutations are audited by the front door. A drain blocks its request up to ?timeoutSeconds= while it retries
// evictions a PodDisruptionBudget refuses and waits for evicted pods to go. Immutable after construction;
// thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "api/router.h"
#include "core/auth.h"
#include "kube/cluster_connections.h"

namespace atrium::api {

// The merge patch for a node's labels from a request body: a JSON object of label keys to a value (set) or null
// (remove), at most 100 entries. InvalidArgument naming the label (`labels["key"]`) otherwise.
core::Result<std::string> node_labels_patch(const json::value& body);

// Checks the new taint list of a node: an array (at most 100) of {key, value?, effect, timeAdded?}, key a label
// key, value a label value, effect NoSchedule|PreferNoSchedule|NoExecute, timeAdded RFC 3339 (kept, so a list read
// from the node can be sent back), no other field, no (key, effect) twice. Returns the
// list to send; InvalidArgument naming the field (`[1].effect`) otherwise.
core::Result<json::array> check_taints(const json::value& body);

struct PodRef {
  std::string namespace_name;
  std::string name;
  std::string uid;
};
struct SkippedPod {
  PodRef pod;
  std::string reason;
};
// Which pods of a node a drain evicts: every pod except mirror pods (kubernetes.io/config.mirror annotation) and
// pods whose controller is a DaemonSet, which are skipped with the reason.
struct DrainSelection {
  std::vector<PodRef> evict;
  std::vector<SkippedPod> skipped;
};
DrainSelection select_pods_to_drain(const std::vector<json::value>& pods);

// The policy/v1beta1 Eviction of a pod (the grace period, when given, overrides the pod's own).
std::string eviction_body(const PodRef& pod, std::optional<std::int64_t> grace_period_seconds);

struct DrainOptions {
  std::optional<std::int64_t> grace_period_seconds;  // ?gracePeriodSeconds= 0..3600; default the pod's own
  std::chrono::seconds timeout{30};                  // ?timeoutSeconds= 0..300; 0: one pass, no waiting
};
core::Result<DrainOptions> parse_drain_options(const net::HttpRequest& request);

struct NodeRoutesOptions {
  // How often a drain retries evictions refused by a disruption budget and looks for evicted pods.
  std::chrono::milliseconds poll_interval{1000};
};

class NodeRoutes {
 public:
  NodeRoutes(kube::ClusterConnections& clusters, core::Authorizer& authorizer, NodeRoutesOptions options = {});
  void register_routes(Router& router) const;

 private:
  // Cluster-scoped kinds from the cache: "nodes" or "namespaces".
  core::Result<net::HttpResponse> list(RouteContext& ctx, std::string_view plural) const;
  core::Result<net::HttpResponse> get(RouteContext& ctx, std::string_view plural) const;
  core::Result<net::HttpResponse> cordon(RouteContext& ctx, bool unschedulable) const;
  core::Result<net::HttpResponse> drain(RouteContext& ctx) const;
  core::Result<net::HttpResponse> labels(RouteContext& ctx) const;
  core::Result<net::HttpResponse> taints(RouteContext& ctx) const;

  // Sends a merge patch to the node and records the answer in the node cache.
  core::Result<std::string> patch_node(const RouteContext& ctx, std::string patch) const;
  core::Result<std::vector<json::value>> pods_on_node(kube::Client& client, const std::string& node) const;

  kube::ClusterConnections& clusters_;
  core::Authorizer& authorizer_;
  NodeRoutesOptions options_;
};

}  // namespace atrium::api
