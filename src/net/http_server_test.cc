#include "net/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/json.h"
#include "net/http_client.h"

namespace atrium::net {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;

template <class F>
bool eventually(F predicate, std::chrono::milliseconds timeout = 5s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (predicate()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return predicate();
}

std::unique_ptr<HttpServer> start_server(HttpServerOptions options, HttpHandler handler) {
  options.listen = "127.0.0.1:0";
  auto server = HttpServer::create(std::move(options), std::move(handler));
  if (!server) throw std::runtime_error("create: " + server.error().message);
  auto started = (*server)->start();
  if (!started) throw std::runtime_error("start: " + started.error().message);
  return std::move(*server);
}

std::string url(const HttpServer& server, std::string_view path, std::string_view scheme = "http") {
  return std::string(scheme) + "://127.0.0.1:" + std::to_string(server.port()) + std::string(path);
}

// A plain POSIX client socket, for bytes no well-behaved HTTP client would send.
class RawSocket {
 public:
  explicit RawSocket(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    connected_ = fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  }
  ~RawSocket() {
    if (fd_ >= 0) ::close(fd_);
  }
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;

  bool connected() const { return connected_; }

  bool send_all(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // Reads whatever arrives until the peer closes (closed = true) or the timeout passes.
  struct ReadResult {
    std::string data;
    bool closed = false;
  };
  ReadResult read_until_close(std::chrono::milliseconds timeout) {
    ReadResult result;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return result;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char buf[4096];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        result.closed = true;
        return result;
      }
      result.data.append(buf, static_cast<std::size_t>(n));
    }
  }

  // Reads one response framed by Content-Length (what our server always sends).
  std::string read_response(std::chrono::milliseconds timeout = 5s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto end = pending_.find("\r\n\r\n");
      if (end != std::string::npos) {
        std::size_t length = 0;
        auto cl = pending_.find("Content-Length: ");
        if (cl != std::string::npos && cl < end) length = std::stoul(pending_.substr(cl + 16));
        if (pending_.size() >= end + 4 + length) {
          std::string response = pending_.substr(0, end + 4 + length);
          pending_.erase(0, end + 4 + length);
          return response;
        }
      }
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      char buf[4096];
      ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) break;
      pending_.append(buf, static_cast<std::size_t>(n));
    }
    return std::exchange(pending_, {});
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  std::string pending_;
};

std::string body_of(const std::string& response) {
  auto end = response.find("\r\n\r\n");
  return end == std::string::npos ? std::string() : response.substr(end + 4);
}

// Checks a Kubernetes-style Status body and returns its code.
std::int64_t status_code_of(std::string_view body) {
  auto parsed = core::parse_json(body);
  if (!parsed || !parsed->is_object()) return -1;
  const auto& obj = parsed->as_object();
  if (obj.if_contains("kind") == nullptr || obj.at("kind") != "Status") return -2;
  if (obj.if_contains("status") == nullptr || obj.at("status") != "Failure") return -3;
  if (obj.if_contains("code") == nullptr || !obj.at("code").is_int64()) return -4;
  return obj.at("code").as_int64();
}

HttpResponse text(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.headers.set("Content-Type", "text/plain");
  r.body = std::move(body);
  return r;
}

TEST(HttpServerTest, GetAndPostRoundTrip) {
  std::mutex mu;
  HttpRequest seen;
  auto server = start_server({}, [&](HttpRequest& req) {
    {
      std::lock_guard lock(mu);
      seen = req;
    }
    HttpResponse r =
        text(req.method == "POST" ? 201 : 200,
             req.method + " " + req.path + " " + std::string(req.query_param("q").value_or("-")) + " " + req.body);
    r.headers.add("X-Reply", "yes");
    return r;
  });
  HttpClient client;
  Headers headers;
  headers.add("X-Test", "abc");
  auto get = client.request("GET", url(*server, "/items/a%20b?q=x%2By&q=2"), headers);
  ASSERT_TRUE(get) << get.error().message;
  EXPECT_EQ(get->status, 200);
  EXPECT_EQ(get->body, "GET /items/a b x+y ");
  EXPECT_EQ(get->headers.get("x-reply"), "yes");
  EXPECT_EQ(get->headers.get("content-length"), std::to_string(get->body.size()));
  {
    std::lock_guard lock(mu);
    EXPECT_EQ(seen.raw_path, "/items/a%20b");
    EXPECT_EQ(seen.target, "/items/a%20b?q=x%2By&q=2");
    EXPECT_EQ(seen.query.count("q"), 2u);
    EXPECT_EQ(seen.header("x-test"), "abc");
    EXPECT_EQ(seen.peer_address, "127.0.0.1");
    EXPECT_FALSE(seen.tls);
    EXPECT_FALSE(seen.websocket_upgrade);
    EXPECT_FALSE(seen.request_id.empty());
  }
  auto post = client.request("POST", url(*server, "/items"), {}, "payload");
  ASSERT_TRUE(post) << post.error().message;
  EXPECT_EQ(post->status, 201);
  EXPECT_EQ(post->body, "POST /items - payload");
  auto del = client.request("DELETE", url(*server, "/items/1"), {}, "body-on-delete");
  ASSERT_TRUE(del) << del.error().message;
  EXPECT_EQ(del->body, "DELETE /items/1 - body-on-delete");
}

