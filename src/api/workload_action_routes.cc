#include "api/workload_action_routes.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <optional>

#include <fmt/format.h>

#include "api/kube_route_support.h"
#include "api/responses.h"
#include "api/workload_routes.h"

namespace atrium::api {
namespace {

constexpr std::string_view kRevisionAnnotation = "deployment.kubernetes.io/revision";
constexpr std::string_view kChangeCauseAnnotation = "kubernetes.io/change-cause";
constexpr std::string_view kRestartedAtAnnotation = "kubectl.kubernetes.io/restartedAt";
constexpr std::string_view kPodTemplateHashLabel = "pod-template-hash";
// Annotations a rollback never takes from the ReplicaSet (kubectl's annotationsToSkip): the Deployment keeps its own.
constexpr std::array<std::string_view, 6> kRollbackKeeps = {
    "kubectl.kubernetes.io/last-applied-configuration",
    "deployment.kubernetes.io/revision",
    "deployment.kubernetes.io/revision-history",
    "deployment.kubernetes.io/desired-replicas",
    "deployment.kubernetes.io/max-replicas",
    "deprecated.deployment.rollback.to",
};

core::Error invalid_field(std::string field, std::string message) {
  std::string text = field + ": " + message;
  return core::Error(core::ErrorCode::InvalidArgument, std::move(text), {core::Cause{std::move(field), message}});
}

std::optional<std::int64_t> parse_int(std::string_view s) {
  std::int64_t n = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return n;
}

bool owned_by(const json::value& object, std::string_view uid) {
  if (uid.empty()) return false;
  const auto* refs = find_path(object, {"metadata", "ownerReferences"});
  if (!refs || !refs->is_array()) return false;
  for (const auto& ref : refs->get_array()) {
    if (string_at(ref, {"uid"}) == uid) return true;
  }
  return false;
}

std::vector<std::string> images_of(const json::value* pod_template) {
  std::vector<std::string> out;
  if (!pod_template) return out;
  const auto* containers = find_path(*pod_template, {"spec", "containers"});
  if (!containers || !containers->is_array()) return out;
  for (const auto& c : containers->get_array()) {
    if (auto image = string_at(c, {"image"}); !image.empty()) out.emplace_back(image);
  }
  return out;
}

void newest_first(std::vector<Revision>& revisions) {
  std::sort(revisions.begin(), revisions.end(),
            [](const Revision& a, const Revision& b) { return a.revision > b.revision; });
}

// The pod template of a ReplicaSet without its pod-template-hash label (what the Deployment held).
json::value template_without_hash(const json::value& replicaset) {
  const auto* t = find_path(replicaset, {"spec", "template"});
  json::value out = t ? *t : json::value(json::object());
  if (auto* labels = out.is_object() ? out.as_object().if_contains("metadata") : nullptr;
      labels && labels->is_object()) {
    if (auto* l = labels->as_object().if_contains("labels"); l && l->is_object()) {
      l->as_object().erase(kPodTemplateHashLabel);
      if (l->as_object().empty()) labels->as_object().erase("labels");
    }
  }
  return out;
}

}  // namespace

core::Result<std::int64_t> replicas_of(const json::value& body) {
  const auto* r = find_path(body, {"spec", "replicas"});
  if (!r) return core::fail(invalid_field("spec.replicas", "required"));
  auto range = fmt::format("must be a whole number from 0 to {}", kMaxReplicas);
  if (!r->is_int64()) return core::fail(invalid_field("spec.replicas", range));
  std::int64_t n = r->get_int64();
  if (n < 0 || n > kMaxReplicas) return core::fail(invalid_field("spec.replicas", range));
  return n;
}

core::Status check_scale_body(json::value& body, std::string_view ns, std::string_view name) {
  auto* o = body.if_object();
  if (!o) return core::fail(invalid_field("", "the body must be a JSON object (an autoscaling/v1 Scale)"));
  if (auto* k = o->if_contains("kind"); k && !(k->is_string() && k->get_string() == "Scale")) {
    return core::fail(invalid_field("kind", "must be Scale"));
  }
  if (auto* v = o->if_contains("apiVersion"); v && !(v->is_string() && v->get_string() == "autoscaling/v1")) {
    return core::fail(invalid_field("apiVersion", "must be autoscaling/v1"));
  }
  auto& meta = (*o)["metadata"];
  if (meta.is_null()) meta = json::object();
  if (!meta.is_object()) return core::fail(invalid_field("metadata", "must be an object"));
  if (auto* n = meta.as_object().if_contains("name"); n && !(n->is_string() && n->get_string() == name)) {
    return core::fail(invalid_field("metadata.name", fmt::format("must be {} (the name in the path)", name)));
  }
  if (auto* n = meta.as_object().if_contains("namespace"); n && !(n->is_string() && n->get_string() == ns)) {
    return core::fail(invalid_field("metadata.namespace", fmt::format("must be {} (or absent)", ns)));
  }
  if (auto r = replicas_of(body); !r) return core::fail(r.error());
  meta.as_object()["name"] = name;
  meta.as_object()["namespace"] = ns;
  (*o)["kind"] = "Scale";
  (*o)["apiVersion"] = "autoscaling/v1";
  return {};
}

core::Status check_scale_patch(const json::value& patch) {
  const auto* o = patch.if_object();
  if (!o) return core::fail(invalid_field("", "a scale patch is {\"spec\":{\"replicas\":N}}"));
  for (const auto& [key, value] : *o) {
    if (key != "spec") return core::fail(invalid_field(std::string(key), "only spec.replicas can be patched"));
  }
  const auto* spec = o->if_contains("spec");
  if (!spec || !spec->is_object()) return core::fail(invalid_field("spec.replicas", "required"));
  for (const auto& [key, value] : spec->get_object()) {
    if (key != "replicas") {
      return core::fail(invalid_field("spec." + std::string(key), "only spec.replicas can be patched"));
    }
  }
  if (auto r = replicas_of(patch); !r) return core::fail(r.error());
  return {};
}

std::string restart_patch(core::TimePoint now) {
  json::object annotations{{kRestartedAtAnnotation, core::format_rfc3339(now)}};
  json::object patch{
      {"spec", json::object{{"template", json::object{{"metadata", json::object{{"annotations", annotations}}}}}}}};
  return json::serialize(patch);
}

std::vector<Revision> deployment_revisions(const json::value& deployment, const std::vector<json::value>& replicasets) {
  std::vector<Revision> out;
  const auto uid = string_at(deployment, {"metadata", "uid"});
  for (const auto& rs : replicasets) {
    if (!owned_by(rs, uid)) continue;
    auto number = parse_int(string_at(rs, {"metadata", "annotations", kRevisionAnnotation}));
    if (!number) continue;
    Revision r;
    r.revision = *number;
    r.source = std::string(string_at(rs, {"metadata", "name"}));
    r.images = images_of(find_path(rs, {"spec", "template"}));
    r.change_cause = std::string(string_at(rs, {"metadata", "annotations", kChangeCauseAnnotation}));
    r.creation_timestamp = std::string(string_at(rs, {"metadata", "creationTimestamp"}));
    out.push_back(std::move(r));
  }
  newest_first(out);
  auto current = parse_int(string_at(deployment, {"metadata", "annotations", kRevisionAnnotation}));
  for (auto& r : out) r.current = current ? r.revision == *current : &r == &out.front();
  return out;
}

std::vector<Revision> controller_revisions(const json::value& owner, const std::vector<json::value>& revisions) {
  std::vector<Revision> out;
  const auto uid = string_at(owner, {"metadata", "uid"});
  for (const auto& cr : revisions) {
    if (!owned_by(cr, uid)) continue;
    const auto* number = find_path(cr, {"revision"});
    if (!number || !number->is_int64()) continue;
    Revision r;
    r.revision = number->get_int64();
    r.source = std::string(string_at(cr, {"metadata", "name"}));
    r.images = images_of(find_path(cr, {"data", "spec", "template"}));
    r.change_cause = std::string(string_at(cr, {"metadata", "annotations", kChangeCauseAnnotation}));
    r.creation_timestamp = std::string(string_at(cr, {"metadata", "creationTimestamp"}));
    out.push_back(std::move(r));
  }
  newest_first(out);
  auto update = string_at(owner, {"status", "updateRevision"});
  for (auto& r : out) r.current = update.empty() ? &r == &out.front() : r.source == update;
  return out;
}

json::object revisions_json(const std::vector<Revision>& revisions, std::string_view source_field) {
  json::array items;
  for (const auto& r : revisions) {
    json::array images;
    for (const auto& i : r.images) images.emplace_back(i);
    items.push_back(json::object{{"revision", r.revision},
                                 {source_field, r.source},
                                 {"images", std::move(images)},
                                 {"changeCause", r.change_cause},
                                 {"creationTimestamp", r.creation_timestamp},
                                 {"current", r.current}});
  }
  std::int64_t total = static_cast<std::int64_t>(items.size());
  return json::object{{"items", std::move(items)}, {"total", total}};
}

core::Result<std::int64_t> rollback_revision(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return 0;
  auto v = core::parse_json(body);
  if (!v) return core::fail(v.error());
  const auto* o = v->if_object();
  if (!o) return core::fail(invalid_field("", "the body is {\"revision\": N} (0 or absent: the previous revision)"));
  for (const auto& [key, value] : *o) {
    if (key != "revision") return core::fail(invalid_field(std::string(key), "unknown field"));
  }
  const auto* r = o->if_contains("revision");
  if (!r || r->is_null()) return 0;
  if (!r->is_int64() || r->get_int64() < 0) {
    return core::fail(invalid_field("revision", "must be a whole number (0: the previous revision)"));
  }
  return r->get_int64();
}

namespace {

// One owned revision: its number and the object holding it.
struct Candidate {
  std::int64_t number;
  const json::value* object;
};

// As kubectl: the asked revision, or (0) the second newest. NotFound naming the revision otherwise.
core::Result<Candidate> pick_revision(const std::vector<Candidate>& owned, std::int64_t asked, std::string_view kind,
                                      std::string_view name) {
  std::optional<Candidate> newest, previous;
  for (const auto& c : owned) {
    if (asked > 0) {
      if (c.number == asked) return c;
      continue;
    }
    if (!newest || c.number > newest->number) {
      previous = newest;
      newest = c;
    } else if (!previous || c.number > previous->number) {
      previous = c;
    }
  }
  if (asked > 0) {
    return core::fail(core::ErrorCode::NotFound, fmt::format("revision {} of {} {} not found", asked, kind, name));
  }
  if (!previous)
    return core::fail(core::ErrorCode::NotFound, fmt::format("{} {} has no previous revision", kind, name));
  return *previous;
}

}  // namespace

core::Result<RollbackPlan> plan_rollback(const json::value& deployment, const std::vector<json::value>& replicasets,
                                         std::int64_t revision) {
  const auto name = string_at(deployment, {"metadata", "name"});
  if (const auto* paused = find_path(deployment, {"spec", "paused"});
      paused && paused->is_bool() && paused->get_bool()) {
    return core::fail(core::ErrorCode::Conflict,
                      fmt::format("deployment {} is paused: resume it before rolling it back", name));
  }
  std::vector<Candidate> owned;
  const auto uid = string_at(deployment, {"metadata", "uid"});
  for (const auto& rs : replicasets) {
    if (!owned_by(rs, uid)) continue;
    auto number = parse_int(string_at(rs, {"metadata", "annotations", kRevisionAnnotation}));
    if (number) owned.push_back(Candidate{*number, &rs});
  }
  auto picked = pick_revision(owned, revision, "deployment", name);
  if (!picked) return core::fail(picked.error());
  const json::value& target = *picked->object;
  RollbackPlan plan;
  plan.revision = picked->number;
  plan.source = std::string(string_at(target, {"metadata", "name"}));
  plan.content_type = "application/json-patch+json";
  json::value pod_template = template_without_hash(target);
  const auto* current = find_path(deployment, {"spec", "template"});
  if (current && template_without_hash(json::object{{"spec", json::object{{"template", *current}}}}) == pod_template) {
    plan.unchanged = true;
    return plan;
  }
  json::object annotations;
  const auto* own = find_path(deployment, {"metadata", "annotations"});
  for (auto key : kRollbackKeeps) {
    if (own && own->is_object()) {
      if (const auto* v = own->get_object().if_contains(key)) annotations[key] = *v;
    }
  }
  if (const auto* theirs = find_path(target, {"metadata", "annotations"}); theirs && theirs->is_object()) {
    for (const auto& [key, value] : theirs->get_object()) {
      if (std::find(kRollbackKeeps.begin(), kRollbackKeeps.end(), std::string_view(key)) == kRollbackKeeps.end()) {
        annotations[key] = value;
      }
    }
  }
  json::array patch{
      json::object{{"op", "replace"}, {"path", "/spec/template"}, {"value", std::move(pod_template)}},
      json::object{{"op", "add"}, {"path", "/metadata/annotations"}, {"value", std::move(annotations)}},
  };
  plan.patch = json::serialize(patch);
  return plan;
}

core::Result<RollbackPlan> plan_controller_rollback(const json::value& owner, std::string_view kind,
                                                    const std::vector<json::value>& revisions, std::int64_t revision) {
  const auto name = string_at(owner, {"metadata", "name"});
  std::vector<Candidate> owned;
  const auto uid = string_at(owner, {"metadata", "uid"});
  for (const auto& cr : revisions) {
    if (!owned_by(cr, uid)) continue;
    const auto* number = find_path(cr, {"revision"});
    const auto* data_template = find_path(cr, {"data", "spec", "template"});
    if (number && number->is_int64() && data_template && data_template->is_object()) {
      owned.push_back(Candidate{number->get_int64(), &cr});
    }
  }
  auto picked = pick_revision(owned, revision, kind, name);
  if (!picked) return core::fail(picked.error());
  const json::value& target = *picked->object;
  RollbackPlan plan;
  plan.revision = picked->number;
  plan.source = std::string(string_at(target, {"metadata", "name"}));
  plan.content_type = "application/strategic-merge-patch+json";
  // The revision's data is the strategic merge patch the controller recorded: {"spec":{"template":{...,
  // "$patch":"replace"}}}. Only the template is taken from it, whatever else a revision's data might hold.
  json::value recorded = *find_path(target, {"data", "spec", "template"});
  recorded.as_object().erase("$patch");
  const auto* current = find_path(owner, {"spec", "template"});
  if (current && *current == recorded) {
    plan.unchanged = true;
    return plan;
  }
  recorded.as_object()["$patch"] = "replace";
  plan.patch = json::serialize(json::object{{"spec", json::object{{"template", std::move(recorded)}}}});
  return plan;
}

// ---------------------------------------------------------------------------------------------------------------

struct WorkloadActionRoutes::Kind {
  const WorkloadKind* workload;
  std::string resource;  // "deployments"
  std::string group;     // "apps"
};

namespace {

const WorkloadKind* find_workload_kind(std::string_view resource) {
  for (const auto& k : workload_kinds()) {
    if (k.resource == resource) return &k;
  }
  return nullptr;
}

}  // namespace

WorkloadActionRoutes::WorkloadActionRoutes(kube::ClusterConnections& clusters, core::Authorizer& authorizer,
                                           const core::Clock& clock)
    : clusters_(clusters), authorizer_(authorizer), clock_(clock) {}

void WorkloadActionRoutes::register_routes(Router& router) const {
  // Kinds live as long as the process (the routes hold pointers to them).
  static const std::vector<Kind> kinds = [] {
    std::vector<Kind> out;
    for (const char* r : {"deployments", "statefulsets", "replicasets", "daemonsets"}) {
      const WorkloadKind* w = find_workload_kind(r);
      if (w) out.push_back(Kind{w, std::string(w->resource), std::string(w->group)});
    }
    return out;
  }();
  using Handler = core::Result<net::HttpResponse> (WorkloadActionRoutes::*)(RouteContext&, const Kind&) const;
  auto add = [&](const Kind& kind, const char* method, const char* action, const char* verb, const char* sub,
                 Handler fn, std::string summary) {
    Route r;
    r.method = method;
    r.pattern = "/api/v1/clusters/{cluster}/namespaces/{namespace}/" + kind.resource + "/{name}/" + action;
    r.handler = [this, fn, k = &kind](RouteContext& ctx) { return (this->*fn)(ctx, *k); };
    r.verb = verb;
    r.resource = kind.resource;
    r.api_group = kind.group;
    r.subresource = sub;
    r.summary = std::move(summary);
    router.add(std::move(r));
  };
  for (const auto& kind : kinds) {
    const std::string k(kind.workload->kind);
    if (kind.resource != "daemonsets") {
      add(kind, "GET", "scale", "get", "scale", &WorkloadActionRoutes::get_scale, "Read the Scale of a " + k);
      add(kind, "PUT", "scale", "update", "scale", &WorkloadActionRoutes::put_scale,
          "Replace the Scale of a " + k + " (spec.replicas 0..10000)");
      add(kind, "PATCH", "scale", "patch", "scale", &WorkloadActionRoutes::patch_scale,
          "Set the replicas of a " + k + ": {\"spec\":{\"replicas\":N}}");
    }
    if (kind.resource != "replicasets") {
      add(kind, "POST", "restart", "patch", "", &WorkloadActionRoutes::restart,
          "Restart the pods of a " + k + " (kubectl rollout restart)");
      add(kind, "GET", "revisions", "get", "", &WorkloadActionRoutes::revisions,
          "The rollout history of a " + k + ", newest first");
      add(kind, "POST", "rollback", "create", "rollback", &WorkloadActionRoutes::rollback,
          "Roll a " + k + " back to a revision: {\"revision\":N} (0 or absent: the previous one)");
    }
  }
}

core::Status WorkloadActionRoutes::require(const RouteContext& ctx, std::string_view verb, std::string_view group,
                                           std::string_view resource) const {
  core::AccessRequest access{std::string(verb), std::string(group), std::string(resource), "", "", ctx.scope};
  auto d = authorizer_.authorize(ctx.principal, access);
  if (d.allowed) return {};
  return core::fail(core::ErrorCode::PermissionDenied,
                    fmt::format("user \"{}\" may not {}", ctx.principal.user,
                                d.reason.empty() ? fmt::format("{} {}", verb, resource) : d.reason));
}

core::Result<std::vector<json::value>> WorkloadActionRoutes::cached_objects(const RouteContext& ctx,
                                                                            std::string_view group,
                                                                            std::string_view resource) const {
  auto r = clusters_.resource(ctx.param("cluster"), group, resource);
  if (!r) return core::fail(r.error());
  auto informer = clusters_.informer(ctx.param("cluster"), *r);
  if (!informer) return core::fail(informer.error());
  const auto& cache = (*informer)->cache();
  std::vector<json::value> out;
  const std::string& ns = ctx.param("namespace");
  for (const auto& key : cache.keys(ns)) {
    auto slash = key.find('/');
    auto text = cache.find(ns, std::string_view(key).substr(slash == std::string::npos ? 0 : slash + 1));
    if (!text) continue;  // deleted meanwhile
    if (auto v = core::parse_json(*text); v && v->is_object()) out.push_back(std::move(*v));
  }
  return out;
}

namespace {

// The object's path on the apiserver, with an optional subresource.
core::Result<std::string> object_path(kube::ClusterConnections& clusters, const RouteContext& ctx,
                                      std::string_view group, std::string_view resource, std::string_view sub = {}) {
  auto r = clusters.resource(ctx.param("cluster"), group, resource);
  if (!r) return core::fail(r.error());
  std::string p = r->collection_path(ctx.param("namespace")) + "/" + ctx.param("name");
  if (!sub.empty()) p += "/" + std::string(sub);
  return p;
}

std::string dry_run_query(const net::HttpRequest& req, char first) {
  auto dry = req.query_param("dryRun");
  return dry && *dry == "All" ? std::string(1, first) + "dryRun=All" : std::string();
}

}  // namespace

core::Result<net::HttpResponse> WorkloadActionRoutes::get_scale(RouteContext& ctx, const Kind& kind) const {
  if (auto s = check_path_names(ctx); !s) return core::fail(s.error());
  auto path = object_path(clusters_, ctx, kind.group, kind.resource, "scale");
  if (!path) return core::fail(path.error());
  auto client = clusters_.client(ctx.param("cluster"));
  if (!client) return core::fail(client.error());
  auto scale = (*client)->get(*path);
  if (!scale) return core::fail(scale.error());
  return json_response(200, std::move(*scale));
}

core::Result<net::HttpResponse> WorkloadActionRoutes::put_scale(RouteContext& ctx, const Kind& kind) const {
  if (auto s = check_path_names(ctx); !s) return core::fail(s.error());
  if (ctx.request.body.empty()) return core::fail(core::ErrorCode::InvalidArgument, "the request body is empty");
  auto body = core::parse_json(ctx.request.body);
  if (!body) return core::fail(body.error());
  if (auto s = check_scale_body(*body, ctx.param("namespace"), ctx.param("name")); !s) return core::fail(s.error());
  auto path = object_path(clusters_, ctx, kind.group, kind.resource, "scale");
  if (!path) return core::fail(path.error());
  auto client = clusters_.client(ctx.param("cluster"));
  if (!client) return core::fail(client.error());
  auto scale = (*client)->call(kube::Request{"PUT", *path + dry_run_query(ctx.request, '?'), json::serialize(*body)});
  if (!scale) return core::fail(scale.error());
  return json_response(200, std::move(*scale));
}

core::Result<net::HttpResponse> WorkloadActionRoutes::patch_scale(RouteContext& ctx, const Kind& kind) const {
  if (auto s = check_path_names(ctx); !s) return core::fail(s.error());
  if (auto ct = ctx.request.header("Content-Type");
      ct && !ct->empty() && !ct->starts_with("application/merge-patch+json") && !ct->starts_with("application/json")) {
    return core::fail(core::ErrorCode::InvalidArgument,
                      "send a merge patch (application/merge-patch+json): {\"spec\":{\"replicas\":N}}");
  }
  if (ctx.request.body.empty()) return core::fail(core::ErrorCode::InvalidArgument, "the request body is empty");
  auto patch = core::parse_json(ctx.request.body);
  if (!patch) return core::fail(patch.error());
  if (auto s = check_scale_patch(*patch); !s) return core::fail(s.error());
  auto path = object_path(clusters_, ctx, kind.group, kind.resource, "scale");
  if (!path) return core::fail(path.error());
  auto client = clusters_.client(ctx.param("cluster"));
  if (!client) return core::fail(client.error());
  auto scale = (*client)->call(kube::Request{"PATCH", *path + dry_run_query(ctx.request, '?'), json::serialize(*patch),
                                             "application/merge-patch+json"});
  if (!scale) return core::fail(scale.error());
  return json_response(200, std::move(*scale));
}

core::Result<WorkloadActionRoutes::Current> WorkloadActionRoutes::read_current(const RouteContext& ctx,
                                                                               const Kind& kind) const {
  auto path = object_path(clusters_, ctx, kind.group, kind.resource);
  if (!path) return core::fail(path.error());
  auto client = clusters_.client(ctx.param("cluster"));
  if (!client) return core::fail(client.error());
  auto text = (*client)->get(*path);
  if (!text) return core::fail(text.error());
  auto object = core::parse_json(*text);
  if (!object) return core::fail(core::ErrorCode::Internal, "the cluster sent an unreadable object");
  return Current{std::move(*client), std::move(*path), std::move(*object)};
}

core::Result<net::HttpResponse> WorkloadActionRoutes::restart(RouteContext& ctx, const Kind& kind) const {
  if (auto s = check_path_names(ctx); !s) return core::fail(s.error());
  auto current = read_current(ctx, kind);
  if (!current) return core::fail(current.error());
  const auto& [client, path, object] = *current;
  if (const auto* paused = find_path(object, {"spec", "paused"}); paused && paused->is_bool() && paused->get_bool()) {
    return core::fail(core::ErrorCode::Conflict, fmt::format("{} {} is paused: resume it before restarting it",
                                                             kind.workload->kind, ctx.param("name")));
  }
  auto patched = client->call(kube::Request{"PATCH", path + "?fieldManager=atrium" + dry_run_query(ctx.request, '&'),
                                            restart_patch(clock_.now()), "application/merge-patch+json"});
  if (!patched) return core::fail(patched.error());
  observe_written(clusters_, ctx.param("cluster"), kind.group, kind.resource, *patched);
  return json_response(200, std::move(*patched));
}

core::Result<net::HttpResponse> WorkloadActionRoutes::revisions(RouteContext& ctx, const Kind& kind) const {
  if (auto s = check_path_names(ctx); !s) return core::fail(s.error());
  const bool deployment = kind.resource == "deployments";
  const char* history = deployment ? "replicasets" : "controllerrevisions";
  if (auto s = require(ctx, "list", "apps", history); !s) return core::fail(s.error());
  auto r = clusters_.resource(ctx.param("cluster"), kind.group, kind.resource);
  if (!r) return core::fail(r.error());
  auto informer = clusters_.informer(ctx.param("cluster"), *r);
  if (!informer) return core::fail(informer.error());
  auto text = (*informer)->cache().find(ctx.param("namespace"), ctx.param("name"));
  if (!text) {
    return core::fail(core::ErrorCode::NotFound, fmt::format("{} \"{}\" not found in namespace {}", kind.resource,
                                                             ctx.param("name"), ctx.param("namespace")));
  }
  auto owner = core::parse_json(*text);
  if (!owner) return core::fail(core::ErrorCode::Internal, "the cache holds an unreadable object");
  auto objects = cached_objects(ctx, "apps", history);
  if (!objects) return core::fail(objects.error());
  if (deployment)
    return json_response(200, json::value(revisions_json(deployment_revisions(*owner, *objects), "replicaSet")));
  return json_response(200, json::value(revisions_json(controller_revisions(*owner, *objects), "controllerRevision")));
}

core::Result<net::HttpResponse> WorkloadActionRoutes::rollback(RouteContext& ctx, const Kind& kind) const {
  if (auto s = check_path_names(ctx); !s) return core::fail(s.error());
  auto revision = rollback_revision(ctx.request.body);
  if (!revision) return core::fail(revision.error());
  const bool deployment = kind.resource == "deployments";
  const char* history = deployment ? "replicasets" : "controllerrevisions";
  if (auto s = require(ctx, "list", "apps", history); !s) return core::fail(s.error());
  auto current = read_current(ctx, kind);
  if (!current) return core::fail(current.error());
  auto& [client, path, owner] = *current;
  auto objects = cached_objects(ctx, "apps", history);
  if (!objects) return core::fail(objects.error());
  std::string kind_name(kind.workload->kind);  // "StatefulSet"
  std::string lower = kind_name;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  auto plan = deployment ? plan_rollback(owner, *objects, *revision)
                         : plan_controller_rollback(owner, lower, *objects, *revision);
  if (!plan) return core::fail(plan.error());
  // {"kind":"StatefulSetRollback","revision":N,"controllerRevision"|"replicaSet":..., "changed", "message",
  //  "statefulSet"|"deployment"|"daemonSet": the object after the rollback}
  std::string object_field = kind_name;
  object_field[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(object_field[0])));
  json::object result{{"kind", kind_name + "Rollback"},
                      {"revision", plan->revision},
                      {deployment ? "replicaSet" : "controllerRevision", plan->source},
                      {"changed", !plan->unchanged}};
  if (plan->unchanged) {
    result["message"] =
        fmt::format("skipped rollback: the current template already matches revision {}", plan->revision);
    result[object_field] = std::move(owner);
    return json_response(200, json::value(std::move(result)));
  }
  auto patched = client->call(kube::Request{"PATCH", path + "?fieldManager=atrium" + dry_run_query(ctx.request, '&'),
                                            plan->patch, plan->content_type});
  if (!patched) return core::fail(patched.error());
  observe_written(clusters_, ctx.param("cluster"), kind.group, kind.resource, *patched);
  result["message"] = fmt::format("rolled back to revision {}", plan->revision);
  auto object = core::parse_json(*patched);
  result[object_field] = object ? std::move(*object) : json::value();
  return json_response(200, json::value(std::move(result)));
}

}  // namespace atrium::api
