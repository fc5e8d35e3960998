// `kubectl apply --server-side` for a project's namespace:
//   POST /api/v1/clusters/{cluster}/namespaces/{namespace}/apply
// with a YAML stream (application/yaml, multi-document) or a JSON object (application/json); a v1 List is taken
// as its items. Every document is checked before anything is written: its kind must be a namespaced kind the
// cluster serves (found through discovery, custom resources included; cluster-scoped kinds are refused), its
// metadata.namespace the path's or absent (anything else is 422 naming it), and the caller must be allowed to
// create and patch it in the project owning the namespace (or to patch it when it exists; 403 otherwise).
// Then each document is applied in order by server-side apply (field manager `atrium`, force) with Atrium's
// credentials; a document the cluster rejects does not stop the others. The answer lists every document's
// result (200), or is a Status for the first failure carrying that list (see batch_response). The front door
// audits the request; each applied document is audited too (verb `apply`, its resource and name).
// Thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "api/kube_route_support.h"
#include "api/router.h"
#include "audit/audit_log.h"
#include "core/auth.h"
#include "kube/cluster_connections.h"
#include "kube/discovery.h"

namespace atrium::api {

// One checked document, ready to apply.
struct ApplyTarget {
  json::value object;          // the document, metadata.namespace filled in
  kube::ApiResource resource;  // plural, group and the document's version
  std::string name;
  std::string path;  // the object's path on the apiserver (no query)
  std::string at;    // where it is in the body: "[1]", or "[1].items[0]" for an item of a List document
};

// The resource a document's (group, version, kind) stands for on the cluster; NotFound when it serves none.
using KindResolver = std::function<core::Result<kube::ApiResource>(std::string_view group, std::string_view version,
                                                                   std::string_view kind)>;

// Sets protocol: TCP (the apiserver's own default) on ports that omit it, in core, apps and batch kinds: Service
// spec.ports and the container ports of pod specs (Pod, PodTemplate, the workload kinds' templates, CronJob's job
// template). Server-side apply before
// Kubernetes 1.21 refuses such ports ("associative list with keys has an element that omits key field protocol",
// kubernetes-sigs/structured-merge-diff#130, fixed by kubernetes/kubernetes#98576), which kubectl's client-side
// apply accepts.
void default_port_protocols(json::value& document);

// Replaces each v1 List document by its items (not nested). InvalidArgument naming the document otherwise. When
// `locations` is given it receives where each returned object is in the body ("[2]", "[1].items[0]"), so errors
// name the body's documents, not positions after the expansion.
core::Result<std::vector<json::value>> expand_lists(std::vector<json::value> documents,
                                                    std::vector<std::string>* locations = nullptr);

// Checks every document for namespace `ns` (see the header comment) and resolves its kind; collects every
// problem into one InvalidArgument whose causes name the document and field ("[1].metadata.namespace"; with
// `locations` from expand_lists, "[1].items[0].metadata.namespace").
core::Result<std::vector<ApplyTarget>> plan_apply(std::vector<json::value> documents, std::string_view ns,
                                                  const KindResolver& resolve,
                                                  const std::vector<std::string>* locations = nullptr);

class ApplyRoutes {
 public:
  // `audit` may be null (no audit log configured).
  // `preflight` gates every apply with the cluster's "server-side-apply" checks (412 before anything is written).
  ApplyRoutes(kube::ClusterConnections& clusters, core::Authorizer& authorizer, audit::AuditLog* audit,
              PreflightGate preflight = {});
  void register_routes(Router& router) const;

 private:
  core::Result<net::HttpResponse> apply(RouteContext& ctx) const;
  core::Result<kube::ApiResource> resolve(std::string_view cluster, std::string_view group, std::string_view version,
                                          std::string_view kind) const;
  bool allowed(const RouteContext& ctx, std::string_view verb, const ApplyTarget& target) const;
  void audit_document(const RouteContext& ctx, const ApplyTarget& target, int status, std::string message) const;

  kube::ClusterConnections& clusters_;
  core::Authorizer& authorizer_;
  audit::AuditLog* audit_;
  PreflightGate preflight_;
  // Discovery per cluster, for kinds (ClusterConnections looks resources up by plural only); refreshed when a
  // kind is missing (a CRD installed since), at most every few seconds.
  struct ClusterKinds {
    std::weak_ptr<kube::Client> client;
    std::shared_ptr<kube::Discovery> discovery;
    std::chrono::steady_clock::time_point refreshed{};
  };
  mutable std::mutex mutex_;
  mutable std::map<std::string, ClusterKinds, std::less<>> kinds_;
};

}  // namespace atrium::api