TEST(HttpServerTest, HeadAnswersLengthWithoutBody) {
  auto server = start_server({}, [](HttpRequest&) { return text(200, "twelve bytes"); });
  RawSocket s(server->port());
  ASSERT_TRUE(s.send_all("HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  // The HEAD response carries Content-Length: 12 but no body, so the next bytes are the GET's response.
  auto result = s.read_until_close(500ms);
  EXPECT_EQ(result.data.find("HTTP/1.1 200"), 0u) << result.data;
  EXPECT_NE(result.data.find("Content-Length: 12\r\n\r\nHTTP/1.1 200"), std::string::npos) << result.data;
  EXPECT_EQ(body_of(result.data.substr(result.data.find("\r\n\r\n") + 4)), "twelve bytes");
}

TEST(HttpServerTest, KeepAliveReusesOneConnection) {
  auto server = start_server({}, [](HttpRequest& req) { return text(200, req.path); });
  HttpClient client;
  for (int i = 0; i < 5; ++i) {
    auto r = client.request("GET", url(*server, "/n" + std::to_string(i)));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->body, "/n" + std::to_string(i));
  }
  EXPECT_EQ(server->open_connections(), 1u);

  RawSocket s(server->port());
  ASSERT_TRUE(s.send_all("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(body_of(s.read_response()), "/a");
  EXPECT_EQ(body_of(s.read_response()), "/b");
  EXPECT_TRUE(eventually([&] { return server->open_connections() == 2; }));
  ASSERT_TRUE(s.send_all("GET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  auto last = s.read_until_close(5s);
  EXPECT_TRUE(last.closed);
  EXPECT_NE(last.data.find("Connection: close"), std::string::npos) << last.data;
  EXPECT_EQ(body_of(last.data), "/c");
}

TEST(HttpServerTest, OversizedBodyIs413) {
  std::atomic<int> calls{0};
  HttpServerOptions options;
  options.max_body_bytes = 1024;
  auto server = start_server(options, [&](HttpRequest&) {
    ++calls;
    return text(200, "ok");
  });
  HttpClient client;
  auto r = client.request("POST", url(*server, "/upload"), {}, std::string(64 * 1024, 'x'));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(status_code_of(r->body), 413) << r->body;
  EXPECT_EQ(calls.load(), 0);
  auto fits = client.request("POST", url(*server, "/upload"), {}, std::string(1024, 'x'));
  ASSERT_TRUE(fits) << fits.error().message;
  EXPECT_EQ(fits->status, 200);
}

TEST(HttpServerTest, OversizedChunkedBodyIs413) {
  HttpServerOptions options;
  options.max_body_bytes = 16;
  auto server = start_server(options, [&](HttpRequest&) { return text(200, "ok"); });
  RawSocket s(server->port());
  ASSERT_TRUE(
      s.send_all("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123456789abcdef\r\n"
                 "10\r\n0123456789abcdef\r\n0\r\n\r\n"));
  auto result = s.read_until_close(5s);
  EXPECT_TRUE(result.closed);
  EXPECT_EQ(result.data.rfind("HTTP/1.1 413", 0), 0u) << result.data;
  EXPECT_EQ(status_code_of(body_of(result.data)), 413);
}

TEST(HttpServerTest, OversizedHeaderIs431) {
  HttpServerOptions options;
  options.max_header_bytes = 1024;
  auto server = start_server(options, [](HttpRequest&) { return text(200, "ok"); });
  RawSocket s(server->port());
  ASSERT_TRUE(s.send_all("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(8 * 1024, 'a') + "\r\n\r\n"));
  auto result = s.read_until_close(5s);
  EXPECT_TRUE(result.closed);
  EXPECT_EQ(result.data.rfind("HTTP/1.1 431", 0), 0u) << result.data;
  EXPECT_EQ(status_code_of(body_of(result.data)), 431) << result.data;
}

TEST(HttpServerTest, GarbageIs400WithStatusBodyAndServerKeepsServing) {
  auto server = start_server({}, [](HttpRequest&) { return text(200, "ok"); });
  for (std::string_view garbage : {std::string_view("\x16\x03\x01\x00\xff\xfe garbage\r\n\r\n", 18),
                                   std::string_view("GET / HTTP/1.1\r\nBad Header Line\r\n\r\n"),
                                   std::string_view("POST / HTTP/1.1\r\nContent-Length: zz\r\n\r\n")}) {
    RawSocket s(server->port());
    ASSERT_TRUE(s.send_all(garbage));
    auto result = s.read_until_close(5s);
    EXPECT_TRUE(result.closed);
    EXPECT_EQ(result.data.rfind("HTTP/1.1 400", 0), 0u) << result.data;
    EXPECT_NE(result.data.find("Content-Type: application/json"), std::string::npos);
    EXPECT_EQ(status_code_of(body_of(result.data)), 400) << result.data;
  }
  HttpClient client;
  auto ok = client.request("GET", url(*server, "/"));
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->status, 200);
}

TEST(HttpServerTest, MalformedPathEscapeIs400AndSkipsHandler) {
  std::atomic<int> calls{0};
  auto server = start_server({}, [&](HttpRequest&) {
    ++calls;
    return text(200, "ok");
  });
  for (std::string_view path : {"/a%zz", "/a%", "/a%00b", "/x?q=%g1", "relative"}) {
    RawSocket s(server->port());
    ASSERT_TRUE(s.send_all("GET " + std::string(path) + " HTTP/1.1\r\nHost: x\r\n\r\n"));
    auto response = s.read_response();
    EXPECT_EQ(response.rfind("HTTP/1.1 400", 0), 0u) << path << ": " << response;
    EXPECT_EQ(status_code_of(body_of(response)), 400) << path;
  }
  EXPECT_EQ(calls.load(), 0);
}

TEST(HttpServerTest, TruncatedRequestIsClosedAfterHeaderTimeout) {
  HttpServerOptions options;
  options.header_timeout = 200ms;
  auto server = start_server(options, [](HttpRequest&) { return text(200, "ok"); });
  RawSocket s(server->port());
  ASSERT_TRUE(s.send_all("GET / HTTP/1.1\r\nHost: x\r\n"));
  auto start = std::chrono::steady_clock::now();
  auto result = s.read_until_close(5s);
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(result.closed);
  EXPECT_TRUE(result.data.empty()) << result.data;
  EXPECT_GE(elapsed, 150ms);
  EXPECT_TRUE(eventually([&] { return server->open_connections() == 0; }));
}

TEST(HttpServerTest, SlowBodyIsClosedAfterBodyTimeout) {
  HttpServerOptions options;
  options.body_timeout = 200ms;
  std::atomic<int> calls{0};
  auto server = start_server(options, [&](HttpRequest&) {
    ++calls;
    return text(200, "ok");
  });
  RawSocket s(server->port());
  ASSERT_TRUE(s.send_all("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nonly part"));
  auto result = s.read_until_close(5s);
  EXPECT_TRUE(result.closed);
  EXPECT_EQ(calls.load(), 0);
}

TEST(HttpServerTest, IdleKeepAliveConnectionIsClosedAfterIdleTimeout) {
  HttpServerOptions options;
  options.idle_timeout = 200ms;
  auto server = start_server(options, [](HttpRequest&) { return text(200, "ok"); });
  RawSocket s(server->port());
  ASSERT_TRUE(s.send_all("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(body_of(s.read_response()), "ok");
  auto result = s.read_until_close(5s);
  EXPECT_TRUE(result.closed);
  EXPECT_TRUE(eventually([&] { return server->open_connections() == 0; }));
}

TEST(HttpServerTest, ExpectContinueGetsInterimResponse) {
  auto server = start_server({}, [](HttpRequest& req) { return text(200, req.body); });
  RawSocket s(server->port());
  ASSERT_TRUE(s.send_all("PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n"));
  auto interim = s.read_response();
  EXPECT_EQ(interim.rfind("HTTP/1.1 100", 0), 0u) << interim;
  ASSERT_TRUE(s.send_all("data"));
  EXPECT_EQ(body_of(s.read_response()), "data");
}

TEST(HttpServerTest, HandlerExceptionIs500AndConnectionSurvives) {
  auto server = start_server({}, [](HttpRequest& req) -> HttpResponse {
    if (req.path == "/throw") throw std::runtime_error("boom");
    if (req.path == "/int") throw 42;
    if (req.path == "/bad-status") return text(1234, "x");
    if (req.path == "/bad-header") {
      HttpResponse r = text(200, "x");
      r.headers.add("X-Injected", "a\r\nSet-Cookie: evil");
      return r;
    }
    return text(200, "fine");
  });
  HttpClient client;
  for (std::string_view path : {"/throw", "/int", "/bad-status", "/bad-header"}) {
    auto r = client.request("GET", url(*server, path));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->status, 500) << path;
    EXPECT_EQ(status_code_of(r->body), 500) << path << ": " << r->body;
    EXPECT_FALSE(r->headers.get("Set-Cookie").has_value());
  }
  auto ok = client.request("GET", url(*server, "/"));
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->body, "fine");
  EXPECT_EQ(server->open_connections(), 1u);
}

// A minimal synchronous WebSocket client on Beast.
class WsClient {
 public:
  WsClient(std::uint16_t port, std::string path, std::string subprotocol = {}) : ws_(ioc_) {
    asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port);
    ws_.next_layer().connect(endpoint);
    if (!subprotocol.empty()) {
      ws_.set_option(websocket::stream_base::decorator([subprotocol](websocket::request_type& req) {
        req.set(beast::http::field::sec_websocket_protocol, subprotocol);
      }));
    }
    ws_.handshake(response_, "127.0.0.1:" + std::to_string(port), path);
  }
  websocket::stream<asio::ip::tcp::socket>& ws() { return ws_; }
  const websocket::response_type& response() const { return response_; }

  std::string read(bool* binary = nullptr) {
    beast::flat_buffer buffer;
    ws_.read(buffer);
    if (binary) *binary = ws_.got_binary();
    return beast::buffers_to_string(buffer.data());
  }

 private:
  asio::io_context ioc_;
  websocket::stream<asio::ip::tcp::socket> ws_;
  websocket::response_type response_;
};

struct EchoRecorder {
  std::mutex mu;
  std::vector<std::uint16_t> close_codes;
  std::atomic<int> opened{0};
  std::atomic<bool> slow_entered{false};

  std::shared_ptr<WebSocketHandler> make_handler() {
    auto handler = std::make_shared<WebSocketHandler>();
    auto session = std::make_shared<std::shared_ptr<WebSocketSession>>();
    handler->subprotocol = "atrium.v1";
    handler->on_open = [this, session](std::shared_ptr<WebSocketSession> s) {
      *session = std::move(s);
      ++opened;
    };
    handler->on_message = [session](std::string_view message, bool binary) {
      if (message == "close-me") {
        (*session)->close(4000, "asked to");
      } else if (binary) {
        (*session)->send_binary(std::string(message));
      } else {
        (*session)->send_text("echo:" + std::string(message));
      }
    };
    handler->on_close = [this](std::uint16_t code) {
      std::lock_guard lock(mu);
      close_codes.push_back(code);
    };
    return handler;
  }
  std::vector<std::uint16_t> codes() {
    std::lock_guard lock(mu);
    return close_codes;
  }
};

HttpHandler websocket_app(EchoRecorder& recorder) {
  return [&recorder](HttpRequest& req) {
    if (req.path == "/ws") {
      HttpResponse r;
      r.websocket = recorder.make_handler();
      return r;
    }
    if (req.path == "/slow") {
      recorder.slow_entered = true;
      std::this_thread::sleep_for(300ms);  // simulates a slow handler, not synchronisation
      return text(200, "done");
    }
    return text(200, req.websocket_upgrade ? "upgrade" : "plain");
  };
}

TEST(HttpServerTest, WebSocketEchoWithSubprotocol) {
  EchoRecorder recorder;
  auto server = start_server({}, websocket_app(recorder));
  {
    WsClient client(server->port(), "/ws", "atrium.v1");
    EXPECT_EQ(client.response()[beast::http::field::sec_websocket_protocol], "atrium.v1");
    client.ws().text(true);
    client.ws().write(asio::buffer(std::string("hello")));
    bool binary = true;
    EXPECT_EQ(client.read(&binary), "echo:hello");
    EXPECT_FALSE(binary);
    client.ws().binary(true);
    client.ws().write(asio::buffer(std::string("\x00\x01\x02", 3)));
    EXPECT_EQ(client.read(&binary), std::string("\x00\x01\x02", 3));
    EXPECT_TRUE(binary);
    EXPECT_EQ(server->open_connections(), 1u);
    client.ws().close(websocket::close_code::normal);
  }
  EXPECT_TRUE(eventually([&] { return recorder.codes().size() == 1; }));
  EXPECT_EQ(recorder.codes(), std::vector<std::uint16_t>{1000});
  EXPECT_TRUE(eventually([&] { return server->open_connections() == 0; }));
}

TEST(HttpServerTest, WebSocketServerInitiatedClose) {
  EchoRecorder recorder;
  auto server = start_server({}, websocket_app(recorder));
  WsClient client(server->port(), "/ws");
  client.ws().write(asio::buffer(std::string("close-me")));
  beast::flat_buffer buffer;
  beast::error_code ec;
  client.ws().read(buffer, ec);
  EXPECT_EQ(ec, websocket::error::closed);
  EXPECT_EQ(client.ws().reason().code, 4000);
  EXPECT_EQ(std::string(client.ws().reason().reason.c_str()), "asked to");
  EXPECT_TRUE(eventually([&] { return recorder.codes().size() == 1; }));
  EXPECT_EQ(recorder.codes(), std::vector<std::uint16_t>{4000});
}

TEST(HttpServerTest, WebSocketEndpointWithoutUpgradeIs426) {
  EchoRecorder recorder;
  auto server = start_server({}, websocket_app(recorder));
  HttpClient client;
  auto r = client.request("GET", url(*server, "/ws"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 426);
  EXPECT_EQ(recorder.opened.load(), 0);
}

TEST(HttpServerTest, StopFinishesInFlightRequestAndClosesWebSocketsWith1001) {
  EchoRecorder recorder;
  HttpServerOptions options;
  options.drain_timeout = 10s;
  auto server = start_server(options, websocket_app(recorder));
  WsClient ws(server->port(), "/ws");
  ASSERT_TRUE(eventually([&] { return recorder.opened.load() == 1; }));
  auto ws_read = std::async(std::launch::async, [&] {
    beast::flat_buffer buffer;
    beast::error_code ec;
    ws.ws().read(buffer, ec);
    return std::make_pair(ec, static_cast<std::uint16_t>(ws.ws().reason().code));
  });
  auto slow = std::async(std::launch::async, [&] {
    HttpClient client;
    return client.request("GET", url(*server, "/slow"));
  });
  ASSERT_TRUE(eventually([&] { return recorder.slow_entered.load(); }));  // the handler holds it for 300 ms
  auto started = std::chrono::steady_clock::now();
  server->stop();
  auto took = std::chrono::steady_clock::now() - started;

  auto slow_result = slow.get();
  ASSERT_TRUE(slow_result) << slow_result.error().message;
  EXPECT_EQ(slow_result->status, 200);
  EXPECT_EQ(slow_result->body, "done");
  EXPECT_EQ(slow_result->headers.get("connection"), "close");
  auto [ec, code] = ws_read.get();
  EXPECT_EQ(ec, websocket::error::closed) << ec.message();
  EXPECT_EQ(code, 1001);
  EXPECT_EQ(recorder.codes(), std::vector<std::uint16_t>{1001});
  EXPECT_LT(took, 5s);
  EXPECT_EQ(server->open_connections(), 0u);

  HttpClient client(HttpClientOptions{.timeout = 2s});
  auto refused = client.request("GET", url(*server, "/"));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::ErrorCode::Unavailable);
  server->stop();  // idempotent
}

TEST(HttpServerTest, StopClosesIdleKeepAliveConnectionsPromptly) {
  HttpServerOptions options;
  options.drain_timeout = 10s;
  auto server = start_server(options, [](HttpRequest&) { return text(200, "ok"); });
  RawSocket s(server->port());
  ASSERT_TRUE(s.send_all("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(body_of(s.read_response()), "ok");
  auto started = std::chrono::steady_clock::now();
  server->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
  EXPECT_TRUE(s.read_until_close(2s).closed);
}

// A handler whose body is produced by a thread: `count` chunks, then finish (count < 0: never finishes).
struct StreamRecorder {
  std::mutex mu;
  std::vector<std::thread> threads;
  std::atomic<bool> closed{false};
  std::atomic<bool> refused{false};  // a write after the client left returned false
  ~StreamRecorder() {
    for (auto& t : threads) t.join();
  }
  HttpHandler app(int count) {
    return [this, count](HttpRequest&) {
      HttpResponse r;
      r.headers.add("Content-Type", "application/json");
      r.stream = std::make_shared<StreamHandler>();
      r.stream->on_open = [this, count](std::shared_ptr<ResponseStream> out) {
        std::lock_guard lock(mu);
        threads.emplace_back([this, out, count] {
          for (int i = 0; count < 0 || i < count; ++i) {
            if (!out->write("{\"n\":" + std::to_string(i) + "}\n")) {
              refused = true;
              return;
            }
            std::this_thread::sleep_for(count < 0 ? 20ms : 5ms);
          }
          out->finish();
          EXPECT_FALSE(out->write("late"));
        });
      };
      r.stream->on_close = [this] { closed = true; };
      return r;
    };
  }
};

TEST(HttpServerTest, StreamedBodyArrivesChunkByChunkAndEnds) {
  StreamRecorder recorder;
  auto server = start_server({}, recorder.app(5));
  HttpClient client;
  std::string body;
  int pieces = 0;
  auto r = client.stream("GET", url(*server, "/watch"), {}, [&](std::string_view chunk) {
    if (!chunk.empty()) ++pieces;
    body += chunk;
    return true;
  });
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(body, "{\"n\":0}\n{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n{\"n\":4}\n");
  EXPECT_GE(pieces, 2);  // written over time, not as one body
  EXPECT_TRUE(eventually([&] { return recorder.closed.load(); }));
}

TEST(HttpServerTest, StreamProducerLearnsTheClientLeft) {
  StreamRecorder recorder;
  auto server = start_server({}, recorder.app(-1));
  {
    RawSocket s(server->port());
    ASSERT_TRUE(s.send_all("GET /watch HTTP/1.1\r\nHost: x\r\n\r\n"));
    auto head = s.read_until_close(300ms);
    EXPECT_NE(head.data.find("Transfer-Encoding: chunked"), std::string::npos) << head.data;
    EXPECT_NE(head.data.find("{\"n\":0}"), std::string::npos) << head.data;
  }  // the client closes
  EXPECT_TRUE(eventually([&] { return recorder.refused.load() && recorder.closed.load(); }));
}

TEST(HttpServerTest, StopEndsStreamedBodies) {
  StreamRecorder recorder;
  HttpServerOptions options;
  options.drain_timeout = 10s;
  auto server = start_server(options, recorder.app(-1));
  RawSocket s(server->port());
  ASSERT_TRUE(s.send_all("GET /watch HTTP/1.1\r\nHost: x\r\n\r\n"));
  s.read_until_close(100ms);
  auto started = std::chrono::steady_clock::now();
  server->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
  auto rest = s.read_until_close(2s);
  EXPECT_TRUE(rest.closed);
  EXPECT_NE(rest.data.find("0\r\n\r\n"), std::string::npos) << rest.data;  // the last chunk
  EXPECT_TRUE(eventually([&] { return recorder.refused.load() && recorder.closed.load(); }));
}

TEST(HttpServerTest, LifecycleErrors) {
  auto server = start_server({}, [](HttpRequest&) { return text(200, "ok"); });
  auto again = server->start();
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, core::ErrorCode::FailedPrecondition);

  HttpServerOptions same_port;
  same_port.listen = "127.0.0.1:" + std::to_string(server->port());
  auto second = HttpServer::create(same_port, [](HttpRequest&) { return text(200, "ok"); });
  ASSERT_TRUE(second);
  auto in_use = (*second)->start();
  ASSERT_FALSE(in_use);
  EXPECT_EQ(in_use.error().code, core::ErrorCode::Unavailable);

  HttpServerOptions bad;
  bad.listen = "127.0.0.1:notaport";
  auto bad_server = HttpServer::create(bad, [](HttpRequest&) { return text(200, "ok"); });
  ASSERT_TRUE(bad_server);
  auto bad_start = (*bad_server)->start();
  ASSERT_FALSE(bad_start);
  EXPECT_EQ(bad_start.error().code, core::ErrorCode::InvalidArgument);

  HttpServerOptions bad_tls;
  bad_tls.tls = TlsFiles{"/nonexistent/cert.pem", "/nonexistent/key.pem"};
  auto tls_server = HttpServer::create(bad_tls, [](HttpRequest&) { return text(200, "ok"); });
  ASSERT_FALSE(tls_server);
  EXPECT_EQ(tls_server.error().code, core::ErrorCode::InvalidArgument);
}

TEST(HttpClientTest, RefusedConnectionIsUnavailableAndTimeoutIsDeadlineExceeded) {
  std::uint16_t closed_port = 0;
  {
    auto server = start_server({}, [](HttpRequest&) { return text(200, "ok"); });
    closed_port = server->port();
  }
  HttpClient client(HttpClientOptions{.timeout = 2s});
  auto refused = client.request("GET", "http://127.0.0.1:" + std::to_string(closed_port) + "/");
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::ErrorCode::Unavailable);

  auto server = start_server({}, [](HttpRequest&) {
    std::this_thread::sleep_for(500ms);  // slower than the client's timeout below
    return text(200, "late");
  });
  HttpClient impatient(HttpClientOptions{.timeout = 100ms});
  auto late = impatient.request("GET", url(*server, "/"));
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, core::ErrorCode::DeadlineExceeded);
}

// A self-signed certificate for 127.0.0.1 in a temporary directory, removed afterwards.
class TempCert {
 public:
  TempCert() {
    char tmpl[] = "/tmp/atrium-net-test-XXXXXX";
    const char* d = ::mkdtemp(tmpl);
    if (d == nullptr) return;
    dir_ = d;
    std::string command =
        "openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 -addext "
        "subjectAltName=IP:127.0.0.1 -days 1 -keyout " +
        key() + " -out " + cert() + " >/dev/null 2>&1";
    ok_ = std::system(command.c_str()) == 0;
  }
  ~TempCert() {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  bool ok() const { return ok_; }
  std::string cert() const { return dir_ + "/c"; }
  std::string key() const { return dir_ + "/k"; }

 private:
  std::string dir_;
  bool ok_ = false;
};

TEST(HttpServerTest, TlsRoundTrip) {
  TempCert cert;
  ASSERT_TRUE(cert.ok()) << "openssl could not generate a certificate";
  HttpServerOptions options;
  options.tls = TlsFiles{cert.cert(), cert.key()};
  std::atomic<bool> saw_tls{false};
  auto server = start_server(options, [&](HttpRequest& req) {
    saw_tls = req.tls;
    return text(200, "secure " + req.body);
  });

  HttpClient trusting(HttpClientOptions{.ca_file = cert.cert()});
  for (int i = 0; i < 3; ++i) {
    auto r = trusting.request("POST", url(*server, "/", "https"), {}, "hi");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "secure hi");
  }
  EXPECT_TRUE(saw_tls.load());
  EXPECT_EQ(server->open_connections(), 1u);  // keep-alive over TLS

  HttpClient insecure(HttpClientOptions{.insecure_skip_verify = true});
  auto r = insecure.request("GET", url(*server, "/", "https"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->status, 200);

  HttpClient strict(HttpClientOptions{.ca_file = "/etc/ssl/certs/ca-certificates.crt"});
  auto untrusted = strict.request("GET", url(*server, "/", "https"));
  ASSERT_FALSE(untrusted);
  EXPECT_EQ(untrusted.error().code, core::ErrorCode::Unavailable);

  RawSocket plain(server->port());  // plain HTTP to a TLS port: closed, server unharmed
  ASSERT_TRUE(plain.send_all("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_TRUE(plain.read_until_close(5s).closed);
  auto still = trusting.request("GET", url(*server, "/", "https"));
  ASSERT_TRUE(still) << still.error().message;
}

}  // namespace
}  // namespace atrium::net
