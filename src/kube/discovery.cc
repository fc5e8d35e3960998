#include "kube/discovery.h"

#include <algorithm>
#include <utility>

#include "core/json.h"

namespace atrium::kube {
namespace {

namespace json = core::json;

std::string_view str(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string_view(v->get_string()) : std::string_view();
}

core::Result<json::object> parse_object(std::string_view body, std::string_view what) {
  auto v = core::parse_json(body);
  if (!v) return tl::unexpected(v.error().with_context(what));
  if (!v->is_object()) return core::fail(core::ErrorCode::InvalidArgument, std::string(what) + ": not a JSON object");
  return std::move(v->as_object());
}

}  // namespace

std::string ApiResource::collection_path(std::string_view namespace_name) const {
  std::string p = base_path();
  if (namespaced && !namespace_name.empty()) {
    p += "/namespaces/";
    p += namespace_name;
  }
  p += "/";
  p += name;
  return p;
}

bool ApiResource::supports(std::string_view verb) const {
  return std::find(verbs.begin(), verbs.end(), verb) != verbs.end();
}

core::Result<std::vector<ApiResource>> parse_resource_list(std::string_view body, std::string_view group,
                                                           std::string_view version) {
  auto o = parse_object(body, "APIResourceList");
  if (!o) return tl::unexpected(o.error());
  std::vector<ApiResource> out;
  auto* list = o->if_contains("resources");
  if (!list || !list->is_array()) return out;
  for (const auto& item : list->get_array()) {
    if (!item.is_object()) continue;
    const auto& r = item.get_object();
    std::string_view name = str(r, "name");
    if (name.empty() || name.find('/') != std::string_view::npos) continue;  // subresources
    ApiResource res{
        std::string(group), std::string(version), std::string(name), std::string(str(r, "kind")), false, {}};
    if (auto* n = r.if_contains("namespaced"); n && n->is_bool()) res.namespaced = n->get_bool();
    if (auto* verbs = r.if_contains("verbs"); verbs && verbs->is_array()) {
      for (const auto& v : verbs->get_array()) {
        if (v.is_string()) res.verbs.emplace_back(v.get_string());
      }
    }
    out.push_back(std::move(res));
  }
  return out;
}

core::Status Discovery::refresh(Client& client) {
  auto snap = std::make_shared<Snapshot>();
  // The core group: /api lists its versions (only v1 in practice).
  auto core_versions = client.get("/api");
  if (!core_versions) return tl::unexpected(core_versions.error().with_context("discovery /api"));
  auto core_obj = parse_object(*core_versions, "/api");
  if (!core_obj) return tl::unexpected(core_obj.error());
  std::vector<std::pair<std::string, std::string>> wanted;  // (group, version)
  if (auto* versions = core_obj->if_contains("versions"); versions && versions->is_array()) {
    for (const auto& v : versions->get_array()) {
      if (v.is_string()) snap->group_versions.emplace_back(v.get_string());
    }
  }
  if (std::find(snap->group_versions.begin(), snap->group_versions.end(), "v1") != snap->group_versions.end()) {
    wanted.emplace_back("", "v1");
  }
  auto groups = client.get("/apis");
  if (!groups) return tl::unexpected(groups.error().with_context("discovery /apis"));
  auto groups_obj = parse_object(*groups, "/apis");
  if (!groups_obj) return tl::unexpected(groups_obj.error());
  if (auto* list = groups_obj->if_contains("groups"); list && list->is_array()) {
    for (const auto& g : list->get_array()) {
      if (!g.is_object()) continue;
      const auto& go = g.get_object();
      std::string name(str(go, "name"));
      if (auto* versions = go.if_contains("versions"); versions && versions->is_array()) {
        for (const auto& v : versions->get_array()) {
          if (v.is_object()) snap->group_versions.emplace_back(str(v.get_object(), "groupVersion"));
        }
      }
      // Every version is read, preferred first, then in the server's priority order: a resource lives at the
      // first version that has it (on 1.20, batch/v1 has jobs but CronJob is only in batch/v1beta1).
      std::string preferred;
      if (auto* p = go.if_contains("preferredVersion"); p && p->is_object())
        preferred = str(p->get_object(), "version");
      if (name.empty()) continue;
      if (!preferred.empty()) wanted.emplace_back(name, preferred);
      if (auto* versions = go.if_contains("versions"); versions && versions->is_array()) {
        for (const auto& v : versions->get_array()) {
          std::string version(v.is_object() ? str(v.get_object(), "version") : std::string_view());
          if (!version.empty() && version != preferred) wanted.emplace_back(name, version);
        }
      }
    }
  }
  for (const auto& [group, version] : wanted) {
    std::string path = group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
    auto body = client.get(path);
    if (!body) {
      if (body.error().code == core::ErrorCode::Unavailable && group.empty()) return tl::unexpected(body.error());
      continue;  // one aggregated API being down must not hide the rest
    }
    auto resources = parse_resource_list(*body, group, version);
    if (!resources) continue;
    for (auto& r : *resources) {
      bool known = std::any_of(snap->resources.begin(), snap->resources.end(),
                               [&](const ApiResource& k) { return k.group == r.group && k.name == r.name; });
      if (!known) snap->resources.push_back(std::move(r));
    }
  }
  snap->fetched = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  snapshot_ = std::move(snap);
  return {};
}

core::Status Discovery::ensure_fresh(Client& client) {
  auto s = snapshot();
  if (s && std::chrono::steady_clock::now() - s->fetched < ttl_) return {};
  return refresh(client);
}

std::shared_ptr<const Discovery::Snapshot> Discovery::snapshot() const {
  std::lock_guard lock(mutex_);
  return snapshot_;
}

std::optional<ApiResource> Discovery::find_kind(std::string_view kind, std::optional<std::string_view> group) const {
  auto s = snapshot();
  if (!s) return std::nullopt;
  for (const auto& r : s->resources) {
    if (r.kind == kind && (!group || r.group == *group)) return r;
  }
  return std::nullopt;
}

std::optional<ApiResource> Discovery::find_resource(std::string_view group, std::string_view resource) const {
  auto s = snapshot();
  if (!s) return std::nullopt;
  for (const auto& r : s->resources) {
    if (r.name == resource && r.group == group) return r;
  }
  return std::nullopt;
}

std::vector<ApiResource> Discovery::resources() const {
  auto s = snapshot();
  return s ? s->resources : std::vector<ApiResource>{};
}

std::vector<std::string> Discovery::group_versions() const {
  auto s = snapshot();
  return s ? s->group_versions : std::vector<std::string>{};
}

}  // namespace atrium::kube
