#include "api/resource_routes.h"

#include <charconv>

#include <fmt/format.h>

#include "api/request_body.h"
#include "api/responses.h"
#include "core/uid.h"

namespace atrium::api {
namespace {

constexpr std::string_view kMetadataKey = "\"metadata\":{";

core::Result<std::int64_t> parse_version(std::string_view s) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 1) {
    return core::fail(
        core::Error(core::ErrorCode::InvalidArgument,
                    fmt::format("metadata.resourceVersion \"{}\" is not a version this server issued", s.substr(0, 40)),
                    {core::Cause{"metadata.resourceVersion", "not a valid resource version"}}));
  }
  return v;
}

// The metadata.resourceVersion a client sent (0 when none): the version its change is based on.
core::Result<std::int64_t> expected_version_of(const json::value& body) {
  if (!body.is_object()) return 0;
  auto* m = body.as_object().if_contains("metadata");
  if (!m || !m->is_object()) return 0;
  auto* rv = m->as_object().if_contains("resourceVersion");
  if (!rv || !rv->is_string() || rv->as_string().empty()) return 0;
  return parse_version(rv->as_string());
}

std::string labels_text(const json::object& doc) {
  const auto& meta = doc.at("metadata").as_object();
  if (auto* l = meta.if_contains("labels"); l && l->is_object()) return json::serialize(*l);
  return "{}";
}

}  // namespace

std::string render_stored(const storage::StoredObject& object) {
  std::string out;
  out.reserve(object.data.size() + 32);
  auto pos = object.data.find(kMetadataKey);
  if (pos == std::string::npos) return object.data;
  pos += kMetadataKey.size();
  out.append(object.data, 0, pos);
  out += "\"resourceVersion\":\"";
  out += std::to_string(object.resource_version);
  out += '"';
  if (object.data[pos] != '}') out += ',';
  out.append(object.data, pos, std::string::npos);
  return out;
}

std::string render_list(const storage::ListResult& list) {
  std::size_t size = 32;
  for (const auto& o : list.items) size += o.data.size() + 32;
  std::string out;
  out.reserve(size);
  out += "{\"items\":[";
  for (std::size_t i = 0; i < list.items.size(); ++i) {
    if (i) out += ',';
    out += render_stored(list.items[i]);
  }
  out += "],\"total\":";
  out += std::to_string(list.total);
  out += '}';
  return out;
}

std::shared_ptr<const std::string> RenderedListCache::render(
    const std::shared_ptr<const storage::ListResult>& snapshot) {
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(snapshot.get());
    // The weak pointer proves the address still names this snapshot and not a newer one at the same address.
    if (it != entries_.end() && it->second.snapshot.lock() == snapshot) return it->second.body;
  }
  auto body = std::make_shared<const std::string>(render_list(*snapshot));
  std::lock_guard lock(mu_);
  if (entries_.size() >= kMaxEntries) {
    std::erase_if(entries_, [](const auto& kv) { return kv.second.snapshot.expired(); });
    if (entries_.size() >= kMaxEntries) entries_.clear();
  }
  entries_[snapshot.get()] = Entry{snapshot, body};
  return body;
}

json::value merge_patch(const json::value& target, const json::value& patch) {
  if (!patch.is_object()) return patch;
  json::object result = target.is_object() ? target.as_object() : json::object();
  for (const auto& kv : patch.as_object()) {
    if (kv.value().is_null()) {
      result.erase(kv.key());
    } else {
      const json::value* cur = result.if_contains(kv.key());
      result[kv.key()] = merge_patch(cur ? *cur : json::value(nullptr), kv.value());
    }
  }
  return result;
}

ResourceRoutes::ResourceRoutes(const schema::ResourceType& type, storage::Store& store, const core::Clock& clock,
                               ResourceHooks hooks)
    : type_(type), store_(store), clock_(clock), hooks_(std::move(hooks)) {}

