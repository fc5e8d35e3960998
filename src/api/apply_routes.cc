#include "api/apply_routes.h"

#include <algorithm>

#include <fmt/format.h>

#include "api/api_handler.h"
#include "api/kube_route_support.h"
#include "api/responses.h"
#include "api/workload_routes.h"
#include "core/validation.h"
#include "kube/manifest.h"
#include "net/http.h"

namespace atrium::api {
namespace {

constexpr std::size_t kMaxDocuments = 500;
constexpr auto kRediscoverAfter = std::chrono::seconds(5);

std::string quoted(std::string_view s) {
  std::string out;
  core::append_json_string(out, s.substr(0, 253));
  return out;
}

// "v1" or "group/version": the group a DNS subdomain, the version a DNS label (so both are safe path segments).
bool valid_api_version(std::string_view group, std::string_view version, bool has_group) {
  if (!core::validate_dns1123_label(version).empty()) return false;
  return !has_group || core::validate_dns1123_subdomain(group).empty();
}

// What a name must be to be one path segment on the apiserver (each kind's own rules are the apiserver's).
std::string check_object_name(std::string_view name) {
  if (name.empty()) return "required (server-side apply needs a name; generateName cannot be applied)";
  if (name.size() > 253) return "at most 253 characters";
  if (name == "." || name == "..") return "may not be . or ..";
  for (unsigned char c : name) {
    if (c <= ' ' || c >= 0x7f || c == '/' || c == '%' || c == '?' || c == '#' || c == '\\') {
      return "may not contain '/', '%', '?', '#', '\\', spaces or control characters";
    }
  }
  return {};
}

bool valid_kind(std::string_view kind) {
  if (kind.empty() || kind.size() > 63) return false;
  for (char c : kind) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

bool is_workload_kind(const kube::ApiResource& r) {
  for (const auto& k : workload_kinds()) {
    if (k.resource == r.name && k.group == r.group) return true;
  }
  return false;
}

void default_protocols(json::value* ports) {
  if (!ports || !ports->is_array()) return;
  for (auto& port : ports->as_array()) {
    if (auto* o = port.if_object(); o && !o->contains("protocol")) (*o)["protocol"] = "TCP";
  }
}

json::value* member(json::value* v, std::initializer_list<std::string_view> path) {
  for (auto key : path) {
    auto* o = v ? v->if_object() : nullptr;
    v = o ? o->if_contains(key) : nullptr;
  }
  return v;
}

void default_pod_spec(json::value* pod_spec) {
  for (const char* list : {"containers", "initContainers", "ephemeralContainers"}) {
    auto* containers = member(pod_spec, {list});
    if (!containers || !containers->is_array()) continue;
    for (auto& c : containers->as_array()) default_protocols(member(&c, {"ports"}));
  }
}

}  // namespace

void default_port_protocols(json::value& document) {
  const std::string_view api_version = string_at(document, {"apiVersion"});
  if (api_version != "v1" && !api_version.starts_with("apps/") && !api_version.starts_with("batch/")) return;
  const std::string_view kind = string_at(document, {"kind"});
  if (kind == "Service") {
    default_protocols(member(&document, {"spec", "ports"}));
  } else if (kind == "Pod") {
    default_pod_spec(member(&document, {"spec"}));
  } else if (kind == "PodTemplate") {
    default_pod_spec(member(&document, {"template", "spec"}));
  } else if (kind == "CronJob") {
    default_pod_spec(member(&document, {"spec", "jobTemplate", "spec", "template", "spec"}));
  } else if (kind == "Deployment" || kind == "StatefulSet" || kind == "DaemonSet" || kind == "ReplicaSet" ||
             kind == "Job" || kind == "ReplicationController") {
    default_pod_spec(member(&document, {"spec", "template", "spec"}));
  }
}

core::Result<std::vector<json::value>> expand_lists(std::vector<json::value> documents,
                                                    std::vector<std::string>* locations) {
  std::vector<json::value> out;
  if (locations) locations->clear();
  for (std::size_t i = 0; i < documents.size(); ++i) {
    auto& doc = documents[i];
    if (string_at(doc, {"kind"}) != "List" || string_at(doc, {"apiVersion"}) != "v1") {
      out.push_back(std::move(doc));
      if (locations) locations->push_back(fmt::format("[{}]", i));
      continue;
    }
    const auto* items = find_path(doc, {"items"});
    if (!items || !items->is_array()) {
      return core::fail(core::Error(core::ErrorCode::InvalidArgument,
                                    fmt::format("document {}: a List needs items", i + 1),
                                    {core::Cause{fmt::format("[{}].items", i), "a List needs an array of items"}}));
    }
    const auto& list = items->get_array();
    for (std::size_t k = 0; k < list.size(); ++k) {
      const auto& item = list[k];
      if (string_at(item, {"kind"}) == "List") {
        return core::fail(
            core::Error(core::ErrorCode::InvalidArgument, fmt::format("document {}: a List may not hold a List", i + 1),
                        {core::Cause{fmt::format("[{}].items[{}]", i, k), "a List may not hold a List"}}));
      }
      out.push_back(item);
      if (locations) locations->push_back(fmt::format("[{}].items[{}]", i, k));
    }
  }
  if (out.size() > kMaxDocuments) {
    return core::fail(core::ErrorCode::InvalidArgument, fmt::format("more than {} documents", kMaxDocuments));
  }
  return out;
}

core::Result<std::vector<ApplyTarget>> plan_apply(std::vector<json::value> documents, std::string_view ns,
                                                  const KindResolver& resolve,
                                                  const std::vector<std::string>* locations) {
  std::vector<ApplyTarget> out;
  std::vector<core::Cause> causes;
  for (std::size_t i = 0; i < documents.size(); ++i) {
    const std::string at = locations && i < locations->size() ? (*locations)[i] : fmt::format("[{}]", i);
    auto& doc = documents[i];
    auto* o = doc.if_object();
    if (!o) {
      causes.push_back({at, "a document must be an object"});
      continue;
    }
    const std::size_t before = causes.size();
    std::string_view api_version = string_at(doc, {"apiVersion"});
    std::string_view group, version = api_version;
    if (auto slash = api_version.find('/'); slash != std::string_view::npos) {
      group = api_version.substr(0, slash);
      version = api_version.substr(slash + 1);
    }
    if (!valid_api_version(group, version, api_version.find('/') != std::string_view::npos)) {
      causes.push_back({at + ".apiVersion", "required: group/version, or v1 for the core group"});
    }
    std::string_view kind = string_at(doc, {"kind"});
    if (!valid_kind(kind)) causes.push_back({at + ".kind", "required: the object's kind, e.g. ConfigMap"});
    auto* meta = o->if_contains("metadata");
    if (!meta || !meta->is_object()) {
      causes.push_back({at + ".metadata", "required: an object with the name"});
      continue;
    }
    std::string name(string_at(*meta, {"name"}));
    if (auto m = check_object_name(name); !m.empty()) causes.push_back({at + ".metadata.name", m});
    if (const auto* given = meta->as_object().if_contains("namespace");
        given &&
        !(given->is_null() || (given->is_string() && (given->get_string().empty() || given->get_string() == ns)))) {
      std::string what = given->is_string() ? quoted(given->get_string()) : std::string("that value");
      causes.push_back({at + ".metadata.namespace",
                        fmt::format("namespace {} is not this request's namespace ({}): a document may only name the "
                                    "namespace it is applied in",
                                    what, ns)});
    }
    if (causes.size() != before) continue;
    auto resource = resolve(group, version, kind);
    if (!resource) {
      if (resource.error().code != core::ErrorCode::NotFound) return core::fail(resource.error());
      causes.push_back({at + ".kind", resource.error().message});
      continue;
    }
    if (!resource->namespaced) {
      causes.push_back({at + ".kind", fmt::format("{} is cluster-scoped: it cannot be applied in a namespace", kind)});
      continue;
    }
    if (!resource->supports("patch")) {
      causes.push_back({at + ".kind", fmt::format("{} cannot be applied (the cluster does not patch it)", kind)});
      continue;
    }
    meta->as_object()["namespace"] = ns;
    default_port_protocols(doc);
    ApplyTarget t;
    t.resource = std::move(*resource);
    t.name = std::move(name);
    t.path = t.resource.collection_path(ns) + "/" + net::percent_encode(t.name);
    t.object = std::move(doc);
    t.at = at;
    out.push_back(std::move(t));
  }
  if (!causes.empty()) {
    std::string message = causes.size() == 1 ? causes.front().field + ": " + causes.front().message
                                             : fmt::format("{} problems; first: {}: {}", causes.size(),
                                                           causes.front().field, causes.front().message);
    return core::fail(core::Error(core::ErrorCode::InvalidArgument, std::move(message), std::move(causes)));
  }
  return out;
}

ApplyRoutes::ApplyRoutes(kube::ClusterConnections& clusters, core::Authorizer& authorizer, audit::AuditLog* audit,
                         PreflightGate preflight)
    : clusters_(clusters), authorizer_(authorizer), audit_(audit), preflight_(std::move(preflight)) {}

void ApplyRoutes::register_routes(Router& router) const {
  // No verb on the route: each document is authorised by the handler (its kind is only known from the body).
  router.add(Route{.method = "POST",
                   .pattern = "/api/v1/clusters/{cluster}/namespaces/{namespace}/apply",
                   .handler = [this](RouteContext& ctx) { return apply(ctx); },
                   .summary = "Apply YAML or JSON documents in a namespace (server-side apply, field manager atrium)"});
}

core::Result<kube::ApiResource> ApplyRoutes::resolve(std::string_view cluster, std::string_view group,
                                                     std::string_view version, std::string_view kind) const {
  auto client = clusters_.client(cluster);
  if (!client) return core::fail(client.error());
  std::shared_ptr<kube::Discovery> discovery;
  bool may_refresh = false;
  {
    std::lock_guard lock(mutex_);
    auto& entry = kinds_[std::string(cluster)];
    if (!entry.discovery || entry.client.lock() != *client) {
      entry = ClusterKinds{*client, std::make_shared<kube::Discovery>(), std::chrono::steady_clock::now()};
    }
    discovery = entry.discovery;
    if (std::chrono::steady_clock::now() - entry.refreshed > kRediscoverAfter) {
      may_refresh = true;
    }
  }
  if (auto s = discovery->ensure_fresh(**client); !s) return core::fail(s.error());
  auto found = discovery->find_kind(kind, group);
  if (!found && may_refresh) {
    {
      std::lock_guard lock(mutex_);
      kinds_[std::string(cluster)].refreshed = std::chrono::steady_clock::now();
    }
    if (auto s = discovery->refresh(**client); !s) return core::fail(s.error());
    found = discovery->find_kind(kind, group);
  }
  const std::string group_version = group.empty() ? std::string(version) : fmt::format("{}/{}", group, version);
  if (!found) {
    return core::fail(core::ErrorCode::NotFound,
                      fmt::format("cluster {} serves no kind {} in {}", cluster, kind,
                                  group.empty() ? std::string("the core group") : "group " + std::string(group)));
  }
  auto served = discovery->group_versions();
  if (std::find(served.begin(), served.end(), group_version) == served.end()) {
    return core::fail(core::ErrorCode::NotFound, fmt::format("cluster {} does not serve {}", cluster, group_version));
  }
  found->version = std::string(version);
  return *found;
}

bool ApplyRoutes::allowed(const RouteContext& ctx, std::string_view verb, const ApplyTarget& target) const {
  core::AccessRequest access{std::string(verb), target.resource.group, target.resource.name, "", target.name,
                             ctx.scope};
  return authorizer_.authorize(ctx.principal, access).allowed;
}

void ApplyRoutes::audit_document(const RouteContext& ctx, const ApplyTarget& target, int status,
                                 std::string message) const {
  if (!audit_) return;
  audit::AuditEvent e = route_audit_event(ctx, status);
  e.verb = "apply";
  e.api_group = target.resource.group;
  e.resource = target.resource.name;
  e.name = target.name;
  if (message.size() > 1024) message.resize(1024);
  e.message = std::move(message);
  audit_->record(std::move(e));
}

core::Result<net::HttpResponse> ApplyRoutes::apply(RouteContext& ctx) const {
  const std::string& ns = ctx.param("namespace");
  // Who can write nothing here learns nothing more (not even whether the body or the path is valid).
  bool may_write = false;
  for (const auto& k : workload_kinds()) {
    core::AccessRequest access{"create", std::string(k.group), std::string(k.resource), "", "", ctx.scope};
    if (authorizer_.authorize(ctx.principal, access).allowed) {
      may_write = true;
      break;
    }
  }
  if (!may_write) {
    return core::fail(core::ErrorCode::PermissionDenied,
                      fmt::format("user \"{}\" may not apply objects in namespace {}", ctx.principal.user, ns));
  }
  if (auto s = check_path_names(ctx); !s) return core::fail(s.error());
  if (auto ct = ctx.request.header("Content-Type"); ct && !ct->empty()) {
    std::string_view t = *ct;
    if (!(t.starts_with("application/yaml") || t.starts_with("application/x-yaml") || t.starts_with("text/yaml") ||
          t.starts_with("application/json"))) {
      return core::fail(core::ErrorCode::InvalidArgument,
                        fmt::format("Content-Type \"{}\" is not supported; send application/yaml or application/json",
                                    t.substr(0, 80)));
    }
  }
  auto documents = kube::parse_manifests(ctx.request.body);
  if (!documents) return core::fail(documents.error());
  std::vector<std::string> locations;
  auto expanded = expand_lists(std::move(*documents), &locations);
  if (!expanded) return core::fail(expanded.error());
  if (expanded->empty()) return core::fail(core::ErrorCode::InvalidArgument, "the body holds no documents");
  const std::string& cluster = ctx.param("cluster");
  auto targets = plan_apply(
      std::move(*expanded), ns,
      [&](std::string_view group, std::string_view version, std::string_view kind) {
        return resolve(cluster, group, version, kind);
      },
      &locations);
  if (!targets) return core::fail(targets.error());
  auto client = clusters_.client(cluster);
  if (!client) return core::fail(client.error());

  // Every document is authorised before anything is written: create and patch, or only the one its existence needs.
  for (std::size_t i = 0; i < targets->size(); ++i) {
    const auto& t = (*targets)[i];
    bool may_create = allowed(ctx, "create", t), may_patch = allowed(ctx, "patch", t);
    if (may_create && may_patch) continue;
    const char* needed = "create and patch";
    if (may_create || may_patch) {
      auto existing = (*client)->send(kube::Request{"GET", t.path});
      if (!existing) return core::fail(existing.error());
      bool exists = existing->status >= 200 && existing->status < 300;
      if (!exists && existing->status != 404) return core::fail(kube::Client::error_from_response(*existing));
      if (exists ? may_patch : may_create) continue;
      needed = exists ? "patch" : "create";
    }
    return core::fail(core::ErrorCode::PermissionDenied,
                      fmt::format("user \"{}\" may not {} {} \"{}\" in namespace {} (document {})", ctx.principal.user,
                                  needed, t.resource.name, t.name, ns, t.at));
  }

  // Server-side apply is beta and on by default from 1.16: older clusters are refused before anything is written.
  if (preflight_) {
    if (auto s = preflight_(cluster, "server-side-apply"); !s) return core::fail(s.error());
  }
  std::string query = "?fieldManager=atrium&force=true";
  if (auto dry = ctx.request.query_param("dryRun"); dry && *dry == "All") query += "&dryRun=All";
  json::array results;
  std::optional<core::Error> first_failure;
  std::size_t failures = 0;
  for (std::size_t i = 0; i < targets->size(); ++i) {
    const auto& t = (*targets)[i];
    json::object result{
        {"index", i},      {"document", t.at}, {"apiVersion", t.resource.group_version()}, {"kind", t.resource.kind},
        {"namespace", ns}, {"name", t.name}};
    auto answer = (*client)->send(
        kube::Request{"PATCH", t.path + query, json::serialize(t.object), "application/apply-patch+yaml"});
    core::Error error;
    int status = 0;
    if (!answer) {
      error = answer.error();
      status = core::http_status(error);
    } else {
      status = answer->status;
      if (status < 200 || status > 299) error = kube::Client::error_from_response(*answer);
    }
    result["code"] = status;
    if (status >= 200 && status <= 299) {
      result["result"] = status == 201 ? "created" : "configured";
      auto object = core::parse_json(answer->body);
      if (object) {
        if (auto rv = string_at(*object, {"metadata", "resourceVersion"}); !rv.empty()) result["resourceVersion"] = rv;
        if (auto uid = string_at(*object, {"metadata", "uid"}); !uid.empty()) result["uid"] = uid;
      }
      // Only the kinds the workload API lists have caches worth feeding (never start one per custom kind).
      if (is_workload_kind(t.resource)) {
        observe_written(clusters_, cluster, t.resource.group, t.resource.name, answer->body);
      }
      audit_document(ctx, t, status, {});
    } else {
      ++failures;
      result["result"] = "failed";
      result["message"] = error.message;
      if (!error.causes.empty()) {
        json::array causes;
        for (const auto& c : error.causes) causes.push_back(json::object{{"field", c.field}, {"message", c.message}});
        result["causes"] = std::move(causes);
      }
      audit_document(ctx, t, status, error.message);
      if (!first_failure) {
        first_failure = error;
        for (auto& c : first_failure->causes) c.field = fmt::format("[{}]", i) + (c.field.empty() ? "" : "." + c.field);
        first_failure->message = fmt::format("document {} ({} {}): {}", i + 1, t.resource.kind, t.name, error.message);
      }
    }
    results.push_back(std::move(result));
  }
  if (first_failure && failures > 1) {
    first_failure->message =
        fmt::format("{} of {} documents failed; first: {}", failures, targets->size(), first_failure->message);
  }
  std::int64_t total = static_cast<std::int64_t>(results.size());
  return batch_response(json::object{{"items", std::move(results)}, {"total", total}}, first_failure);
}

}  // namespace atrium::api
