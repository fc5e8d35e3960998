#include "api/node_routes.h"

#include <set>
#include <thread>

#include <fmt/format.h>

#include "api/kube_route_support.h"
#include "api/request_body.h"
#include "api/responses.h"
#include "core/clock.h"
#include "core/validation.h"
#include "net/http.h"

namespace atrium::api {
namespace {

constexpr std::size_t kMaxLabels = 100;
constexpr std::size_t kMaxTaints = 100;
constexpr std::int64_t kMaxGracePeriodSeconds = 3600;
constexpr std::int64_t kMaxDrainTimeoutSeconds = 300;

core::Error invalid_field(std::string field, std::string message) {
  std::string text = field + ": " + message;
  return core::Error(core::ErrorCode::InvalidArgument, std::move(text), {core::Cause{std::move(field), message}});
}

std::string quoted(std::string_view s) {
  std::string out;
  core::append_json_string(out, s.substr(0, 253));
  return out;
}

json::object pod_json(const PodRef& p) { return json::object{{"namespace", p.namespace_name}, {"name", p.name}}; }

}  // namespace

core::Result<std::string> node_labels_patch(const json::value& body) {
  const auto* o = body.if_object();
  if (!o) {
    return core::fail(
        invalid_field("", "the body is a JSON object of labels: {\"key\": \"value\"} sets, null removes"));
  }
  if (o->size() > kMaxLabels) return core::fail(invalid_field("", fmt::format("at most {} labels", kMaxLabels)));
  std::vector<core::Cause> causes;
  for (const auto& [key, value] : *o) {
    std::string field = "labels[" + quoted(key) + "]";
    if (auto m = core::validate_label_key(key); !m.empty()) {
      causes.push_back({field, m});
      continue;
    }
    if (value.is_null()) continue;
    if (!value.is_string()) {
      causes.push_back({field, "must be a string (or null to remove the label)"});
    } else if (auto m = core::validate_label_value(value.get_string()); !m.empty()) {
      causes.push_back({field, m});
    }
  }
  if (!causes.empty()) {
    std::string message = causes.front().field + ": " + causes.front().message;
    return core::fail(core::Error(core::ErrorCode::InvalidArgument, std::move(message), std::move(causes)));
  }
  return json::serialize(json::object{{"metadata", json::object{{"labels", *o}}}});
}

core::Result<json::array> check_taints(const json::value& body) {
  const auto* list = body.if_array();
  if (!list) return core::fail(invalid_field("", "the body is the node's new list of taints: [{key, value, effect}]"));
  if (list->size() > kMaxTaints) return core::fail(invalid_field("", fmt::format("at most {} taints", kMaxTaints)));
  std::vector<core::Cause> causes;
  std::set<std::pair<std::string, std::string>> seen;
  json::array out;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string at = fmt::format("[{}]", i);
    const auto* t = (*list)[i].if_object();
    if (!t) {
      causes.push_back({at, "a taint is an object {key, value, effect}"});
      continue;
    }
    std::size_t before = causes.size();
    for (const auto& [field, value] : *t) {
      if (field != "key" && field != "value" && field != "effect" && field != "timeAdded") {
        causes.push_back({at + "." + std::string(field), "unknown field (a taint has key, value, effect, timeAdded)"});
      }
    }
    // timeAdded is kept as it was read (the node controller sets it on NoExecute taints), so a list read from the
    // node can be sent back.
    const auto* added = t->if_contains("timeAdded");
    core::TimePoint ignored;
    if (added && !added->is_null() && !(added->is_string() && core::parse_rfc3339(added->get_string(), ignored))) {
      causes.push_back({at + ".timeAdded", "must be an RFC 3339 time (or absent)"});
    }
    const auto* key = t->if_contains("key");
    const auto* value = t->if_contains("value");
    const auto* effect = t->if_contains("effect");
    if (!key || !key->is_string()) {
      causes.push_back({at + ".key", "required, a string"});
    } else if (auto m = core::validate_label_key(key->get_string()); !m.empty()) {
      causes.push_back({at + ".key", m});
    }
    if (value && !value->is_null()) {
      if (!value->is_string()) {
        causes.push_back({at + ".value", "must be a string"});
      } else if (auto m = core::validate_label_value(value->get_string()); !m.empty()) {
        causes.push_back({at + ".value", m});
      }
    }
    if (!effect || !effect->is_string() ||
        (effect->get_string() != "NoSchedule" && effect->get_string() != "PreferNoSchedule" &&
         effect->get_string() != "NoExecute")) {
      causes.push_back({at + ".effect", "must be NoSchedule, PreferNoSchedule or NoExecute"});
    }
    if (causes.size() != before) continue;
    if (!seen.emplace(std::string(key->get_string()), std::string(effect->get_string())).second) {
      causes.push_back({at, fmt::format("a taint with key {} and effect {} is already in the list",
                                        quoted(key->get_string()), effect->get_string())});
      continue;
    }
    json::object taint{{"key", key->get_string()}, {"effect", effect->get_string()}};
    if (value && value->is_string() && !value->get_string().empty()) taint["value"] = value->get_string();
    if (added && added->is_string()) taint["timeAdded"] = added->get_string();
    out.push_back(std::move(taint));
  }
  if (!causes.empty()) {
    std::string message = causes.front().field + ": " + causes.front().message;
    return core::fail(core::Error(core::ErrorCode::InvalidArgument, std::move(message), std::move(causes)));
  }
  return out;
}

