// A scripted kube-apiserver for route tests without a cluster: discovery for the core group, apps/v1, policy/v1beta1
// and a custom group (example.com/v1: namespaced Widget, cluster-scoped Gadget), objects held by path (GET of an
// object or of a collection, cluster-wide or per namespace, with fieldSelector=spec.nodeName=...), watches that end
// at once, PATCH answering the stored object (server-side apply creates it: 201), evictions (201, the pod removed),
// and answers scripted per (method, path) that take precedence until used up. Every request is recorded. Plain HTTP on
// a free loopback port; no authentication. Tests only; thread-safe.
#pragma once

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/json.h"
#include "kube/client.h"
#include "net/http_server.h"

namespace atrium::api::testing {

class FakeKubeApi {
 public:
  struct Seen {
    std::string method;
    std::string path;
    std::string target;
    std::string content_type;
    std::string body;
  };

  FakeKubeApi() {
    using namespace std::chrono_literals;
    net::HttpServerOptions o;
    o.listen = "127.0.0.1:0";
    o.threads = 2;
    o.drain_timeout = 100ms;
    auto s = net::HttpServer::create(o, [this](net::HttpRequest& r) { return handle(r); });
    if (s && (*s)->start()) server_ = std::move(*s);
  }
  ~FakeKubeApi() {
    if (server_) server_->stop();
  }
  bool ok() const { return server_ != nullptr; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }

  // A client of this server, for a ClusterConnections lookup.
  std::shared_ptr<kube::Client> client() {
    std::lock_guard lock(mutex_);
    if (!client_) {
      kube::ClusterConnection c;
      c.server = url();
      c.token = "fake";
      auto made = kube::Client::create(c);
      if (made) client_ = std::move(*made);
    }
    return client_;
  }

  // Stores an object at its path ("/apis/apps/v1/namespaces/shop/deployments/web").
  void put(const std::string& path, const std::string& json) {
    std::lock_guard lock(mutex_);
    objects_[path] = json;
  }
  // The next answers to (method, path), one per request, in order; then the usual behaviour again.
  void answer(const std::string& method, const std::string& path, int status, std::string body) {
    std::lock_guard lock(mutex_);
    scripted_[method + " " + path].emplace_back(status, std::move(body));
  }
  std::vector<Seen> seen(const std::string& method, const std::string& path_prefix = "/") const {
    std::lock_guard lock(mutex_);
    std::vector<Seen> out;
    for (const auto& s : seen_) {
      if (s.method == method && s.path.starts_with(path_prefix)) out.push_back(s);
    }
    return out;
  }

