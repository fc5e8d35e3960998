#include "api/kube_passthrough.h"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <thread>
#include <vector>

#include "api/kube_route_support.h"
#include "api/responses.h"
#include "core/json.h"
#include "core/log.h"
#include "core/validation.h"

namespace atrium::api {
namespace {

namespace json = core::json;
using namespace std::chrono_literals;

core::Error invalid(std::string message) { return core::Error(core::ErrorCode::InvalidArgument, std::move(message)); }

std::vector<std::string_view> split_segments(std::string_view rest) {
  std::vector<std::string_view> out;
  while (!rest.empty()) {
    std::size_t slash = rest.find('/');
    out.push_back(rest.substr(0, slash));
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  return out;
}

// Group, version, resource and subresource names: lower-case DNS-like words.
bool plain_word(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

// Object names: anything Kubernetes accepts in a path segment, minus control characters (the router already
// refused '/', '.', '..' and NUL).
bool object_name(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

bool truthy(std::optional<std::string_view> v) { return v && (*v == "true" || *v == "1"); }

// Headers a client may not send through: Atrium alone decides who the cluster sees.
bool is_impersonation_header(std::string_view name) {
  constexpr std::string_view prefix = "impersonate-";
  if (name.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(name[i])) != prefix[i]) return false;
  }
  return true;
}

// Only Atrium says whom a request acts as: any Impersonate-* header from the client refuses the request.
core::Status refuse_impersonation(const net::HttpRequest& req) {
  for (const auto& [name, value] : req.headers.items()) {
    if (is_impersonation_header(name)) {
      return core::fail(core::ErrorCode::PermissionDenied, "impersonation headers are not accepted by Atrium");
    }
  }
  return {};
}

std::string query_string(const net::HttpRequest& req) {
  std::size_t q = req.target.find('?');
  return q == std::string::npos ? std::string() : req.target.substr(q);
}

net::HttpResponse passthrough_response(const net::ClientResponse& upstream) {
  net::HttpResponse r;
  r.status = upstream.status;
  for (const char* name : {"Content-Type", "Warning", "Audit-Id"}) {
    if (auto v = upstream.headers.get(name)) r.headers.add(name, std::string(*v));
  }
  r.body = upstream.body;
  return r;
}

}  // namespace

core::Result<KubeApiPath> parse_kube_api_path(bool core, std::string_view rest) {
  KubeApiPath p;
  auto segs = split_segments(rest);
  std::size_t head = core ? 1 : 2;  // v1 | <group>/<version>
  if (segs.size() <= head) {
    p.discovery = true;
    for (auto s : segs) {
      if (!plain_word(s)) return core::fail(invalid(fmt::format("invalid API group or version '{}'", s)));
    }
    if (!core && !segs.empty()) p.group = std::string(segs[0]);
    if (segs.size() == head) p.version = std::string(segs.back());
    return p;
  }
  if (core) {
    p.version = std::string(segs[0]);
  } else {
    p.group = std::string(segs[0]);
    p.version = std::string(segs[1]);
    if (!plain_word(p.group)) return core::fail(invalid("invalid API group '" + p.group + "'"));
  }
  if (!plain_word(p.version)) return core::fail(invalid("invalid API version '" + p.version + "'"));
  std::vector<std::string_view> r(segs.begin() + static_cast<std::ptrdiff_t>(head), segs.end());
  if (!r.empty() && r[0] == "watch") {
    p.legacy_watch = true;
    r.erase(r.begin());
    if (r.empty()) return core::fail(invalid("a watch path names a resource"));
  }
  if (r[0] == "namespaces" && r.size() >= 3 && !(core && r.size() == 3 && (r[2] == "status" || r[2] == "finalize"))) {
    p.ns = std::string(r[1]);
    if (auto m = core::validate_dns1123_label(p.ns); !m.empty()) {
      return core::fail(invalid("invalid namespace '" + p.ns + "': " + m));
    }
    r.erase(r.begin(), r.begin() + 2);
  }
  if (r.size() > 3) return core::fail(invalid("the path has more segments than a Kubernetes resource path"));
  p.resource = std::string(r[0]);
  if (!plain_word(p.resource)) return core::fail(invalid("invalid resource '" + p.resource + "'"));
  if (r.size() >= 2) {
    p.name = std::string(r[1]);
    if (!object_name(p.name)) return core::fail(invalid("invalid object name"));
  }
  if (r.size() == 3) {
    p.subresource = std::string(r[2]);
    if (!plain_word(p.subresource)) return core::fail(invalid("invalid subresource '" + p.subresource + "'"));
  }
  if (p.legacy_watch && !p.subresource.empty()) return core::fail(invalid("a subresource cannot be watched"));
  return p;
}

core::Result<std::string> kube_verb(std::string_view method, const KubeApiPath& path, const net::QueryParams& query) {
  auto watch_param = [&]() -> std::optional<std::string_view> {
    auto it = query.find("watch");
    if (it == query.end()) return std::nullopt;
    return std::string_view(it->second);
  };
  if (method == "GET" || method == "HEAD") {
    if (path.legacy_watch || truthy(watch_param())) return std::string("watch");
    return std::string(path.name.empty() ? "list" : "get");
  }
  if (path.legacy_watch) return core::fail(core::ErrorCode::MethodNotAllowed, "a watch path only answers GET");
  if (method == "POST") return std::string("create");
  if (method == "PUT") return std::string("update");
  if (method == "PATCH") return std::string("patch");
  if (method == "DELETE") return std::string(path.name.empty() ? "deletecollection" : "delete");
  return core::fail(core::ErrorCode::MethodNotAllowed, fmt::format("method {} is not allowed here", method));
}

core::Status check_body_namespace(std::string_view content_type, std::string_view body, std::string_view ns) {
  if (body.empty()) return {};
  bool json_like = content_type.empty() || content_type.find("json") != std::string_view::npos ||
                   content_type.find("apply-patch+yaml") != std::string_view::npos;
  if (!json_like) {
    return core::fail(invalid(
        fmt::format("Content-Type '{}' cannot be checked by Atrium: send JSON (kubectl does unless told otherwise)",
                    content_type)));
  }
  auto v = core::parse_json(body);
  if (!v) {
    return core::fail(invalid("the body is not JSON (server-side apply bodies must be sent as JSON, a YAML subset)"));
  }
  auto mismatch = [&](std::string_view found) {
    return core::fail(invalid(fmt::format(
        "the namespace of the provided object ({}) does not match the namespace sent on the request ({})", found, ns)));
  };
  auto check_object = [&](const json::value& obj) -> core::Status {
    const auto* o = obj.if_object();
    if (!o) return {};
    const auto* meta = o->if_contains("metadata");
    if (!meta || meta->is_null()) return {};
    if (!meta->is_object()) return core::fail(invalid("metadata must be an object"));
    const auto* n = meta->as_object().if_contains("namespace");
    if (!n || n->is_null()) return {};
    if (!n->is_string()) return core::fail(invalid("metadata.namespace must be a string"));
    if (n->as_string() != ns) return mismatch(n->as_string());
    return {};
  };
  if (v->is_array()) {  // a JSON patch: no operation may touch the namespace (or replace metadata wholesale)
    for (const auto& op : v->as_array()) {
      const auto* o = op.if_object();
      if (!o) return core::fail(invalid("a JSON patch is a list of operation objects"));
      for (const char* field : {"path", "from"}) {
        const auto* p = o->if_contains(field);
        if (!p) continue;
        if (!p->is_string()) return core::fail(invalid(fmt::format("a JSON patch {} must be a string", field)));
        std::string_view path = p->as_string();
        if (path == "" || path == "/metadata" || path.starts_with("/metadata/namespace")) {
          return core::fail(invalid("a JSON patch may not change the object's namespace or metadata wholesale"));
        }
      }
    }
    return {};
  }
  if (!v->is_object()) return core::fail(invalid("the body must be a JSON object"));
  if (auto s = check_object(*v); !s) return s;
  // A List (kubectl sends one for some bulk operations): every item.
  if (const auto* items = v->as_object().if_contains("items"); items && items->is_array()) {
    for (const auto& item : items->as_array()) {
      if (auto s = check_object(item); !s) return s;
    }
  }
  return {};
}

KubePassthrough::KubePassthrough(kube::ClusterConnections& clusters, core::Authorizer& authorizer,
                                 NamespaceScope namespace_scope, PreflightGate preflight)
    : clusters_(clusters),
      authorizer_(authorizer),
      namespace_scope_(std::move(namespace_scope)),
      preflight_(std::move(preflight)),
      streams_(std::make_shared<StreamThreads>()) {}

KubePassthrough::~KubePassthrough() { streams_->stop(); }

void KubePassthrough::register_routes(Router& router) const {
  const std::string base = "/clusters/{cluster}";
  for (const char* method : {"GET", "POST", "PUT", "PATCH", "DELETE"}) {
    for (bool core : {true, false}) {
      std::string root = base + (core ? "/api" : "/apis");
      auto handler = [this, core](RouteContext& ctx) { return handle(ctx, core); };
      if (std::string_view(method) == "GET") {
        router.add(Route{.method = method, .pattern = root, .handler = handler, .summary = "Kubernetes discovery"});
      }
      router.add(Route{.method = method,
                       .pattern = root + "/{rest*}",
                       .handler = handler,
                       .summary = "The cluster's Kubernetes API, decided by Atrium's roles (kubectl)"});
    }
  }
  for (const char* path : {"/version", "/openapi/v2"}) {
    router.add(Route{.method = "GET",
                     .pattern = base + path,
                     .handler = [this, path](RouteContext& ctx) { return forward_plain(ctx, path); },
                     .summary = "The cluster's version and OpenAPI document (kubectl)"});
  }
}

core::Result<net::HttpResponse> KubePassthrough::forward_plain(RouteContext& ctx, std::string path) const {
  if (auto s = refuse_impersonation(ctx.request); !s) return core::fail(s.error());
  auto client = clusters_.client(ctx.param("cluster"));
  if (!client) return core::fail(client.error());
  kube::Request request{"GET", std::move(path)};
  if (auto accept = ctx.request.header("Accept")) request.accept = std::string(*accept);
  auto upstream = (*client)->send(request);
  if (!upstream) return core::fail(upstream.error());
  return passthrough_response(*upstream);
}

core::Result<net::HttpResponse> KubePassthrough::handle(RouteContext& ctx, bool core) const {
  net::HttpRequest& req = ctx.request;
  if (auto s = refuse_impersonation(req); !s) return core::fail(s.error());
  if (req.websocket_upgrade || req.header("Upgrade")) {
    return core::fail(invalid(
        "streaming upgrades (exec, attach, port-forward) are not passed through: use Atrium's terminal WebSocket"));
  }
  const std::string& cluster = ctx.param("cluster");
  auto path = parse_kube_api_path(core, ctx.param("rest"));
  if (!path) return core::fail(path.error());
  std::string upstream_path = std::string(core ? "/api" : "/apis");
  if (!ctx.param("rest").empty()) upstream_path += "/" + ctx.param("rest");
  if (path->discovery) {
    if (req.method != "GET") return core::fail(core::ErrorCode::MethodNotAllowed, "discovery only answers GET");
    return forward_plain(ctx, upstream_path);
  }
  auto verb = kube_verb(req.method, *path, req.query);
  if (!verb) return core::fail(verb.error());

  core::Scope scope{core::Scope::Level::Cluster, cluster, {}, {}};
  if (!path->ns.empty() && namespace_scope_) {
    if (auto project = namespace_scope_(cluster, path->ns)) scope = *project;
  }
  ctx.scope = scope;
  core::AccessRequest access{*verb, path->group, path->resource, path->subresource, path->name, scope};
  ctx.access = access;
  core::Decision d = authorizer_.authorize(ctx.principal, access);
  if (!d.allowed) {
    std::string what = fmt::format(
        "{} {}{}{}", *verb, path->resource, path->subresource.empty() ? "" : "/" + path->subresource,
        path->ns.empty() ? std::string(" in every namespace or at cluster scope") : " in namespace " + path->ns);
    return core::fail(core::ErrorCode::PermissionDenied,
                      fmt::format("user \"{}\" may not {}", ctx.principal.user, d.reason.empty() ? what : d.reason));
  }
  const bool write = req.method == "POST" || req.method == "PUT" || req.method == "PATCH";
  std::string content_type(req.header("Content-Type").value_or(""));
  if (write && !path->ns.empty()) {
    if (auto s = check_body_namespace(content_type, req.body, path->ns); !s) return core::fail(s.error());
  }
  // A CRD whose schema uses x-kubernetes-int-or-string can make some API servers panic (kube/preflight.h): such
  // writes go only to clusters whose version passes that check.
  if (write && preflight_ && path->group == "apiextensions.k8s.io" && path->resource == "customresourcedefinitions" &&
      req.body.find("x-kubernetes-int-or-string") != std::string::npos) {
    if (auto s = preflight_(cluster, "apply-crd-int-or-string"); !s) return core::fail(s.error());
  }
  kube::Request request{req.method, upstream_path + query_string(req)};
  request.body = req.body;
  if (!content_type.empty()) request.content_type = content_type;
  if (auto accept = req.header("Accept")) request.accept = std::string(*accept);
  // Allowed only through a project role: the cluster sees a caller who may act in that namespace only. A caller
  // whose cluster or platform role allows the same at cluster scope keeps the cluster-wide group (custom
  // resources in the namespace, which the namespace's `admin` binding does not cover).
  std::string project_ns;
  if (scope.level == core::Scope::Level::Project) {
    core::AccessRequest wide = access;
    wide.scope = core::Scope{core::Scope::Level::Cluster, cluster, {}, {}};
    if (!authorizer_.authorize(ctx.principal, wide).allowed) project_ns = path->ns;
  }
  return forward(ctx, request, *verb == "watch", project_ns);
}

std::string KubePassthrough::namespace_group(std::string_view ns) { return "atrium:namespace:" + std::string(ns); }

core::Result<net::HttpResponse> KubePassthrough::forward(RouteContext& ctx, const kube::Request& base, bool watch,
                                                         const std::string& project_ns) const {
  const std::string& cluster = ctx.param("cluster");
  auto client = clusters_.client(cluster);
  if (!client) return core::fail(client.error());
  if (auto s = ensure_binding(cluster, project_ns, **client); !s) return core::fail(s.error());
  auto who = std::make_shared<kube::Impersonation>();
  who->user = "atrium:" + ctx.principal.user;
  who->groups = {project_ns.empty() ? std::string(kGroup) : namespace_group(project_ns), "system:authenticated"};
  if (!watch) {
    kube::Request request = base;
    request.impersonate = who.get();
    auto upstream = (*client)->send(request);
    if (!upstream) return core::fail(upstream.error());
    // The cluster refused what Atrium allowed in a project: the namespace's RoleBinding may have gone since this
    // process made it (the namespace deleted and made again), or a new one is not in the apiserver's RBAC cache
    // yet. Check it once more and retry, briefly.
    for (int attempt = 0; upstream->status == 403 && !project_ns.empty() && attempt < 3; ++attempt) {
      if (auto s = ensure_binding(cluster, project_ns, **client, attempt == 0); !s) return core::fail(s.error());
      std::this_thread::sleep_for(std::chrono::milliseconds(50 << attempt));
      upstream = (*client)->send(request);
      if (!upstream) return core::fail(upstream.error());
    }
    return passthrough_response(*upstream);
  }

  // A watch: the upstream stream runs on its own thread. The response starts once the apiserver accepted the
  // watch (its first chunk or the client's quiet-stream tick); an error before that is answered normally.
  struct Watch {
    std::mutex mu;
    std::condition_variable cv;
    bool started = false;
    bool ended = false;
    std::optional<core::Error> error;
    std::deque<std::string> early;  // chunks before the response stream was attached
    std::shared_ptr<net::ResponseStream> out;
    std::atomic<bool> client_gone{false};
  };
  auto state = std::make_shared<Watch>();
  bool launched = streams_->start([state, who, client = *client, request = base, streams = streams_.get()]() mutable {
    request.impersonate = who.get();
    auto result = client->stream(
        request,
        [&](std::string_view chunk) {
          if (streams->stopping || state->client_gone) return false;
          std::shared_ptr<net::ResponseStream> out;
          {
            std::lock_guard lock(state->mu);
            if (!state->started) {
              state->started = true;
              state->cv.notify_all();
            }
            out = state->out;
            if (!out) {
              if (!chunk.empty()) state->early.emplace_back(chunk);
              return true;
            }
          }
          return chunk.empty() ? !out->closed() : out->write(std::string(chunk));
        },
        30min);
    std::shared_ptr<net::ResponseStream> out;
    {
      std::lock_guard lock(state->mu);
      state->ended = true;
      if (!result && !state->started) state->error = result.error();
      out = state->out;
      state->cv.notify_all();
    }
    if (out) out->finish();
  });
  if (!launched) return core::fail(core::ErrorCode::Unavailable, "the server is stopping");
  {
    std::unique_lock lock(state->mu);
    state->cv.wait_for(lock, 15s, [&] { return state->started || state->ended; });
    if (state->error) return core::fail(*state->error);
    if (!state->started && !state->ended) {
      state->client_gone = true;
      return core::fail(core::ErrorCode::DeadlineExceeded, "the cluster did not start the watch in time");
    }
  }
  net::HttpResponse r;
  r.headers.add("Content-Type", "application/json");
  r.stream = std::make_shared<net::StreamHandler>();
  r.stream->on_open = [state](std::shared_ptr<net::ResponseStream> out) {
    std::deque<std::string> early;
    bool ended = false;
    {
      std::lock_guard lock(state->mu);
      early.swap(state->early);
      for (auto& chunk : early) out->write(std::move(chunk));
      state->out = out;
      ended = state->ended;
    }
    if (ended) out->finish();
  };
  r.stream->on_close = [state] { state->client_gone = true; };
  return r;
}

core::Status KubePassthrough::ensure_binding(std::string_view cluster, const std::string& ns, kube::Client& client,
                                             bool again) const {
  const std::string key = ns.empty() ? std::string(cluster) : std::string(cluster) + "/" + ns;
  {
    std::lock_guard lock(mu_);
    if (again) {
      bound_.erase(key);
    } else if (bound_.contains(key)) {
      return {};
    }
  }
  const std::string rbac = "/apis/rbac.authorization.k8s.io/v1";
  const std::string path = ns.empty() ? rbac + "/clusterrolebindings" : rbac + "/namespaces/" + ns + "/rolebindings";
  const std::string group = ns.empty() ? std::string(kGroup) : namespace_group(ns);
  const char* role = ns.empty() ? "cluster-admin" : "admin";
  const std::string where =
      ns.empty() ? "on cluster " + std::string(cluster) : "in namespace " + ns + " of cluster " + std::string(cluster);
  auto existing = client.send(kube::Request{"GET", path + "/" + std::string(kBindingName)});
  if (!existing) return core::fail(existing.error());
  bool matches = false;
  if (existing->status == 200) {
    // A binding of that name that says something else (edited by hand) is put back.
    auto v = core::parse_json(existing->body);
    const auto* subjects = v ? find_path(*v, {"subjects"}) : nullptr;
    matches = v && string_at(*v, {"roleRef", "name"}) == role && subjects && subjects->is_array() &&
              subjects->get_array().size() == 1 && string_at(subjects->get_array()[0], {"kind"}) == "Group" &&
              string_at(subjects->get_array()[0], {"name"}) == group;
  }
  if (existing->status == 404 || (existing->status == 200 && !matches)) {
    json::object meta{{"name", kBindingName}, {"labels", json::object{{"app.kubernetes.io/managed-by", "atrium"}}}};
    if (!ns.empty()) meta["namespace"] = ns;
    json::object binding{
        {"apiVersion", "rbac.authorization.k8s.io/v1"},
        {"kind", ns.empty() ? "ClusterRoleBinding" : "RoleBinding"},
        {"metadata", std::move(meta)},
        {"roleRef", json::object{{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "ClusterRole"}, {"name", role}}},
        {"subjects",
         json::array{json::object{{"apiGroup", "rbac.authorization.k8s.io"}, {"kind", "Group"}, {"name", group}}}}};
    // The roleRef of a binding cannot change: a wrong one is deleted and made again.
    if (existing->status == 200) {
      auto gone = client.send(kube::Request{"DELETE", path + "/" + std::string(kBindingName)});
      if (!gone) return core::fail(gone.error());
    }
    auto created = client.send(kube::Request{"POST", path, json::serialize(binding)});
    if (!created) return core::fail(created.error());
    if (created->status != 201 && created->status != 409) {
      core::Error e = kube::Client::error_from_response(*created);
      return core::fail(core::ErrorCode::Unavailable, "Atrium cannot set up impersonation " + where + ": " + e.message);
    }
  } else if (existing->status != 200) {
    core::Error e = kube::Client::error_from_response(*existing);
    return core::fail(core::ErrorCode::Unavailable, "Atrium cannot check impersonation " + where + ": " + e.message);
  }
  std::lock_guard lock(mu_);
  bound_.insert(key);
  return {};
}

}  // namespace atrium::api