DrainSelection select_pods_to_drain(const std::vector<json::value>& pods) {
  DrainSelection out;
  for (const auto& pod : pods) {
    PodRef ref{std::string(string_at(pod, {"metadata", "namespace"})),
               std::string(string_at(pod, {"metadata", "name"})), std::string(string_at(pod, {"metadata", "uid"}))};
    if (ref.name.empty()) continue;
    if (const auto* annotations = find_path(pod, {"metadata", "annotations"});
        annotations && annotations->is_object() && annotations->get_object().contains("kubernetes.io/config.mirror")) {
      out.skipped.push_back({std::move(ref), "mirror pod (a static pod of the kubelet)"});
      continue;
    }
    std::string daemonset;
    if (const auto* refs = find_path(pod, {"metadata", "ownerReferences"}); refs && refs->is_array()) {
      for (const auto& owner : refs->get_array()) {
        const auto* controller = find_path(owner, {"controller"});
        if (string_at(owner, {"kind"}) == "DaemonSet" && controller && controller->is_bool() &&
            controller->get_bool()) {
          daemonset = std::string(string_at(owner, {"name"}));
        }
      }
    }
    if (!daemonset.empty()) {
      out.skipped.push_back({std::move(ref), "managed by DaemonSet " + daemonset});
      continue;
    }
    out.evict.push_back(std::move(ref));
  }
  return out;
}

std::string eviction_body(const PodRef& pod, std::optional<std::int64_t> grace_period_seconds) {
  json::object eviction{{"apiVersion", "policy/v1beta1"},
                        {"kind", "Eviction"},
                        {"metadata", json::object{{"name", pod.name}, {"namespace", pod.namespace_name}}}};
  if (grace_period_seconds) eviction["deleteOptions"] = json::object{{"gracePeriodSeconds", *grace_period_seconds}};
  return json::serialize(eviction);
}

core::Result<DrainOptions> parse_drain_options(const net::HttpRequest& request) {
  DrainOptions o;
  auto grace = query_int(request, "gracePeriodSeconds", 0, kMaxGracePeriodSeconds);
  if (!grace) return core::fail(grace.error());
  o.grace_period_seconds = *grace;
  auto timeout = query_int(request, "timeoutSeconds", 0, kMaxDrainTimeoutSeconds);
  if (!timeout) return core::fail(timeout.error());
  if (*timeout) o.timeout = std::chrono::seconds(**timeout);
  return o;
}

NodeRoutes::NodeRoutes(kube::ClusterConnections& clusters, core::Authorizer& authorizer, NodeRoutesOptions options)
    : clusters_(clusters), authorizer_(authorizer), options_(options) {}

