#include "tenancy/kubernetes_namespaces.h"

#include <algorithm>

#include <fmt/format.h>

#include "tenancy/quantity.h"

namespace atrium::tenancy {
namespace json = core::json;
namespace {

constexpr std::string_view kApplyQuery = "?fieldManager=atrium&force=true";

std::string ns_path(const ProjectRef& p) { return "/api/v1/namespaces/" + p.name; }

core::Error on_cluster(const core::Error& e, const ProjectRef& p) {
  return e.with_context(fmt::format("namespace {} on cluster {}", p.name, p.cluster));
}

json::object labels_of(const ProjectRef& p) {
  return json::object{{std::string(kWorkspaceLabel), p.workspace}, {std::string(kProjectLabel), p.name}};
}

// Server-side apply of one object (created when missing, fields Atrium no longer sets removed).
core::Status apply(kube::Client& c, const std::string& path, const json::object& obj) {
  kube::Request r{.method = "PATCH",
                  .path = path + std::string(kApplyQuery),
                  .body = json::serialize(obj),
                  .content_type = "application/apply-patch+yaml"};
  auto out = c.call(r);
  if (!out) return core::fail(out.error());
  return {};
}

// DELETE that treats an object already gone as success.
core::Status remove_object(kube::Client& c, const std::string& path, const std::string& body = {}) {
  auto out = c.call(kube::Request{.method = "DELETE", .path = path, .body = body});
  if (!out && out.error().code != core::ErrorCode::NotFound) return core::fail(out.error());
  return {};
}

core::Status set_labels(kube::Client& c, const ProjectRef& p, json::value workspace, json::value project) {
  json::object labels{{std::string(kWorkspaceLabel), std::move(workspace)},
                      {std::string(kProjectLabel), std::move(project)}};
  json::object patch{{"metadata", json::object{{"labels", std::move(labels)}}}};
  auto out = c.call(kube::Request{.method = "PATCH",
                                  .path = ns_path(p),
                                  .body = json::serialize(patch),
                                  .content_type = "application/merge-patch+json"});
  if (!out) return core::fail(out.error());
  return {};
}

struct NamespaceState {
  std::string uid;
  std::string phase;
  std::string workspace;  // atrium.io/workspace label, empty when absent
  std::string project;    // atrium.io/project label
};

core::Result<NamespaceState> read_namespace(kube::Client& c, const ProjectRef& p) {
  auto body = c.get(ns_path(p));
  if (!body) return core::fail(body.error());
  auto v = core::parse_json(*body);
  if (!v || !v->is_object()) return core::fail(core::ErrorCode::Internal, "the cluster answered a malformed Namespace");
  NamespaceState s;
  const auto& o = v->as_object();
  auto str = [](const json::object* obj, std::string_view key) -> std::string {
    if (!obj) return {};
    const auto* f = obj->if_contains(key);
    return f && f->is_string() ? std::string(f->as_string()) : std::string();
  };
  const auto* meta = o.if_contains("metadata");
  const json::object* m = meta && meta->is_object() ? &meta->as_object() : nullptr;
  s.uid = str(m, "uid");
  const auto* labels = m ? m->if_contains("labels") : nullptr;
  const json::object* l = labels && labels->is_object() ? &labels->as_object() : nullptr;
  s.workspace = str(l, kWorkspaceLabel);
  s.project = str(l, kProjectLabel);
  const auto* status = o.if_contains("status");
  s.phase = str(status && status->is_object() ? &status->as_object() : nullptr, "phase");
  return s;
}

bool has_any(const ProjectQuota& q, std::string_view resource) {
  for (std::string_view prefix : {"", "requests.", "limits."}) {
    if (q.hard.contains(std::string(prefix) + std::string(resource))) return true;
  }
  return false;
}

// The smallest of `value` and the quota's hard values for `keys` (unparseable values are ignored: the
// quota was validated when written).
std::int64_t clamp_to(const ProjectQuota& q, std::int64_t value, std::initializer_list<std::string_view> keys) {
  for (auto key : keys) {
    auto it = q.hard.find(key);
    if (it == q.hard.end()) continue;
    if (auto v = parse_quantity_milli(it->second)) value = std::min(value, *v);
  }
  return value;
}

}  // namespace

json::object resource_quota_object(const ProjectRef& project, const ProjectQuota& quota) {
  json::object hard;
  for (const auto& [k, v] : quota.hard) hard[k] = v;
  return json::object{
      {"apiVersion", "v1"},
      {"kind", "ResourceQuota"},
      {"metadata",
       json::object{{"name", std::string(kQuotaName)}, {"namespace", project.name}, {"labels", labels_of(project)}}},
      {"spec", json::object{{"hard", std::move(hard)}}}};
}

std::optional<json::object> limit_range_object(const ProjectRef& project, const ProjectQuota& quota) {
  struct Defaults {
    std::string_view resource;
    std::int64_t request_milli;
    std::int64_t limit_milli;
  };
  constexpr std::int64_t kMi = 1024LL * 1024 * 1000;
  const Defaults defaults[] = {{"cpu", 100, 500}, {"memory", 128 * kMi, 512 * kMi}};
  json::object default_request, default_limit;
  for (const auto& d : defaults) {
    if (!has_any(quota, d.resource)) continue;
    const std::string r(d.resource);
    std::int64_t limit = clamp_to(quota, d.limit_milli, {"limits." + r});
    std::int64_t request = std::min(limit, clamp_to(quota, d.request_milli, {r, "requests." + r}));
    default_request[r] = format_quantity_milli(request);
    default_limit[r] = format_quantity_milli(limit);
  }
  if (default_request.empty()) return std::nullopt;
  json::object item{
      {"type", "Container"}, {"default", std::move(default_limit)}, {"defaultRequest", std::move(default_request)}};
  return json::object{{"apiVersion", "v1"},
                      {"kind", "LimitRange"},
                      {"metadata", json::object{{"name", std::string(kLimitRangeName)},
                                                {"namespace", project.name},
                                                {"labels", labels_of(project)}}},
                      {"spec", json::object{{"limits", json::array{std::move(item)}}}}};
}

KubernetesProjectNamespaces::KubernetesProjectNamespaces(kube::ClusterConnections& connections)
    : connections_(connections) {}

core::Result<NamespaceOutcome> KubernetesProjectNamespaces::provision(const ProjectRef& project,
                                                                      const ProjectQuota& quota,
                                                                      NamespaceAdoption adoption) {
  auto client = connections_.client(project.cluster);
  if (!client) {
    if (client.error().code == core::ErrorCode::NotFound) {
      // A project is its namespace: none can be made on a cluster Atrium does not know.
      std::string message = fmt::format(
          "cluster \"{}\" is not registered with Atrium; register it (POST /api/v1/clusters) before creating "
          "projects on it",
          project.cluster);
      return core::fail(core::Error(core::ErrorCode::InvalidArgument, message, {core::Cause{"spec.cluster", message}}));
    }
    return core::fail(client.error());
  }
  kube::Client& c = **client;
  json::object ns{{"apiVersion", "v1"},
                  {"kind", "Namespace"},
                  {"metadata", json::object{{"name", project.name}, {"labels", labels_of(project)}}}};
  NamespaceOutcome outcome = NamespaceOutcome::Created;
  auto created = c.call(kube::Request{.method = "POST", .path = "/api/v1/namespaces", .body = json::serialize(ns)});
  if (!created) {
    const auto code = created.error().code;
    if (code != core::ErrorCode::Conflict && code != core::ErrorCode::AlreadyExists) {
      return core::fail(on_cluster(created.error(), project));
    }
    if (adoption == NamespaceAdoption::Refuse) {
      return core::fail(core::ErrorCode::AlreadyExists,
                        fmt::format("namespace {} already exists on cluster {}; create the project with ?adopt=true "
                                    "to adopt it",
                                    project.name, project.cluster));
    }
    auto state = read_namespace(c, project);
    if (!state) return core::fail(on_cluster(state.error(), project));
    if (!state->workspace.empty() && state->workspace != project.workspace) {
      return core::fail(core::ErrorCode::AlreadyExists,
                        fmt::format("namespace {} on cluster {} belongs to project {} of workspace {}; it cannot be "
                                    "adopted",
                                    project.name, project.cluster, state->project, state->workspace));
    }
    if (state->phase == "Terminating") {
      return core::fail(core::ErrorCode::Conflict, fmt::format("namespace {} on cluster {} is being deleted; try "
                                                               "again when it is gone",
                                                               project.name, project.cluster));
    }
    if (auto s = set_labels(c, project, json::value(project.workspace), json::value(project.name)); !s) {
      return core::fail(on_cluster(s.error(), project));
    }
    outcome = NamespaceOutcome::Adopted;
  }
  if (auto s = apply_quota(project, quota); !s) {
    (void)dispose(project,
                  outcome == NamespaceOutcome::Created ? NamespaceDisposal::Delete : NamespaceDisposal::Release);
    return core::fail(s.error());
  }
  return outcome;
}

core::Status KubernetesProjectNamespaces::apply_quota(const ProjectRef& project, const ProjectQuota& quota) {
  auto client = connections_.client(project.cluster);
  if (!client) {
    if (client.error().code == core::ErrorCode::NotFound) return {};
    return core::fail(client.error());
  }
  kube::Client& c = **client;
  const std::string quota_path = ns_path(project) + "/resourcequotas/" + std::string(kQuotaName);
  const std::string limits_path = ns_path(project) + "/limitranges/" + std::string(kLimitRangeName);
  core::Status s;
  if (quota.hard.empty()) {
    s = remove_object(c, quota_path);
  } else {
    s = apply(c, quota_path, resource_quota_object(project, quota));
  }
  if (s) {
    auto limits = limit_range_object(project, quota);
    s = limits ? apply(c, limits_path, *limits) : remove_object(c, limits_path);
  }
  if (!s) return core::fail(on_cluster(s.error(), project));
  return {};
}

core::Status KubernetesProjectNamespaces::dispose(const ProjectRef& project, NamespaceDisposal disposal) {
  auto client = connections_.client(project.cluster);
  if (!client) {
    if (client.error().code == core::ErrorCode::NotFound) return {};
    return core::fail(client.error());
  }
  kube::Client& c = **client;
  auto state = read_namespace(c, project);
  if (!state) {
    if (state.error().code == core::ErrorCode::NotFound) return {};
    return core::fail(on_cluster(state.error(), project));
  }
  const bool ours = state->workspace == project.workspace && state->project == project.name;
  if (disposal == NamespaceDisposal::Delete) {
    if (!ours) {
      return core::fail(core::ErrorCode::FailedPrecondition,
                        fmt::format("namespace {} on cluster {} is not labelled as project {} of workspace {}; "
                                    "Atrium does not delete it (delete the project without confirm to keep it)",
                                    project.name, project.cluster, project.name, project.workspace));
    }
    // The uid precondition: never delete a namespace made again meanwhile under the same name.
    json::object options{
        {"apiVersion", "v1"}, {"kind", "DeleteOptions"}, {"preconditions", json::object{{"uid", state->uid}}}};
    if (auto s = remove_object(c, ns_path(project), json::serialize(options)); !s) {
      return core::fail(on_cluster(s.error(), project));
    }
    return {};
  }
  if (!ours) return {};  // nothing of Atrium's to take back
  // Quota objects first: a failure part-way leaves the namespace still labelled, so a retry finds it.
  if (auto s = apply_quota(project, ProjectQuota{}); !s) return s;
  if (auto s = set_labels(c, project, nullptr, nullptr); !s) return core::fail(on_cluster(s.error(), project));
  return {};
}

}  // namespace atrium::tenancy