 private:
  static std::string status_body(int code, const std::string& message, const std::string& reason) {
    return R"({"kind":"Status","apiVersion":"v1","status":"Failure","message":")" + message + R"(","reason":")" +
           reason + R"(","code":)" + std::to_string(code) + "}";
  }

  static std::string discovery(const std::string& path) {
    auto resource = [](const char* name, const char* kind, bool namespaced, const char* verbs) {
      return std::string(R"({"name":")") + name + R"(","kind":")" + kind + R"(","namespaced":)" +
             (namespaced ? "true" : "false") + R"(,"verbs":)" + verbs + "}";
    };
    const char* all = R"(["create","delete","get","list","patch","update","watch"])";
    if (path == "/api") return R"({"kind":"APIVersions","versions":["v1"]})";
    if (path == "/apis") {
      return R"({"kind":"APIGroupList","groups":[)"
             R"({"name":"apps","versions":[{"groupVersion":"apps/v1","version":"v1"}],"preferredVersion":{"groupVersion":"apps/v1","version":"v1"}},)"
             R"({"name":"policy","versions":[{"groupVersion":"policy/v1beta1","version":"v1beta1"}],"preferredVersion":{"groupVersion":"policy/v1beta1","version":"v1beta1"}},)"
             R"({"name":"example.com","versions":[{"groupVersion":"example.com/v1","version":"v1"}],"preferredVersion":{"groupVersion":"example.com/v1","version":"v1"}}]})";
    }
    std::string items;
    if (path == "/api/v1") {
      items = resource("pods", "Pod", true, all) + "," + resource("pods/eviction", "Eviction", true, R"(["create"])") +
              "," + resource("nodes", "Node", false, all) + "," + resource("configmaps", "ConfigMap", true, all) + "," +
              resource("services", "Service", true, all) + "," + resource("secrets", "Secret", true, all) + "," +
              resource("namespaces", "Namespace", false, all) + "," +
              resource("resourcequotas", "ResourceQuota", true, all) + "," +
              resource("bindings", "Binding", true, R"(["create"])");
    } else if (path == "/apis/apps/v1") {
      items = resource("deployments", "Deployment", true, all) + "," +
              resource("deployments/scale", "Scale", true, all) + "," +
              resource("statefulsets", "StatefulSet", true, all) + "," +
              resource("daemonsets", "DaemonSet", true, all) + "," + resource("replicasets", "ReplicaSet", true, all) +
              "," + resource("controllerrevisions", "ControllerRevision", true, all);
    } else if (path == "/apis/policy/v1beta1") {
      items = resource("poddisruptionbudgets", "PodDisruptionBudget", true, all);
    } else if (path == "/apis/example.com/v1") {
      items = resource("widgets", "Widget", true, all) + "," + resource("gadgets", "Gadget", false, all);
    } else {
      return {};
    }
    return R"({"kind":"APIResourceList","resources":[)" + items + "]}";
  }

  // Whether the object at `object_path` belongs to the collection `path` (namespaced or cluster-wide).
  static bool in_collection(const std::string& object_path, const std::string& path) {
    auto slash = object_path.rfind('/');
    if (slash == std::string::npos) return false;
    std::string parent = object_path.substr(0, slash);
    if (parent == path) return true;
    // Cluster-wide: /apis/apps/v1/replicasets holds /apis/apps/v1/namespaces/x/replicasets/y.
    auto last = path.rfind('/');
    std::string base = path.substr(0, last), plural = path.substr(last + 1);
    return parent.starts_with(base + "/namespaces/") && parent.ends_with("/" + plural) &&
           std::count(parent.begin() + base.size(), parent.end(), '/') == 3;
  }

  net::HttpResponse handle(net::HttpRequest& r) {
    net::HttpResponse resp;
    resp.headers.add("Content-Type", "application/json");
    std::lock_guard lock(mutex_);
    auto ct = r.header("Content-Type");
    seen_.push_back(Seen{r.method, r.path, r.target, ct ? std::string(*ct) : std::string(), r.body});
    if (auto it = scripted_.find(r.method + " " + r.path); it != scripted_.end() && !it->second.empty()) {
      auto [status, body] = it->second.front();
      it->second.pop_front();
      resp.status = status;
      resp.body = body;
      return resp;
    }
    if (r.method == "GET") {
      if (auto d = discovery(r.path); !d.empty()) {
        resp.body = d;
        return resp;
      }
      if (r.query_param("watch")) return resp;  // the watch ends at once; the informer resumes later
      if (auto it = objects_.find(r.path); it != objects_.end()) {
        resp.body = it->second;
        return resp;
      }
      std::string node_filter;
      if (auto f = r.query_param("fieldSelector"); f && f->starts_with("spec.nodeName=")) {
        node_filter = std::string(f->substr(std::string_view("spec.nodeName=").size()));
      }
      std::string items;
      bool any = false;
      for (const auto& [path, json] : objects_) {
        if (!in_collection(path, r.path)) continue;
        if (!node_filter.empty()) {
          auto v = core::parse_json(json);
          if (!v || !v->is_object()) continue;
          auto* spec = v->as_object().if_contains("spec");
          auto* node = spec && spec->is_object() ? spec->as_object().if_contains("nodeName") : nullptr;
          if (!node || !node->is_string() || node->get_string() != node_filter) continue;
        }
        items += (any ? "," : "") + json;
        any = true;
      }
      if (any || looks_like_collection(r.path)) {
        resp.body = R"({"kind":"List","apiVersion":"v1","metadata":{"resourceVersion":"1"},"items":[)" + items + "]}";
        return resp;
      }
    } else if (r.method == "PATCH") {
      if (auto it = objects_.find(r.path); it != objects_.end()) {
        resp.body = it->second;
        return resp;
      }
      if (ct && ct->starts_with("application/apply-patch")) {
        objects_[r.path] = r.body;
        resp.status = 201;
        resp.body = r.body;
        return resp;
      }
    } else if (r.method == "POST" && r.path.ends_with("/eviction")) {
      auto pod = r.path.substr(0, r.path.size() - std::string_view("/eviction").size());
      if (objects_.erase(pod) == 0) {
        resp.status = 404;
        resp.body = status_body(404, "pods not found", "NotFound");
        return resp;
      }
      resp.status = 201;
      resp.body = R"({"kind":"Status","apiVersion":"v1","status":"Success","code":201})";
      return resp;
    }
    resp.status = 404;
    resp.body = status_body(404, "the server could not find the requested resource", "NotFound");
    return resp;
  }

  static bool looks_like_collection(const std::string& path) {
    for (const char* c : {"/pods", "/nodes", "/replicasets", "/controllerrevisions", "/deployments", "/statefulsets",
                          "/daemonsets", "/configmaps", "/services"}) {
      if (path.ends_with(c)) return true;
    }
    return false;
  }

  mutable std::mutex mutex_;
  std::map<std::string, std::string> objects_;
  std::map<std::string, std::deque<std::pair<int, std::string>>> scripted_;
  std::vector<Seen> seen_;
  std::shared_ptr<kube::Client> client_;
  std::unique_ptr<net::HttpServer> server_;
};

}  // namespace atrium::api::testing
