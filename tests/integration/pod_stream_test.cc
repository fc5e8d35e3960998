// Pod logs and the terminal of the real `atrium` binary against the real local cluster, directly and through
// HAProxy 2.6 in front of Atrium: plain and followed logs, an interactive shell over WebSocket (typed input,
// resize, exit status), a project viewer refused the terminal but reading logs, and every exec in the audit log.
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/json.h"
#include "net/http_client.h"
#include "net/websocket_client.h"
#include "support/atrium_server.h"
#include "support/kube_cluster.h"
#include "support/process.h"

namespace atrium {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* kAdminPassword = "Correct-Horse-Battery-9";
constexpr const char* kPassword = "Journey-Password-42";

// Reads messages until `done(accumulated)` holds or the deadline passes; frames of other channels are kept in
// `other` (terminal) when `channel` is set, all text otherwise (logs).
struct Received {
  bool ok = false;
  std::string data;
};
Received read_until(net::WebSocketClient& ws, std::optional<char> channel,
                    const std::function<bool(const std::string&)>& done, std::chrono::seconds limit = 30s) {
  Received r;
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    auto m = ws.receive(200ms);
    if (!m) {
      if (m.error().code == core::ErrorCode::DeadlineExceeded) continue;
      break;
    }
    if (channel) {
      if (m->data.empty() || m->data[0] != *channel) continue;
      r.data += m->data.substr(1);
    } else {
      r.data += m->data;
    }
    if (done(r.data)) {
      r.ok = true;
      return r;
    }
  }
  r.ok = done(r.data);
  return r;
}

bool contains(const std::string& s, std::string_view what) { return s.find(what) != std::string::npos; }

class PodStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto c = testing::kube_clusters();
    ASSERT_TRUE(c) << c.error().message;
    clusters_ = *c;
    auto s = testing::AtriumServer::start({.name = "pod-stream-test", .admin_password = kAdminPassword});
    ASSERT_TRUE(s) << s.error().message;
    atrium_ = std::move(*s);
    dir_ = atrium_->dir();
    port_ = atrium_->port();
    admin_ = atrium_->admin_token();
  }
  void TearDown() override {
    for (const auto& ns : namespaces_) {
      (void)testing::kubectl(clusters_, clusters_.local_kubeconfig, {"delete", "namespace", ns, "--wait=false"});
    }
    haproxy_.reset();
    atrium_.reset();
  }

  bool wait_ready(int port, testing::ChildProcess* process) {
    auto until = std::chrono::steady_clock::now() + 30s;
    while (std::chrono::steady_clock::now() < until && process->running()) {
      auto r = http_.request("GET", fmt::format("http://127.0.0.1:{}/readyz", port));
      if (r && r->status == 200) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }

  // HAProxy in front of Atrium on loopback, with tunnel timeouts for long-lived WebSockets.
  int start_haproxy() {
    auto port = testing::free_loopback_port();
    EXPECT_TRUE(port);
    if (!port) return 0;
    std::string cfg = (dir_ / "haproxy.cfg").string();
    std::ofstream(cfg) << fmt::format(
        "global\n  maxconn 200\n"
        "defaults\n  mode http\n  timeout connect 5s\n  timeout client 30s\n  timeout server 30s\n"
        "  timeout tunnel 1h\n  timeout client-fin 5s\n  option http-server-close\n"
        "frontend atrium_in\n  bind 127.0.0.1:{}\n  default_backend atrium\n"
        "backend atrium\n  option httpchk GET /readyz\n  server atrium1 127.0.0.1:{} check inter 1s\n",
        *port, port_);
    auto p = testing::ChildProcess::start({"/usr/sbin/haproxy", "-f", cfg, "-db"}, {}, (dir_ / "haproxy.log").string());
    EXPECT_TRUE(p) << p.error().message;
    if (!p) return 0;
    haproxy_ = std::move(*p);
    EXPECT_TRUE(wait_ready(*port, haproxy_.get())) << haproxy_->log();
    return *port;
  }

  std::string url(const std::string& path) const { return fmt::format("http://127.0.0.1:{}{}", port_, path); }
  net::ClientResponse call(const std::string& token, const std::string& method, const std::string& path,
                           const std::string& body = {}) {
    net::Headers h;
    h.add("Authorization", "Bearer " + token);
    if (!body.empty()) h.add("Content-Type", "application/json");
    auto r = http_.request(method, url(path), h, body);
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : net::ClientResponse{};
  }
  core::Result<std::unique_ptr<net::WebSocketClient>> websocket(const std::string& token, const std::string& path,
                                                                int port = 0) {
    net::WebSocketClientOptions o;
    o.headers.add("Authorization", "Bearer " + token);
    o.subprotocols = {"v4.channel.k8s.io"};
    return net::WebSocketClient::connect(fmt::format("ws://127.0.0.1:{}{}", port ? port : port_, path), o);
  }
  std::string login(const std::string& user) {
    net::Headers h;
    h.add("Content-Type", "application/json");
    auto r = http_.request("POST", url("/api/v1/login"), h,
                           fmt::format(R"({{"username":"{}","password":"{}"}})", user, kPassword));
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : r.error().message);
    if (!r || r->status != 200) return {};
    return std::string(core::parse_json(r->body)->at("token").as_string());
  }

  // An interactive shell: types the echo, resizes, checks the size, exits 3 and gets the status.
  void terminal_session(const std::string& token, const std::string& pod_path, int port) {
    auto ws = websocket(token, pod_path + "/exec?container=main", port);
    ASSERT_TRUE(ws) << ws.error().message;
    EXPECT_EQ((*ws)->subprotocol(), "v4.channel.k8s.io");
    ASSERT_TRUE((*ws)->send_binary(std::string("\x04{\"Width\":100,\"Height\":30}")));
    ASSERT_TRUE((*ws)->send_binary(std::string(1, '\0') + "echo hello-$((6*7))\n"));
    auto out = read_until(**ws, '\x01', [](const std::string& s) { return contains(s, "hello-42"); });
    EXPECT_TRUE(out.ok) << out.data;
    ASSERT_TRUE((*ws)->send_binary(std::string(1, '\0') + "stty size\n"));
    out = read_until(**ws, '\x01', [](const std::string& s) { return contains(s, "30 100"); });
    EXPECT_TRUE(out.ok) << "the resize reached the terminal: " << out.data;
    ASSERT_TRUE((*ws)->send_binary(std::string(1, '\0') + "exit 3\n"));
    auto status = read_until(**ws, '\x03', [](const std::string& s) { return contains(s, "}"); });
    EXPECT_TRUE(contains(status.data, "NonZeroExitCode") && contains(status.data, "\"3\"")) << status.data;
    auto end = (*ws)->receive(10s);
    EXPECT_FALSE(end);
    EXPECT_EQ((*ws)->close_code(), std::optional<std::uint16_t>(1000));
  }

  // A followed log sees a line the container prints after the WebSocket opened (made by a non-TTY exec).
  void follow_session(const std::string& token, const std::string& pod_path, int port) {
    auto follow = websocket(token, pod_path + "/log?follow=true&tailLines=0", port);
    ASSERT_TRUE(follow) << follow.error().message;
    std::this_thread::sleep_for(300ms);  // let the apiserver start the follow before the line is printed
    auto touch = websocket(token, pod_path + "/exec?tty=false&command=sh&command=-c&command=touch%20%2Ftmp%2Fgo", port);
    ASSERT_TRUE(touch) << touch.error().message;
    auto status = read_until(**touch, '\x03', [](const std::string& s) { return contains(s, "Success"); });
    EXPECT_TRUE(status.ok) << status.data;
    auto later = read_until(**follow, std::nullopt, [](const std::string& s) { return contains(s, "later-line"); });
    EXPECT_TRUE(later.ok) << later.data;
    EXPECT_FALSE(contains(later.data, "line-1")) << "tailLines=0 starts at the end";
  }

  testing::KubeClusters clusters_;
  std::unique_ptr<testing::AtriumServer> atrium_;
  fs::path dir_;
  int port_ = 0;
  std::unique_ptr<testing::ChildProcess> haproxy_;
  net::HttpClient http_;
  std::string admin_;
  std::vector<std::string> namespaces_;
};

