// A fake kube-apiserver for tests without a cluster: plain HTTP on a free loopback port, answering /version
// (a chosen gitVersion), /readyz?verbose and /api/v1/nodes for one bearer token, 401 otherwise; it can hang or
// report etcd down. Tests only; the knobs are atomics, safe to flip while the server runs.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "net/http_server.h"

namespace atrium::kube::testing {

inline constexpr const char* kToken = "SECRET-TOKEN-4711";

// A fake kube-apiserver: /version, /readyz?verbose and /api/v1/nodes for a bearer token.
class FakeApiServer {
 public:
  explicit FakeApiServer(std::string version, int nodes = 1) : version_(std::move(version)), nodes_(nodes) {
    using namespace std::chrono_literals;
    net::HttpServerOptions o;
    o.listen = "127.0.0.1:0";
    o.threads = 2;
    o.drain_timeout = 100ms;
    auto s = net::HttpServer::create(o, [this](net::HttpRequest& r) { return handle(r); });
    if (s && (*s)->start()) server_ = std::move(*s);
  }
  ~FakeApiServer() { stop(); }
  bool ok() const { return server_ != nullptr; }
  void stop() {
    if (server_) server_->stop();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_ ? port_ : server_->port()); }
  void remember_port() { port_ = server_->port(); }
  std::atomic<int> hang_ms{0};
  std::atomic<bool> etcd_down{false};

 private:
  net::HttpResponse handle(net::HttpRequest& r) {
    if (hang_ms.load() > 0) std::this_thread::sleep_for(std::chrono::milliseconds(hang_ms.load()));
    net::HttpResponse resp;
    resp.headers.add("Content-Type", "application/json");
    auto auth = r.header("Authorization");
    if (!auth || *auth != std::string("Bearer ") + kToken) {
      resp.status = 401;
      resp.body = R"({"kind":"Status","status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401})";
      return resp;
    }
    if (r.path == "/version") {
      resp.body = R"({"major":"1","gitVersion":")" + version_ + R"("})";
    } else if (r.path == "/readyz") {
      resp.status = etcd_down ? 500 : 200;
      resp.body = etcd_down ? "[+]ping ok\n[-]etcd failed: reason withheld\nreadyz check failed\n"
                            : "[+]ping ok\n[+]etcd ok\nreadyz check passed\n";
    } else if (r.path == "/api/v1/nodes") {
      std::string items;
      for (int i = 0; i < nodes_; ++i) {
        if (i) items += ",";
        items += R"({"metadata":{"name":"n)" + std::to_string(i) +
                 R"("},"status":{"conditions":[{"type":"Ready","status":")" + (i == 0 ? "True" : "False") + R"("}]}})";
      }
      resp.body = R"({"kind":"NodeList","items":[)" + items + "]}";
    } else {
      resp.status = 404;
      resp.body = R"({"kind":"Status","message":"not found","code":404})";
    }
    return resp;
  }

  std::string version_;
  int nodes_;
  std::uint16_t port_ = 0;
  std::unique_ptr<net::HttpServer> server_;
};

inline std::string kubeconfig_for(const std::string& server, const std::string& token = kToken) {
  return "apiVersion: v1\nkind: Config\ncurrent-context: c\nclusters:\n- name: c\n  cluster:\n    server: " + server +
         "\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\nusers:\n- name: u\n  user:\n    token: " +
         token + "\n";
}

}  // namespace atrium::kube::testing
