#include "api/workload_routes.h"

#include <fmt/format.h>

#include <limits>
#include <map>
#include <mutex>
#include <set>

#include "api/request_body.h"
#include "api/responses.h"
#include "core/validation.h"

namespace atrium::api {
namespace {

namespace json = core::json;

constexpr std::string_view kFieldManager = "atrium";

core::Status check_path(const RouteContext& ctx) {
  if (auto m = core::validate_dns1123_label(ctx.param("namespace")); !m.empty()) {
    return core::fail(
        core::Error(core::ErrorCode::InvalidArgument, "invalid namespace in the path: " + m, {{"namespace", m}}));
  }
  if (ctx.params.contains("name")) {
    if (auto m = core::validate_dns1123_subdomain(ctx.param("name")); !m.empty()) {
      return core::fail(core::Error(core::ErrorCode::InvalidArgument, "invalid name in the path: " + m, {{"name", m}}));
    }
  }
  return {};
}

std::string object_path(const kube::ApiResource& r, std::string_view ns, std::string_view name = {}) {
  std::string p = r.collection_path(ns);
  if (!name.empty()) {
    p += '/';
    p += name;
  }
  return p;
}

// Query parameters Atrium passes on to the apiserver for writes (anything else is not forwarded).
std::string write_query(const net::HttpRequest& req) {
  std::string q = "?fieldManager=" + std::string(kFieldManager);
  if (auto dry = req.query_param("dryRun"); dry && *dry == "All") q += "&dryRun=All";
  return q;
}

net::HttpResponse raw_json(int status, std::string body) { return json_response(status, std::move(body)); }

}  // namespace

const std::vector<WorkloadKind>& workload_kinds() {
  static const std::vector<WorkloadKind> kinds = {
      {"deployments", "apps", "Deployment"},
      {"statefulsets", "apps", "StatefulSet"},
      {"daemonsets", "apps", "DaemonSet"},
      {"replicasets", "apps", "ReplicaSet"},
      {"jobs", "batch", "Job"},
      {"cronjobs", "batch", "CronJob"},
      {"pods", "", "Pod"},
      {"services", "", "Service"},
      {"ingresses", "networking.k8s.io", "Ingress"},
      {"configmaps", "", "ConfigMap"},
      {"secrets", "", "Secret"},
      {"persistentvolumeclaims", "", "PersistentVolumeClaim"},
      {"events", "", "Event"},
  };
  return kinds;
}

std::string mask_secret_values(std::string_view secret_json) {
  auto v = core::parse_json(secret_json);
  if (!v || !v->is_object()) return std::string(secret_json);
  auto& o = v->as_object();
  for (const char* field : {"data", "stringData"}) {
    if (auto* d = o.if_contains(field); d && d->is_object()) {
      for (auto& [k, value] : d->as_object()) value = "";
    }
  }
  if (auto* m = o.if_contains("metadata"); m && m->is_object()) {
    if (auto* a = m->as_object().if_contains("annotations"); a && a->is_object()) {
      a->as_object().erase("kubectl.kubernetes.io/last-applied-configuration");
    }
  }
  return json::serialize(*v);
}

core::Status check_object_body(json::value& body, std::string_view ns, std::string_view name, const WorkloadKind& kind,
                               std::string_view api_version) {
  auto* o = body.if_object();
  if (!o) return core::fail(core::ErrorCode::InvalidArgument, "the body must be a JSON object");
  if (auto* k = o->if_contains("kind"); k && !(k->is_string() && k->get_string() == kind.kind)) {
    return core::fail(core::Error(core::ErrorCode::InvalidArgument,
                                  fmt::format("kind must be {} on this path", kind.kind),
                                  {{"kind", fmt::format("must be {}", kind.kind)}}));
  }
  auto& meta_value = (*o)["metadata"];
  if (meta_value.is_null()) meta_value = json::object();
  auto* meta = meta_value.if_object();
  if (!meta) return core::fail(core::ErrorCode::InvalidArgument, "metadata must be an object");
  if (auto* n = meta->if_contains("namespace"); n && !(n->is_string() && n->get_string() == ns)) {
    return core::fail(core::Error(core::ErrorCode::InvalidArgument,
                                  fmt::format("metadata.namespace does not match the namespace in the path ({})", ns),
                                  {{"metadata.namespace", fmt::format("must be {} (or absent)", ns)}}));
  }
  (*meta)["namespace"] = ns;
  if (!name.empty()) {
    auto* n = meta->if_contains("name");
    if (n && !(n->is_string() && n->get_string() == name)) {
      return core::fail(core::Error(core::ErrorCode::InvalidArgument,
                                    "metadata.name does not match the name in the path",
                                    {{"metadata.name", fmt::format("must be {}", name)}}));
    }
    (*meta)["name"] = name;
  }
  (*o)["apiVersion"] = api_version;
  (*o)["kind"] = kind.kind;
  return {};
}

WorkloadRoutes::WorkloadRoutes(kube::ClusterConnections& clusters, core::Authorizer& authorizer)
    : clusters_(clusters), authorizer_(authorizer) {}

void WorkloadRoutes::register_routes(Router& router) const {
  const std::string base = "/api/v1/clusters/{cluster}/namespaces/{namespace}/";
  for (const auto& kind : workload_kinds()) {
    const std::string collection = base + std::string(kind.resource);
    const std::string item = collection + "/{name}";
    const bool secrets = kind.resource == "secrets";
    // Reading secrets needs only `secrets/keys`; the handler blanks values for callers without `secrets`.
    const std::string read_sub = secrets ? "keys" : "";
    const std::string res(kind.resource), group(kind.group);
    auto add = [&](const char* method, const std::string& pattern, const char* verb, const std::string& sub,
                   core::Result<net::HttpResponse> (WorkloadRoutes::*fn)(RouteContext&, const WorkloadKind&) const,
                   std::string summary) {
      const WorkloadKind* k = &kind;
      Route r;
      r.method = method;
      r.pattern = pattern;
      r.handler = [this, fn, k](RouteContext& ctx) { return (this->*fn)(ctx, *k); };
      r.verb = verb;
      r.resource = res;
      r.api_group = group;
      r.subresource = sub;
      r.summary = std::move(summary);
      router.add(std::move(r));
    };
    std::string kind_name(kind.kind);
    add("GET", collection, "list", read_sub, &WorkloadRoutes::list, "List " + kind_name + "s of a namespace (cached)");
    add("POST", collection, "create", "", &WorkloadRoutes::create, "Create a " + kind_name);
    add("GET", item, "get", read_sub, &WorkloadRoutes::get, "Read a " + kind_name + " (cached)");
    add("PUT", item, "update", "", &WorkloadRoutes::replace, "Replace a " + kind_name);
    add("PATCH", item, "patch", "", &WorkloadRoutes::patch, "Patch a " + kind_name + " (merge or strategic merge)");
    add("DELETE", item, "delete", "", &WorkloadRoutes::remove, "Delete a " + kind_name);
  }
}

core::Result<std::shared_ptr<kube::Informer>> WorkloadRoutes::informer_for(const RouteContext& ctx,
                                                                           const WorkloadKind& kind) const {
  auto resource = clusters_.resource(ctx.param("cluster"), kind.group, kind.resource);
  if (!resource) return core::fail(resource.error());
  return clusters_.informer(ctx.param("cluster"), *resource);
}

bool WorkloadRoutes::may_read_secret_values(const RouteContext& ctx) const {
  core::AccessRequest full{"get", "", "secrets", "", ctx.param("name"), ctx.scope};
  return authorizer_.authorize(ctx.principal, full).allowed;
}

core::Result<FieldSelector> parse_event_field_selector(std::string_view text) {
  FieldSelector out;
  auto bad = [](std::string m) {
    return core::fail(
        core::Error(core::ErrorCode::InvalidArgument, "invalid fieldSelector: " + m, {{"fieldSelector", m}}));
  };
  while (!text.empty()) {
    std::size_t comma = text.find(',');
    std::string_view term = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    std::size_t eq = term.find('=');
    if (eq == std::string_view::npos || eq == 0) return bad("each term is field=value");
    std::string_view field = term.substr(0, eq), value = term.substr(eq + 1);
    if (value.starts_with('=')) value.remove_prefix(1);  // "==" as Kubernetes allows
    if (field.ends_with('!')) return bad("only equality (= or ==) is supported");
    if (field != "involvedObject.kind" && field != "involvedObject.name" && field != "involvedObject.uid") {
      return bad("only involvedObject.kind, involvedObject.name and involvedObject.uid are supported");
    }
    if (value.size() > 253) return bad("value too long");
    out.emplace_back(std::string(field.substr(std::string_view("involvedObject.").size())), std::string(value));
  }
  if (out.size() > 3) return bad("at most three terms");
  return out;
}

namespace {

// Whether an event's involvedObject has every (field, value) of `fields`.
bool involves(const json::value& event, const FieldSelector& fields) {
  const auto* o = event.if_object();
  const auto* io = o ? o->if_contains("involvedObject") : nullptr;
  if (!io || !io->is_object()) return fields.empty();
  for (const auto& [field, value] : fields) {
    const auto* v = io->as_object().if_contains(field);
    if (!v || !v->is_string() || v->as_string() != value) return false;
  }
  return true;
}

}  // namespace

core::Result<net::HttpResponse> WorkloadRoutes::list(RouteContext& ctx, const WorkloadKind& kind) const {
  if (auto s = check_path(ctx); !s) return core::fail(s.error());
  auto opts = core::parse_list_options(ctx.request.query);
  if (!opts) return core::fail(opts.error());
  FieldSelector fields;
  if (auto fs = ctx.request.query_param("fieldSelector"); fs && !fs->empty()) {
    if (kind.resource != "events") {
      return core::fail(core::Error(core::ErrorCode::InvalidArgument, "fieldSelector is supported on events only",
                                    {{"fieldSelector", "supported on events only"}}));
    }
    auto parsed = parse_event_field_selector(*fs);
    if (!parsed) return core::fail(parsed.error());
    fields = std::move(*parsed);
  }
  auto informer = informer_for(ctx, kind);
  if (!informer) return core::fail(informer.error());
  bool mask = kind.resource == "secrets" && !may_read_secret_values(ctx);
  if (ctx.request.websocket_upgrade) return watch(ctx, *informer, *opts, mask, fields);
  core::Page<std::string> page;
  if (fields.empty()) {
    page = (*informer)->cache().list(ctx.param("namespace"), *opts);
  } else {
    // Events of one object: filter the namespace's (sorted) events, then page.
    core::ListOptions all = *opts;
    all.page = 1;
    all.limit = std::numeric_limits<std::int32_t>::max();
    auto every = (*informer)->cache().list(ctx.param("namespace"), all);
    std::vector<std::string> kept;
    for (auto& item : every.items) {
      auto v = core::parse_json(item);
      if (v && involves(*v, fields)) kept.push_back(std::move(item));
    }
    page.total = static_cast<std::int64_t>(kept.size());
    auto begin = std::min<std::size_t>(kept.size(), static_cast<std::size_t>(opts->offset()));
    auto end = std::min<std::size_t>(kept.size(), begin + static_cast<std::size_t>(opts->limit));
    page.items.assign(std::make_move_iterator(kept.begin() + static_cast<std::ptrdiff_t>(begin)),
                      std::make_move_iterator(kept.begin() + static_cast<std::ptrdiff_t>(end)));
  }
  std::string body = "{\"items\":[";
  for (std::size_t i = 0; i < page.items.size(); ++i) {
    if (i) body += ',';
    body += mask ? mask_secret_values(page.items[i]) : page.items[i];
  }
  body += "],\"total\":" + std::to_string(page.total) + "}";
  return raw_json(200, std::move(body));
}

namespace {

// Whether a cached object (JSON text) passes a list's name and label filters.
bool passes_filters(const json::value& object, const core::ListOptions& opts) {
  const auto* o = object.if_object();
  const auto* meta = o ? o->if_contains("metadata") : nullptr;
  if (!meta || !meta->is_object()) return false;
  if (!opts.name.empty()) {
    const auto* name = meta->as_object().if_contains("name");
    if (!name || !name->is_string() || name->as_string().find(opts.name) == json::string::npos) return false;
  }
  std::map<std::string, std::string, std::less<>> labels;
  if (const auto* l = meta->as_object().if_contains("labels"); l && l->is_object()) {
    for (const auto& [k, v] : l->as_object()) {
      if (v.is_string()) labels.emplace(std::string(k), std::string(v.as_string()));
    }
  }
  return opts.label_selector.matches(labels);
}

}  // namespace

core::Result<net::HttpResponse> WorkloadRoutes::watch(RouteContext& ctx, std::shared_ptr<kube::Informer> informer,
                                                      core::ListOptions opts, bool mask, FieldSelector fields) const {
  // Subscribe first, then send what the cache holds, so no change falls between the two; changes that arrive
  // meanwhile wait until SYNCED is out, so every frame after SYNCED is newer than its token. Like a filtered
  // Kubernetes watch, an object that starts to pass the filters arrives as ADDED and one that stops passing as
  // DELETED: a filtered watch remembers which names the client holds. An unfiltered watch may resume from a token
  // (?resume=) while the informer still has every change since: only those are sent.
  struct Watch {
    std::shared_ptr<kube::Informer> informer;
    std::uint64_t subscription = 0;
    std::mutex mu;
    bool closed = false;
    bool syncing = true;
    std::vector<std::string> pending;         // frames held back while syncing
    std::set<std::string, std::less<>> held;  // filtered watches: names the client holds
  };
  const bool filtered = !opts.name.empty() || !opts.label_selector.empty() || !fields.empty();
  std::string resume = filtered ? std::string() : std::string(ctx.request.query_param("resume").value_or(""));
  auto state = std::make_shared<Watch>();
  state->informer = std::move(informer);
  std::string ns = ctx.param("namespace");
  net::HttpResponse r;
  r.websocket = std::make_shared<net::WebSocketHandler>();
  r.websocket->on_open = [state, ns, opts, mask, fields, filtered,
                          resume](std::shared_ptr<net::WebSocketSession> session) {
    auto frame = [mask](std::string_view type, std::string_view object, std::string_view token) {
      std::string out = "{\"type\":\"";
      out += type;
      out += "\",\"token\":\"";
      out += token;
      out += "\",\"object\":";
      out += mask ? mask_secret_values(object) : std::string(object);
      out += '}';
      return out;
    };
    auto handler = [state, session, ns, opts, fields, filtered, frame](const kube::WatchEvent& e) {
      if (e.namespace_name != ns || e.type == kube::CacheChange::Unchanged) return;
      std::string_view type;
      bool passes = false;
      if (filtered && e.type != kube::CacheChange::Deleted) {
        auto v = core::parse_json(e.object);
        passes = v && passes_filters(*v, opts) && involves(*v, fields);
      }
      std::lock_guard lock(state->mu);
      if (!filtered) {
        type = e.type == kube::CacheChange::Added     ? "ADDED"
               : e.type == kube::CacheChange::Deleted ? "DELETED"
                                                      : "MODIFIED";
      } else {
        bool held = state->held.contains(e.name);
        if (passes) {
          type = held ? "MODIFIED" : "ADDED";
          if (!held) state->held.emplace(e.name);
        } else if (held) {
          type = "DELETED";
          state->held.erase(state->held.find(e.name));
        } else {
          return;
        }
      }
      std::string text = frame(type, e.object, state->informer->token_of(e.sequence));
      if (state->syncing) {
        state->pending.push_back(std::move(text));
      } else {
        session->send_text(std::move(text));
      }
    };
    auto sub = state->informer->subscribe_since(resume, handler);
    std::vector<std::string> snapshot;
    bool closed = false;
    {
      std::lock_guard lock(state->mu);
      state->subscription = sub.id;
      closed = state->closed;
      if (!closed && !sub.resumed) {
        core::ListOptions all = opts;
        all.page = 1;
        all.limit = std::numeric_limits<std::int32_t>::max();
        snapshot = state->informer->cache().list(ns, all).items;
        if (!fields.empty()) {
          std::erase_if(snapshot, [&](const std::string& item) {
            auto v = core::parse_json(item);
            return !v || !involves(*v, fields);
          });
        }
        if (filtered) {
          for (const auto& item : snapshot) {
            auto v = core::parse_json(item);
            const auto* meta = v && v->is_object() ? v->as_object().if_contains("metadata") : nullptr;
            const auto* name = meta && meta->is_object() ? meta->as_object().if_contains("name") : nullptr;
            if (name && name->is_string()) state->held.emplace(std::string(name->as_string()));
          }
        }
      }
    }
    if (closed) {  // closed before the subscription was recorded (unsubscribed outside the lock: handlers take it)
      state->informer->unsubscribe(sub.id);
      return;
    }
    for (const auto& item : snapshot) {
      if (!session->send_text(frame("ADDED", item, sub.token))) return;
    }
    std::lock_guard lock(state->mu);
    if (sub.resumed) {
      session->send_text("{\"type\":\"SYNCED\",\"resumed\":true}");
    } else {
      session->send_text("{\"type\":\"SYNCED\",\"resumed\":false,\"total\":" + std::to_string(snapshot.size()) +
                         ",\"token\":\"" + sub.token + "\"}");
    }
    for (auto& text : state->pending) session->send_text(std::move(text));
    state->pending.clear();
    state->syncing = false;
  };
  r.websocket->on_message = [](std::string_view, bool) {};
  r.websocket->on_close = [state](std::uint16_t) {
    std::uint64_t id = 0;
    {
      std::lock_guard lock(state->mu);
      state->closed = true;
      id = state->subscription;
    }
    if (id) state->informer->unsubscribe(id);
  };
  return r;
}

core::Result<net::HttpResponse> WorkloadRoutes::get(RouteContext& ctx, const WorkloadKind& kind) const {
  if (auto s = check_path(ctx); !s) return core::fail(s.error());
  auto informer = informer_for(ctx, kind);
  if (!informer) return core::fail(informer.error());
  auto text = (*informer)->cache().find(ctx.param("namespace"), ctx.param("name"));
  if (!text) {
    return core::fail(core::ErrorCode::NotFound, fmt::format("{} \"{}\" not found in namespace {}", kind.resource,
                                                             ctx.param("name"), ctx.param("namespace")));
  }
  if (kind.resource == "secrets" && !may_read_secret_values(ctx)) return raw_json(200, mask_secret_values(*text));
  return raw_json(200, std::move(*text));
}

core::Result<net::HttpResponse> WorkloadRoutes::create(RouteContext& ctx, const WorkloadKind& kind) const {
  if (auto s = check_path(ctx); !s) return core::fail(s.error());
  auto body = parse_json_body(ctx.request);
  if (!body) return core::fail(body.error());
  auto resource = clusters_.resource(ctx.param("cluster"), kind.group, kind.resource);
  if (!resource) return core::fail(resource.error());
  if (auto s = check_object_body(*body, ctx.param("namespace"), {}, kind, resource->group_version()); !s) {
    return core::fail(s.error());
  }
  auto client = clusters_.client(ctx.param("cluster"));
  if (!client) return core::fail(client.error());
  auto created = (*client)->call(kube::Request{
      "POST", object_path(*resource, ctx.param("namespace")) + write_query(ctx.request), json::serialize(*body)});
  if (!created) return core::fail(created.error());
  // Read-your-writes: the cache learns the object now rather than when the watch brings it.
  if (auto informer = clusters_.informer(ctx.param("cluster"), *resource, std::chrono::milliseconds(0))) {
    (*informer)->observe(*created);
  }
  return raw_json(201, kind.resource == "secrets" && !may_read_secret_values(ctx) ? mask_secret_values(*created)
                                                                                  : std::move(*created));
}

core::Result<net::HttpResponse> WorkloadRoutes::replace(RouteContext& ctx, const WorkloadKind& kind) const {
  if (auto s = check_path(ctx); !s) return core::fail(s.error());
  auto body = parse_json_body(ctx.request);
  if (!body) return core::fail(body.error());
  auto resource = clusters_.resource(ctx.param("cluster"), kind.group, kind.resource);
  if (!resource) return core::fail(resource.error());
  if (auto s = check_object_body(*body, ctx.param("namespace"), ctx.param("name"), kind, resource->group_version());
      !s) {
    return core::fail(s.error());
  }
  auto client = clusters_.client(ctx.param("cluster"));
  if (!client) return core::fail(client.error());
  auto updated = (*client)->call(
      kube::Request{"PUT", object_path(*resource, ctx.param("namespace"), ctx.param("name")) + write_query(ctx.request),
                    json::serialize(*body)});
  if (!updated) return core::fail(updated.error());
  if (auto informer = clusters_.informer(ctx.param("cluster"), *resource, std::chrono::milliseconds(0))) {
    (*informer)->observe(*updated);
  }
  return raw_json(200, std::move(*updated));
}

core::Result<net::HttpResponse> WorkloadRoutes::patch(RouteContext& ctx, const WorkloadKind& kind) const {
  if (auto s = check_path(ctx); !s) return core::fail(s.error());
  std::string content_type = "application/merge-patch+json";
  if (auto ct = ctx.request.header("Content-Type"); ct && ct->starts_with("application/strategic-merge-patch+json")) {
    content_type = "application/strategic-merge-patch+json";
  } else if (ct && !ct->empty() && !ct->starts_with("application/merge-patch+json") &&
             !ct->starts_with("application/json")) {
    return core::fail(core::ErrorCode::InvalidArgument,
                      "send a merge patch (application/merge-patch+json) or a strategic merge patch "
                      "(application/strategic-merge-patch+json)");
  }
  if (ctx.request.body.empty()) return core::fail(core::ErrorCode::InvalidArgument, "the request body is empty");
  auto patch = core::parse_json(ctx.request.body);
  if (!patch) return core::fail(patch.error());
  if (!patch->is_object()) return core::fail(core::ErrorCode::InvalidArgument, "a patch must be a JSON object");
  // A patch may not move the object: namespace and name stay those of the path.
  if (auto* m = patch->as_object().if_contains("metadata"); m && m->is_object()) {
    if (auto* n = m->as_object().if_contains("namespace");
        n && !(n->is_string() && n->get_string() == ctx.param("namespace"))) {
      return core::fail(core::Error(core::ErrorCode::InvalidArgument, "a patch cannot change metadata.namespace",
                                    {{"metadata.namespace", "must not change"}}));
    }
    if (auto* n = m->as_object().if_contains("name"); n && !(n->is_string() && n->get_string() == ctx.param("name"))) {
      return core::fail(core::Error(core::ErrorCode::InvalidArgument, "a patch cannot change metadata.name",
                                    {{"metadata.name", "must not change"}}));
    }
  }
  auto resource = clusters_.resource(ctx.param("cluster"), kind.group, kind.resource);
  if (!resource) return core::fail(resource.error());
  auto client = clusters_.client(ctx.param("cluster"));
  if (!client) return core::fail(client.error());
  auto patched = (*client)->call(kube::Request{
      "PATCH", object_path(*resource, ctx.param("namespace"), ctx.param("name")) + write_query(ctx.request),
      ctx.request.body, content_type});
  if (!patched) return core::fail(patched.error());
  if (auto informer = clusters_.informer(ctx.param("cluster"), *resource, std::chrono::milliseconds(0))) {
    (*informer)->observe(*patched);
  }
  return raw_json(200, std::move(*patched));
}

core::Result<net::HttpResponse> WorkloadRoutes::remove(RouteContext& ctx, const WorkloadKind& kind) const {
  if (auto s = check_path(ctx); !s) return core::fail(s.error());
  auto resource = clusters_.resource(ctx.param("cluster"), kind.group, kind.resource);
  if (!resource) return core::fail(resource.error());
  auto client = clusters_.client(ctx.param("cluster"));
  if (!client) return core::fail(client.error());
  // Dependents (a Deployment's ReplicaSets and Pods) go too, as kubectl delete does.
  std::string body = R"({"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Background"})";
  auto deleted =
      (*client)->call(kube::Request{"DELETE", object_path(*resource, ctx.param("namespace"), ctx.param("name")), body});
  if (!deleted) return core::fail(deleted.error());
  return raw_json(200, std::move(*deleted));
}

}  // namespace atrium::api