TEST_F(PodStreamTest, LogsAndTerminalDirectAndThroughHaproxyWithAudit) {
  auto registered = atrium_->register_cluster("local", clusters_.local_kubeconfig);
  ASSERT_EQ(registered.status, 201) << registered.body;
  for (const std::string user : {"dev", "watcher"}) ASSERT_EQ(atrium_->create_user(user, kPassword), 201);
  ASSERT_EQ(atrium_->create_workspace("merchant-platform", {"local"}).status, 201);
  const std::string ns = testing::unique_namespace("merchant-sandbox");
  auto made = testing::kubectl(clusters_, clusters_.local_kubeconfig, {"create", "namespace", ns});
  ASSERT_TRUE(made && made->status == 0) << (made ? made->output : made.error().message);
  namespaces_.push_back(ns);
  auto project = atrium_->create_project("merchant-platform", ns, "local", /*adopt=*/true);
  ASSERT_EQ(project.status, 201) << project.body;
  for (const auto& [user, role] :
       std::vector<std::pair<std::string, std::string>>{{"dev", "operator"}, {"watcher", "viewer"}}) {
    auto m = atrium_->add_project_member("merchant-platform", ns, user, role);
    ASSERT_EQ(m.status, 201) << m.body;
  }
  auto dev = login("dev"), watcher = login("watcher");
  ASSERT_FALSE(dev.empty());
  ASSERT_FALSE(watcher.empty());

  // A pod that prints three lines, then a line each time /tmp/go appears.
  const std::string base = "/api/v1/clusters/local/namespaces/" + ns + "/pods";
  auto pod = call(
      dev, "POST", base,
      fmt::format(R"({{"metadata":{{"name":"talker"}},"spec":{{"terminationGracePeriodSeconds":1,"containers":[{{)"
                  R"("name":"main","image":"{}/atrium/busybox:1","command":["/bin/sh","-c",)"
                  R"("echo line-1; echo line-2; echo line-3; while true; do if [ -f /tmp/go ]; then echo later-line; )"
                  R"(rm -f /tmp/go; fi; sleep 0.2; done"]}}]}}}})",
                  clusters_.registry));
  ASSERT_EQ(pod.status, 201) << pod.body;
  const std::string talker = base + "/talker";

  // Plain logs once the container runs; tail; the viewer reads logs too.
  net::ClientResponse log;
  auto until = std::chrono::steady_clock::now() + 90s;
  while (std::chrono::steady_clock::now() < until) {
    log = call(dev, "GET", talker + "/log");
    if (log.status == 200 && contains(log.body, "line-3")) break;
    std::this_thread::sleep_for(250ms);
  }
  ASSERT_EQ(log.status, 200) << log.body;
  EXPECT_EQ(log.body, "line-1\nline-2\nline-3\n");
  auto tail = call(dev, "GET", talker + "/log?tailLines=2&container=main");
  EXPECT_EQ(tail.status, 200);
  EXPECT_EQ(tail.body, "line-2\nline-3\n");
  auto viewer_log = call(watcher, "GET", talker + "/log?tailLines=1");
  EXPECT_EQ(viewer_log.status, 200) << viewer_log.body;
  EXPECT_EQ(viewer_log.body, "line-3\n");
  EXPECT_EQ(call(dev, "GET", talker + "/log?tailLines=-1").status, 400);
  EXPECT_EQ(call(dev, "GET", talker + "/log?sinceSeconds=99999999999999").status, 400);
  EXPECT_EQ(call(dev, "GET", talker + "/log?container=Bad_Name").status, 400);
  EXPECT_EQ(call(dev, "GET", talker + "/log?follow=true").status, 400) << "follow needs a WebSocket";
  EXPECT_EQ(call(dev, "GET", base + "/nobody/log").status, 404);
  auto no_container = websocket(dev, talker + "/log?container=sidecar");
  ASSERT_FALSE(no_container);
  EXPECT_EQ(no_container.error().code, core::ErrorCode::InvalidArgument) << no_container.error().message;

  // A non-follow log over a WebSocket ends with the log.
  {
    auto ws = websocket(dev, talker + "/log?tailLines=3");
    ASSERT_TRUE(ws) << ws.error().message;
    auto all = read_until(**ws, std::nullopt, [](const std::string& s) { return contains(s, "line-3\n"); });
    EXPECT_EQ(all.data, "line-1\nline-2\nline-3\n");
    EXPECT_FALSE((*ws)->receive(10s));
    EXPECT_EQ((*ws)->close_code(), std::optional<std::uint16_t>(1000));
  }

  // Direct: follow and terminal.
  follow_session(dev, talker, 0);
  terminal_session(dev, talker, 0);

  // A plain GET tells a browser what the upgrade would meet: 426 when it would work, the Status otherwise.
  EXPECT_EQ(call(dev, "GET", talker + "/exec?container=main").status, 426);
  auto plain_no_container = call(dev, "GET", talker + "/exec?container=nope");
  EXPECT_EQ(plain_no_container.status / 100, 4) << plain_no_container.body;
  EXPECT_NE(plain_no_container.body.find("nope"), std::string::npos) << plain_no_container.body;
  EXPECT_EQ(call(dev, "GET", talker + "-gone/exec").status, 404);

  // The viewer may not open a terminal.
  auto denied = websocket(watcher, talker + "/exec");
  ASSERT_FALSE(denied);
  EXPECT_EQ(denied.error().code, core::ErrorCode::PermissionDenied) << denied.error().message;
  auto bad_frame = websocket(dev, talker + "/exec?container=main");
  ASSERT_TRUE(bad_frame);
  ASSERT_TRUE((*bad_frame)->send_binary("\x07?"));
  EXPECT_FALSE(read_until(
                   **bad_frame, '\x01', [](const std::string&) { return false; }, 10s)
                   .ok);
  EXPECT_EQ((*bad_frame)->close_code(), std::optional<std::uint16_t>(1008)) << "a frame on another channel is refused";

  // The same through HAProxy in front of Atrium.
  int proxy = start_haproxy();
  ASSERT_NE(proxy, 0);
  follow_session(dev, talker, proxy);
  terminal_session(dev, talker, proxy);

  // Every exec session is in the audit log (4 started by dev: two touches, two shells, plus the refused frame's),
  // with its container and command; the viewer's refusal too.
  bool audited = false;
  std::string body;
  until = std::chrono::steady_clock::now() + 20s;
  while (!audited && std::chrono::steady_clock::now() < until) {
    auto a = call(admin_, "GET", "/api/v1/audit?resource=pods%2Fexec&user=dev&limit=50");
    body = a.body;
    auto v = core::parse_json(a.body);
    audited = a.status == 200 && v && v->at("total").as_int64() >= 5 && contains(a.body, "command \\\"sh\\\"") &&
              contains(a.body, "touch /tmp/go") && contains(a.body, "container \\\"main\\\"");
    if (!audited) std::this_thread::sleep_for(250ms);
  }
  EXPECT_TRUE(audited) << body;
  auto refused = call(admin_, "GET", "/api/v1/audit?user=watcher&outcome=denied&limit=50");
  EXPECT_TRUE(contains(refused.body, "\"pods\"")) << refused.body;
}

}  // namespace
}  // namespace atrium