void NodeRoutes::register_routes(Router& router) const {
  const std::string nodes = "/api/v1/clusters/{cluster}/nodes";
  auto add = [&](const char* method, std::string pattern, const char* verb, RouteHandler handler, std::string summary,
                 const char* resource = "nodes") {
    router.add(Route{.method = method,
                     .pattern = std::move(pattern),
                     .handler = std::move(handler),
                     .verb = verb,
                     .resource = resource,
                     .summary = std::move(summary)});
  };
  add(
      "GET", nodes, "list", [this](RouteContext& ctx) { return list(ctx, "nodes"); },
      "List the nodes of a cluster (cached)");
  add(
      "GET", nodes + "/{name}", "get", [this](RouteContext& ctx) { return get(ctx, "nodes"); }, "Read a node (cached)");
  // The namespaces of a cluster (its projects' and the rest), for cluster roles; labels atrium.io/workspace and
  // atrium.io/project name a project's.
  const std::string namespaces = "/api/v1/clusters/{cluster}/namespaces";
  add(
      "GET", namespaces, "list", [this](RouteContext& ctx) { return list(ctx, "namespaces"); },
      "List the namespaces of a cluster (cached)", "namespaces");
  add(
      "GET", namespaces + "/{name}", "get", [this](RouteContext& ctx) { return get(ctx, "namespaces"); },
      "Read a namespace (cached)", "namespaces");
  add(
      "POST", nodes + "/{name}/cordon", "patch", [this](RouteContext& ctx) { return cordon(ctx, true); },
      "Mark a node unschedulable");
  add(
      "POST", nodes + "/{name}/uncordon", "patch", [this](RouteContext& ctx) { return cordon(ctx, false); },
      "Mark a node schedulable again");
  add(
      "POST", nodes + "/{name}/drain", "patch", [this](RouteContext& ctx) { return drain(ctx); },
      "Cordon a node and evict its pods (not DaemonSet or mirror pods); ?gracePeriodSeconds=, ?timeoutSeconds=");
  add(
      "PATCH", nodes + "/{name}/labels", "patch", [this](RouteContext& ctx) { return labels(ctx); },
      "Change a node's labels: {\"key\":\"value\"} sets, {\"key\":null} removes");
  add(
      "PATCH", nodes + "/{name}/taints", "patch", [this](RouteContext& ctx) { return taints(ctx); },
      "Replace a node's taints: [{key, value, effect}]");
}

core::Result<net::HttpResponse> NodeRoutes::list(RouteContext& ctx, std::string_view plural) const {
  auto opts = core::parse_list_options(ctx.request.query);
  if (!opts) return core::fail(opts.error());
  auto resource = clusters_.resource(ctx.param("cluster"), "", plural);
  if (!resource) return core::fail(resource.error());
  auto informer = clusters_.informer(ctx.param("cluster"), *resource);
  if (!informer) return core::fail(informer.error());
  auto page = (*informer)->cache().list("", *opts);
  std::string body = "{\"items\":[";
  for (std::size_t i = 0; i < page.items.size(); ++i) {
    if (i) body += ',';
    body += page.items[i];
  }
  body += "],\"total\":" + std::to_string(page.total) + "}";
  return json_response(200, std::move(body));
}

core::Result<net::HttpResponse> NodeRoutes::get(RouteContext& ctx, std::string_view plural) const {
  if (auto s = check_path_names(ctx); !s) return core::fail(s.error());
  auto resource = clusters_.resource(ctx.param("cluster"), "", plural);
  if (!resource) return core::fail(resource.error());
  auto informer = clusters_.informer(ctx.param("cluster"), *resource);
  if (!informer) return core::fail(informer.error());
  auto text = (*informer)->cache().find("", ctx.param("name"));
  if (!text) {
    return core::fail(core::ErrorCode::NotFound, fmt::format("{} \"{}\" not found", resource->kind, ctx.param("name")));
  }
  return json_response(200, std::move(*text));
}

core::Result<std::string> NodeRoutes::patch_node(const RouteContext& ctx, std::string patch) const {
  auto client = clusters_.client(ctx.param("cluster"));
  if (!client) return core::fail(client.error());
  auto patched = (*client)->call(kube::Request{"PATCH", "/api/v1/nodes/" + ctx.param("name") + "?fieldManager=atrium",
                                               std::move(patch), "application/merge-patch+json"});
  if (!patched) return core::fail(patched.error());
  observe_written(clusters_, ctx.param("cluster"), "", "nodes", *patched);
  return patched;
}