std::string ResourceRoutes::collection_path() const {
  switch (type_.info().scope) {
    case schema::ResourceScope::Platform:
      return "/api/v1/" + type_.info().plural;
    case schema::ResourceScope::Workspace:
      return "/api/v1/workspaces/{workspace}/" + type_.info().plural;
    case schema::ResourceScope::Project:
      return "/api/v1/workspaces/{workspace}/projects/{project}/" + type_.info().plural;
  }
  return {};
}

std::string ResourceRoutes::scope_key(const RouteContext& ctx) const {
  switch (type_.info().scope) {
    case schema::ResourceScope::Platform:
      return "";
    case schema::ResourceScope::Workspace:
      return "workspace/" + ctx.param("workspace");
    case schema::ResourceScope::Project:
      return "project/" + ctx.param("workspace") + "/" + ctx.param("project");
  }
  return "";
}

void ResourceRoutes::register_routes(Router& router) const {
  const std::string base = collection_path();
  const std::string item = base + "/{name}";
  const std::string& plural = type_.info().plural;
  const std::string& kind = type_.info().kind;
  using Handler = core::Result<net::HttpResponse> (ResourceRoutes::*)(RouteContext&) const;
  struct Verb {
    const char* method;
    const std::string* pattern;
    Handler handler;
    const char* verb;
    std::string summary;
  };
  for (const Verb& v : {Verb{"GET", &base, &ResourceRoutes::list, "list", "List " + plural},
                        Verb{"POST", &base, &ResourceRoutes::create, "create", "Create a " + kind},
                        Verb{"GET", &item, &ResourceRoutes::get, "get", "Read a " + kind},
                        Verb{"PUT", &item, &ResourceRoutes::update, "update", "Replace a " + kind},
                        Verb{"PATCH", &item, &ResourceRoutes::patch, "patch", "Merge-patch a " + kind},
                        Verb{"DELETE", &item, &ResourceRoutes::remove, "delete", "Delete a " + kind}}) {
    Handler h = v.handler;
    router.add(Route{.method = v.method,
                     .pattern = *v.pattern,
                     .handler = [this, h](RouteContext& c) { return (this->*h)(c); },
                     .verb = v.verb,
                     .resource = plural,
                     .summary = v.summary,
                     .api_group = type_.info().group});
  }
}

core::Result<net::HttpResponse> ResourceRoutes::list(RouteContext& ctx) const {
  auto opts = core::parse_list_options(ctx.request.query);
  if (!opts) return core::fail(opts.error());
  auto result = store_.list_shared(type_.info().kind, scope_key(ctx), storage::Store::ScopeMatch::Exact, *opts);
  if (!result) return core::fail(result.error());
  net::HttpResponse r = json_response(200, std::string());
  r.shared_body = rendered_.render(*result);
  return r;
}

core::Result<net::HttpResponse> ResourceRoutes::get(RouteContext& ctx) const {
  auto obj = store_.get(type_.info().kind, scope_key(ctx), ctx.param("name"));
  if (!obj) return core::fail(obj.error());
  return json_response(200, render_stored(*obj));
}

core::Result<json::object> ResourceRoutes::decode_body(RouteContext& ctx, const json::value& body) const {
  auto doc = type_.decode(body);
  if (!doc) return doc;
  if (hooks_.admit) {
    if (auto s = hooks_.admit(ctx, *doc); !s) return core::fail(s.error());
  }
  return doc;
}

core::Result<net::HttpResponse> ResourceRoutes::create(RouteContext& ctx) const {
  auto body = parse_json_body(ctx.request);
  if (!body) return core::fail(body.error());
  auto doc = decode_body(ctx, *body);
  if (!doc) return core::fail(doc.error());
  auto& meta = (*doc)["metadata"].as_object();
  auto now = clock_.now();
  storage::StoredObject obj;
  obj.kind = type_.info().kind;
  obj.scope = scope_key(ctx);
  obj.name = std::string(meta.at("name").as_string());
  obj.uid = core::new_uid();
  obj.created_at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  meta.erase("resourceVersion");
  meta["uid"] = obj.uid;
  meta["creationTimestamp"] = core::format_rfc3339(now);
  obj.labels = labels_text(*doc);
  obj.data = json::serialize(*doc);
  auto created = store_.create(obj);
  if (!created) {
    if (created.error().code == core::ErrorCode::AlreadyExists) {
      return core::fail(core::ErrorCode::AlreadyExists,
                        fmt::format("{} \"{}\" already exists", type_.info().kind, obj.name));
    }
    return core::fail(created.error());
  }
  return json_response(201, render_stored(*created));
}

