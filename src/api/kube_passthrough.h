// The Kubernetes API of a cluster, passed through Atrium: /clusters/{cluster}/api/... and /clusters/{cluster}/apis/...
// (plus /version and /openapi/v2), so `kubectl --server https://atrium/clusters/<c> --token <atrium token>` works.
// Atrium decides every request with its own rules first (the namespace's project, or cluster scope for anything
// cluster-wide), then forwards it with its own credentials, impersonating the caller (`atrium:<user>`) so the
// cluster's audit log and admission see who acted. A request decided in a project carries only the group
// `atrium:namespace:<ns>`, which a RoleBinding in that namespace gives the ClusterRole `admin`: the cluster itself
// keeps it inside the namespace (defence in depth). A request decided at cluster scope carries the group
// `atrium:passthrough`, bound to `cluster-admin`. Client-sent impersonation headers,
// a body naming another namespace than the path, and path tricks are refused. Watches stream. Design: ADR 006.
// Thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "api/kube_route_support.h"
#include "api/router.h"
#include "api/stream_threads.h"
#include "core/auth.h"
#include "kube/cluster_connections.h"

namespace atrium::api {

// What a Kubernetes API path names. `rest` is what follows /api or /apis (decoded segments joined by '/').
struct KubeApiPath {
  bool discovery = false;  // /api, /api/v1, /apis, /apis/<group>, /apis/<group>/<version>
  std::string group;       // "" for the core group
  std::string version;
  std::string ns;  // empty: cluster-scoped resource, or every namespace
  std::string resource;
  std::string name;
  std::string subresource;
  bool legacy_watch = false;  // /api/v1/watch/...
};

// Parses the path after /api (`core` true) or /apis. InvalidArgument naming the bad part otherwise.
core::Result<KubeApiPath> parse_kube_api_path(bool core, std::string_view rest);

// The RBAC verb of a request on a parsed path: get, list, watch, create, update, patch, delete, deletecollection.
core::Result<std::string> kube_verb(std::string_view method, const KubeApiPath& path, const net::QueryParams& query);

// Refuses a write body that names another namespace than the path (JSON objects, JSON patches). InvalidArgument.
core::Status check_body_namespace(std::string_view content_type, std::string_view body, std::string_view ns);

class KubePassthrough {
 public:
  using NamespaceScope = std::function<std::optional<core::Scope>(std::string_view cluster, std::string_view ns)>;
  // `preflight` gates writes of CustomResourceDefinitions whose schema uses x-kubernetes-int-or-string with the
  // cluster's "apply-crd-int-or-string" checks (412 before the cluster sees them).
  KubePassthrough(kube::ClusterConnections& clusters, core::Authorizer& authorizer, NamespaceScope namespace_scope,
                  PreflightGate preflight = {});
  ~KubePassthrough();  // ends running watches
  KubePassthrough(const KubePassthrough&) = delete;
  KubePassthrough& operator=(const KubePassthrough&) = delete;

  void register_routes(Router& router) const;

  // The group of requests decided at cluster scope; a ClusterRoleBinding gives it what Atrium's credentials may do.
  static constexpr std::string_view kGroup = "atrium:passthrough";
  // The name of that ClusterRoleBinding and of the RoleBinding in each project namespace.
  static constexpr std::string_view kBindingName = "atrium-passthrough";
  // The group of requests decided in the project owning namespace `ns`, bound to `admin` in that namespace only.
  static std::string namespace_group(std::string_view ns);

 private:
  core::Result<net::HttpResponse> handle(RouteContext& ctx, bool core) const;
  core::Result<net::HttpResponse> forward_plain(RouteContext& ctx, std::string path) const;
  // `project_ns`: the namespace of a request decided in its project (empty: decided at cluster scope).
  core::Result<net::HttpResponse> forward(RouteContext& ctx, const kube::Request& request, bool watch,
                                          const std::string& project_ns) const;
  // Creates, once per process, the ClusterRoleBinding of kGroup (`ns` empty) or the RoleBinding of
  // namespace_group(ns) in `ns`. `again`: check the cluster even when this process made it before.
  core::Status ensure_binding(std::string_view cluster, const std::string& ns, kube::Client& client,
                              bool again = false) const;

  kube::ClusterConnections& clusters_;
  core::Authorizer& authorizer_;
  NamespaceScope namespace_scope_;
  PreflightGate preflight_;
  std::shared_ptr<StreamThreads> streams_;
  mutable std::mutex mu_;
  mutable std::set<std::string, std::less<>> bound_;  // "cluster" or "cluster/ns" whose binding exists
};

}  // namespace atrium::api