core::Result<net::HttpResponse> NodeRoutes::cordon(RouteContext& ctx, bool unschedulable) const {
  if (auto s = check_path_names(ctx); !s) return core::fail(s.error());
  auto patched =
      patch_node(ctx, unschedulable ? R"({"spec":{"unschedulable":true}})" : R"({"spec":{"unschedulable":null}})");
  if (!patched) return core::fail(patched.error());
  return json_response(200, std::move(*patched));
}

core::Result<std::vector<json::value>> NodeRoutes::pods_on_node(kube::Client& client, const std::string& node) const {
  auto list = client.get("/api/v1/pods?fieldSelector=" + net::percent_encode("spec.nodeName=" + node));
  if (!list) return core::fail(list.error());
  auto v = core::parse_json(*list, core::JsonLimits{.max_bytes = 16 << 20});
  if (!v) return core::fail(core::ErrorCode::Internal, "the cluster sent an unreadable pod list");
  std::vector<json::value> pods;
  if (const auto* items = find_path(*v, {"items"}); items && items->is_array()) {
    for (const auto& p : items->get_array()) pods.push_back(p);
  }
  return pods;
}

core::Result<net::HttpResponse> NodeRoutes::drain(RouteContext& ctx) const {
  if (auto s = check_path_names(ctx); !s) return core::fail(s.error());
  auto options = parse_drain_options(ctx.request);
  if (!options) return core::fail(options.error());
  // Evictions reach pods of every project on the node: the caller must be allowed them at cluster scope.
  core::AccessRequest evict{"create", "", "pods", "eviction", "", ctx.scope};
  if (auto d = authorizer_.authorize(ctx.principal, evict); !d.allowed) {
    return core::fail(core::ErrorCode::PermissionDenied,
                      fmt::format("user \"{}\" may not {}", ctx.principal.user,
                                  d.reason.empty() ? std::string("create pods/eviction") : d.reason));
  }
  auto client = clusters_.client(ctx.param("cluster"));
  if (!client) return core::fail(client.error());
  auto cordoned = patch_node(ctx, R"({"spec":{"unschedulable":true}})");
  if (!cordoned) return core::fail(cordoned.error());
  const std::string& node = ctx.param("name");
  auto pods = pods_on_node(**client, node);
  if (!pods) return core::fail(pods.error().with_context("node cordoned, but its pods could not be listed"));
  DrainSelection selection = select_pods_to_drain(*pods);

  const auto deadline = std::chrono::steady_clock::now() + options->timeout;
  json::array evicted, skipped, failed;
  for (const auto& s : selection.skipped) {
    json::object o = pod_json(s.pod);
    o["reason"] = s.reason;
    skipped.push_back(std::move(o));
  }
  std::optional<core::Error> first_failure;
  auto fail_pod = [&](const PodRef& pod, const core::Error& e) {
    json::object o = pod_json(pod);
    o["reason"] = e.message;
    o["code"] = core::http_status(e);
    failed.push_back(std::move(o));
    if (!first_failure) first_failure = e;
  };
  std::vector<PodRef> gone_wait;  // evicted pods whose deletion is awaited
  std::vector<PodRef> pending = selection.evict;
  while (!pending.empty()) {
    std::vector<std::pair<PodRef, core::Error>> blocked;
    for (const auto& pod : pending) {
      auto answer = (*client)->send(
          kube::Request{"POST", fmt::format("/api/v1/namespaces/{}/pods/{}/eviction", pod.namespace_name, pod.name),
                        eviction_body(pod, options->grace_period_seconds)});
      if (!answer) {
        fail_pod(pod, answer.error());
      } else if (answer->status >= 200 && answer->status < 300) {
        evicted.push_back(pod_json(pod));
        gone_wait.push_back(pod);
      } else if (answer->status == 404) {
        json::object o = pod_json(pod);
        o["reason"] = "already deleted";
        skipped.push_back(std::move(o));
      } else if (answer->status == 403 && (answer->body.find("NamespaceTerminating") != std::string::npos ||
                                           answer->body.find("because it is being terminated") != std::string::npos)) {
        // Its namespace is being deleted, which deletes the pod: no eviction can be made there (as kubectl drain,
        // wait for the pod to go instead).
        json::object o = pod_json(pod);
        o["reason"] = "its namespace is being deleted";
        skipped.push_back(std::move(o));
        gone_wait.push_back(pod);
      } else if (answer->status == 429) {
        // A PodDisruptionBudget refuses it for now: retried until the timeout, then reported.
        blocked.emplace_back(pod, kube::Client::error_from_response(*answer));
      } else {
        fail_pod(pod, kube::Client::error_from_response(*answer));
      }
    }
    pending.clear();
    if (blocked.empty()) break;
    if (std::chrono::steady_clock::now() + options_.poll_interval >= deadline) {
      for (const auto& [pod, e] : blocked) {
        fail_pod(pod, core::Error(core::ErrorCode::ResourceExhausted,
                                  "eviction refused by a disruption budget: " + e.message));
      }
      break;
    }
    std::this_thread::sleep_for(options_.poll_interval);
    for (auto& [pod, e] : blocked) pending.push_back(pod);
  }

  // Wait (up to the timeout) for evicted pods to be gone: same name and uid no longer on the node.
  json::array terminating;
  while (!gone_wait.empty()) {
    auto now_pods = pods_on_node(**client, node);
    if (now_pods) {
      std::set<std::string> present;
      for (const auto& p : *now_pods) present.insert(std::string(string_at(p, {"metadata", "uid"})));
      std::erase_if(gone_wait, [&](const PodRef& p) { return !present.contains(p.uid); });
    }
    if (gone_wait.empty()) break;
    if (std::chrono::steady_clock::now() + options_.poll_interval >= deadline) {
      for (const auto& p : gone_wait) terminating.push_back(pod_json(p));
      break;
    }
    std::this_thread::sleep_for(options_.poll_interval);
  }

  const std::size_t failures = failed.size();
  json::object summary{{"kind", "NodeDrain"},
                       {"node", node},
                       {"cordoned", true},
                       {"evicted", std::move(evicted)},
                       {"skipped", std::move(skipped)},
                       {"failed", std::move(failed)},
                       {"terminating", std::move(terminating)}};
  if (first_failure) {
    first_failure->message = fmt::format("node {} cordoned; {} pod(s) could not be evicted; first: {}", node, failures,
                                         first_failure->message);
    first_failure->causes.clear();
  }
  return batch_response(std::move(summary), first_failure);
}