core::Result<net::HttpResponse> ResourceRoutes::write_existing(RouteContext& ctx, json::value body,
                                                               std::int64_t expected,
                                                               const storage::StoredObject& current) const {
  auto doc = decode_body(ctx, body);
  if (!doc) return core::fail(doc.error());
  auto& meta = (*doc)["metadata"].as_object();
  if (meta.at("name").as_string() != ctx.param("name")) {
    return core::fail(core::Error(core::ErrorCode::InvalidArgument,
                                  "metadata.name in the body does not match the name in the path",
                                  {core::Cause{"metadata.name", "must match the path"}}));
  }
  auto cur = core::parse_json(current.data);
  if (!cur) return core::fail(core::ErrorCode::Internal, "stored document is corrupt");
  const auto& cur_meta = cur->at("metadata").as_object();
  meta.erase("resourceVersion");
  meta["uid"] = cur_meta.at("uid");
  meta["creationTimestamp"] = cur_meta.at("creationTimestamp");
  storage::StoredObject obj = current;
  obj.labels = labels_text(*doc);
  obj.data = json::serialize(*doc);
  auto updated = store_.update(obj, expected != 0 ? expected : current.resource_version);
  if (!updated) {
    if (updated.error().code == core::ErrorCode::Conflict) {
      return core::fail(core::ErrorCode::Conflict,
                        fmt::format("Operation cannot be fulfilled on {} \"{}\": the object has been modified; "
                                    "please apply your changes to the latest version and try again",
                                    type_.info().plural, obj.name));
    }
    return core::fail(updated.error());
  }
  return json_response(200, render_stored(*updated));
}

core::Result<net::HttpResponse> ResourceRoutes::update(RouteContext& ctx) const {
  auto body = parse_json_body(ctx.request);
  if (!body) return core::fail(body.error());
  auto expected = expected_version_of(*body);
  if (!expected) return core::fail(expected.error());
  auto current = store_.get(type_.info().kind, scope_key(ctx), ctx.param("name"));
  if (!current) return core::fail(current.error());
  return write_existing(ctx, std::move(*body), *expected, *current);
}

core::Result<net::HttpResponse> ResourceRoutes::patch(RouteContext& ctx) const {
  auto body = parse_json_body(ctx.request);
  if (!body) return core::fail(body.error());
  if (!body->is_object()) return core::fail(core::ErrorCode::InvalidArgument, "a merge patch must be a JSON object");
  auto expected = expected_version_of(*body);
  if (!expected) return core::fail(expected.error());
  auto current = store_.get(type_.info().kind, scope_key(ctx), ctx.param("name"));
  if (!current) return core::fail(current.error());
  auto cur = core::parse_json(current->data);
  if (!cur) return core::fail(core::ErrorCode::Internal, "stored document is corrupt");
  json::value merged = merge_patch(*cur, *body);
  if (merged.is_object()) {
    if (auto* m = merged.as_object().if_contains("metadata"); m && m->is_object()) {
      m->as_object().erase("resourceVersion");
    }
  }
  return write_existing(ctx, std::move(merged), *expected, *current);
}

core::Result<net::HttpResponse> ResourceRoutes::remove(RouteContext& ctx) const {
  std::int64_t expected = 0;
  if (auto rv = ctx.request.query_param("resourceVersion"); rv && !rv->empty()) {
    auto v = parse_version(*rv);
    if (!v) return core::fail(v.error());
    expected = *v;
  }
  auto s = store_.remove(type_.info().kind, scope_key(ctx), ctx.param("name"), expected);
  if (!s) return core::fail(s.error());
  return success_status(fmt::format("{} \"{}\" deleted", type_.info().kind, ctx.param("name")));
}

}  // namespace atrium::api
