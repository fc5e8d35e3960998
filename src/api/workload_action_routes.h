// What `kubectl scale`, `kubectl rollout restart|history|undo` do, for the tenant-scoped workload API, under
// /api/v1/clusters/{cluster}/namespaces/{namespace}/{resource}/{name}/...:
//   GET|PUT|PATCH  {deployments|statefulsets|replicasets}/{name}/scale   the autoscaling/v1 Scale subresource
//   POST           {deployments|statefulsets|daemonsets}/{name}/restart  restartedAt annotation on the template
//   GET            {deployments|statefulsets|daemonsets}/{name}/revisions  rollout history, newest first
//   POST           {deployments|statefulsets|daemonsets}/{name}/rollback  {"revision": N}  back to a revision's
//                  pod template (a ReplicaSet's for a Deployment, a ControllerRevision's otherwise)
// The front door authorises the caller in the project owning the namespace (scale: get/update/patch on
// <resource>/scale; restart: patch <resource>; revisions: get <resource>, and list of the ReplicaSets or
// ControllerRevisions read; rollback: create <resource>/rollback and list of those) and audits every mutation; Atrium
// acts on the cluster with its own credentials. Immutable after construction; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "api/router.h"
#include "core/auth.h"
#include "core/clock.h"
#include "kube/cluster_connections.h"

namespace atrium::api {

inline constexpr std::int64_t kMaxReplicas = 10'000;

// The replicas of a Scale body or patch: spec.replicas, a whole number from 0 to kMaxReplicas. InvalidArgument
// naming spec.replicas otherwise (422).
core::Result<std::int64_t> replicas_of(const json::value& body);

// Checks a PUT body for the Scale of (namespace, name): a JSON object whose kind/apiVersion, when present, are
// Scale and autoscaling/v1, whose metadata.name/namespace, when present, are the path's, with valid replicas;
// fills those fields in. InvalidArgument naming the field otherwise.
core::Status check_scale_body(json::value& body, std::string_view ns, std::string_view name);
// Checks a PATCH body: exactly {"spec":{"replicas":N}} (anything else in it is refused, naming the field).
core::Status check_scale_patch(const json::value& patch);

// The merge patch `kubectl rollout restart` sends: the pod template's kubectl.kubernetes.io/restartedAt
// annotation set to `now` (RFC 3339, UTC).
std::string restart_patch(core::TimePoint now);

// One entry of a rollout history.
struct Revision {
  std::int64_t revision = 0;
  std::string source;  // the ReplicaSet (Deployment) or ControllerRevision (StatefulSet, DaemonSet) holding it
  std::vector<std::string> images;
  std::string change_cause;  // the kubernetes.io/change-cause annotation
  std::string creation_timestamp;
  bool current = false;
};

// The revisions of a Deployment from its ReplicaSets: those owned by it (an ownerReferences uid equal to the
// Deployment's) carrying a deployment.kubernetes.io/revision annotation; newest first. `current` marks the
// Deployment's own revision annotation (else the highest).
std::vector<Revision> deployment_revisions(const json::value& deployment, const std::vector<json::value>& replicasets);
// The revisions of a StatefulSet or DaemonSet from its ControllerRevisions (owned by uid; `revision` field;
// images from data.spec.template); newest first. `current` marks status.updateRevision when the owner has one
// (StatefulSet), else the highest.
std::vector<Revision> controller_revisions(const json::value& owner, const std::vector<json::value>& revisions);
// {"items":[{revision, replicaSet|controllerRevision, images, changeCause, creationTimestamp, current}],"total":N}
json::object revisions_json(const std::vector<Revision>& revisions, std::string_view source_field);

// The revision a rollback body asks for: {"revision": N} with N a whole number >= 0, or an empty body / absent
// revision (0: the previous revision). InvalidArgument naming `revision` otherwise.
core::Result<std::int64_t> rollback_revision(std::string_view body);

// What a rollback does, as `kubectl rollout undo --to-revision` decides it.
struct RollbackPlan {
  std::int64_t revision = 0;  // the revision rolled back to
  std::string source;         // the ReplicaSet or ControllerRevision holding it
  bool unchanged = false;     // the object's template already is that revision's: nothing to send
  std::string patch;          // the patch for the object, when changed
  std::string content_type;   // the patch's type
};
// NotFound naming the revision when no owned ReplicaSet has it (or, for 0, when there is no revision before the
// current one); Conflict for a paused Deployment. The patch replaces spec.template with the ReplicaSet's template
// minus its pod-template-hash label and sets the Deployment's annotations to the ReplicaSet's (the change cause
// comes back), keeping the Deployment's own revision and last-applied annotations.
core::Result<RollbackPlan> plan_rollback(const json::value& deployment, const std::vector<json::value>& replicasets,
                                         std::int64_t revision);
// The same for a StatefulSet or DaemonSet (`kind` names it in messages: "statefulset") from its ControllerRevisions
// (owned by uid, with a `revision` number and data.spec.template): the patch is the strategic merge patch the
// controller recorded, {"spec":{"template":{..., "$patch":"replace"}}} (only the template is taken from the data),
// as kubectl sends it. NotFound as for a Deployment.
core::Result<RollbackPlan> plan_controller_rollback(const json::value& owner, std::string_view kind,
                                                    const std::vector<json::value>& revisions, std::int64_t revision);

class WorkloadActionRoutes {
 public:
  WorkloadActionRoutes(kube::ClusterConnections& clusters, core::Authorizer& authorizer, const core::Clock& clock);
  void register_routes(Router& router) const;

 private:
  struct Kind;
  core::Result<net::HttpResponse> get_scale(RouteContext& ctx, const Kind& kind) const;
  core::Result<net::HttpResponse> put_scale(RouteContext& ctx, const Kind& kind) const;
  core::Result<net::HttpResponse> patch_scale(RouteContext& ctx, const Kind& kind) const;
  core::Result<net::HttpResponse> restart(RouteContext& ctx, const Kind& kind) const;
  core::Result<net::HttpResponse> revisions(RouteContext& ctx, const Kind& kind) const;
  core::Result<net::HttpResponse> rollback(RouteContext& ctx, const Kind& kind) const;

  // The object the route names, read from the cluster (not the cache: what is changed next must be current), and
  // its path there.
  struct Current {
    std::shared_ptr<kube::Client> client;
    std::string path;
    json::value object;
  };
  core::Result<Current> read_current(const RouteContext& ctx, const Kind& kind) const;
  // The objects of (group, resource) in the route's namespace from the cluster's cache.
  core::Result<std::vector<json::value>> cached_objects(const RouteContext& ctx, std::string_view group,
                                                        std::string_view resource) const;
  // PermissionDenied unless the caller may `verb` (group, resource) in the route's scope.
  core::Status require(const RouteContext& ctx, std::string_view verb, std::string_view group,
                       std::string_view resource) const;

  kube::ClusterConnections& clusters_;
  core::Authorizer& authorizer_;
  const core::Clock& clock_;
};

}  // namespace atrium::api