core::Result<net::HttpResponse> NodeRoutes::labels(RouteContext& ctx) const {
  if (auto s = check_path_names(ctx); !s) return core::fail(s.error());
  auto body = parse_json_body(ctx.request);
  if (!body) return core::fail(body.error());
  auto patch = node_labels_patch(*body);
  if (!patch) return core::fail(patch.error());
  auto patched = patch_node(ctx, std::move(*patch));
  if (!patched) return core::fail(patched.error());
  return json_response(200, std::move(*patched));
}

core::Result<net::HttpResponse> NodeRoutes::taints(RouteContext& ctx) const {
  if (auto s = check_path_names(ctx); !s) return core::fail(s.error());
  auto body = parse_json_body(ctx.request);
  if (!body) return core::fail(body.error());
  auto list = check_taints(*body);
  if (!list) return core::fail(list.error());
  // The list replaces the node's: conditional on the version read, so a taint added meanwhile is not lost silently.
  auto client = clusters_.client(ctx.param("cluster"));
  if (!client) return core::fail(client.error());
  auto node = (*client)->get("/api/v1/nodes/" + ctx.param("name"));
  if (!node) return core::fail(node.error());
  auto current = core::parse_json(*node);
  if (!current) return core::fail(core::ErrorCode::Internal, "the cluster sent an unreadable node");
  json::object patch{
      {"metadata", json::object{{"resourceVersion", string_at(*current, {"metadata", "resourceVersion"})}}},
      {"spec", json::object{{"taints", std::move(*list)}}}};
  auto patched = patch_node(ctx, json::serialize(patch));
  if (!patched) return core::fail(patched.error());
  return json_response(200, std::move(*patched));
}

}  // namespace atrium::api
