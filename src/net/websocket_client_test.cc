#include "net/websocket_client.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "net/http_server.h"

namespace atrium::net {
namespace {

using namespace std::chrono_literals;

// An echo server: text and binary messages come back as sent; "close" makes the server close with 4000.
class EchoServer {
 public:
  EchoServer() {
    auto server = HttpServer::create({.listen = "127.0.0.1:0"}, [](HttpRequest& req) {
      HttpResponse r;
      if (req.path == "/denied") {
        r.status = 403;
        r.headers.set("Content-Type", "application/json");
        r.body = R"({"kind":"Status","status":"Failure","message":"not you","reason":"Forbidden","code":403})";
        return r;
      }
      r.websocket = std::make_shared<WebSocketHandler>();
      auto session = std::make_shared<std::shared_ptr<WebSocketSession>>();
      auto protocol = req.header("Sec-WebSocket-Protocol");
      if (protocol && protocol->find("echo.v1") != std::string_view::npos) r.websocket->subprotocol = "echo.v1";
      r.websocket->on_open = [session](std::shared_ptr<WebSocketSession> s) { *session = std::move(s); };
      r.websocket->on_message = [session, auth = std::string(req.header("Authorization").value_or(""))](
                                    std::string_view m, bool binary) {
        if (m == "close") {
          (*session)->close(4000, "bye");
        } else if (m == "auth") {
          (*session)->send_text(auth);
        } else if (binary) {
          (*session)->send_binary(std::string(m));
        } else {
          (*session)->send_text(std::string(m));
        }
      };
      return r;
    });
    EXPECT_TRUE(server);
    server_ = std::move(*server);
    EXPECT_TRUE(server_->start());
  }
  ~EchoServer() { server_->stop(); }
  std::string url(std::string_view path) const {
    return "ws://127.0.0.1:" + std::to_string(server_->port()) + std::string(path);
  }

 private:
  std::unique_ptr<HttpServer> server_;
};

TEST(WebSocketClientTest, EchoTextAndBinaryWithSubprotocolAndHeaders) {
  EchoServer server;
  WebSocketClientOptions o;
  o.subprotocols = {"echo.v1"};
  o.headers.add("Authorization", "Bearer abc");
  auto c = WebSocketClient::connect(server.url("/echo"), o);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ((*c)->subprotocol(), "echo.v1");
  ASSERT_TRUE((*c)->send_binary(std::string("\x01hello", 6)));
  ASSERT_TRUE((*c)->send_text("text"));
  ASSERT_TRUE((*c)->send_text("auth"));
  auto m1 = (*c)->receive(5s);
  ASSERT_TRUE(m1) << m1.error().message;
  EXPECT_TRUE(m1->binary);
  EXPECT_EQ(m1->data, std::string("\x01hello", 6));
  auto m2 = (*c)->receive(5s);
  ASSERT_TRUE(m2);
  EXPECT_FALSE(m2->binary);
  EXPECT_EQ(m2->data, "text");
  auto m3 = (*c)->receive(5s);
  ASSERT_TRUE(m3);
  EXPECT_EQ(m3->data, "Bearer abc");
  auto none = (*c)->receive(50ms);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, core::ErrorCode::DeadlineExceeded);
}

TEST(WebSocketClientTest, ServerCloseIsReportedWithItsCode) {
  EchoServer server;
  auto c = WebSocketClient::connect(server.url("/echo"), {});
  ASSERT_TRUE(c) << c.error().message;
  ASSERT_TRUE((*c)->send_text("close"));
  auto m = (*c)->receive(5s);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().code, core::ErrorCode::Unavailable);
  EXPECT_EQ((*c)->close_code(), std::optional<std::uint16_t>(4000));
  EXPECT_FALSE((*c)->send_text("late"));
}

TEST(WebSocketClientTest, DeclinedUpgradeCarriesTheStatusMessage) {
  EchoServer server;
  auto c = WebSocketClient::connect(server.url("/denied"), {});
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, core::ErrorCode::PermissionDenied);
  EXPECT_NE(c.error().message.find("not you"), std::string::npos) << c.error().message;
}

TEST(WebSocketClientTest, BadUrlsAndUnreachableServers) {
  for (const char* url : {"http://127.0.0.1/", "ws://", "ws://host:99999/", "ws://user@host/", "ws://[::1/"}) {
    auto c = WebSocketClient::connect(url, {});
    ASSERT_FALSE(c) << url;
    EXPECT_EQ(c.error().code, core::ErrorCode::InvalidArgument) << url;
  }
  WebSocketClientOptions o;
  o.headers.add("X-Evil", "a\r\nInjected: 1");
  EXPECT_FALSE(WebSocketClient::connect("ws://127.0.0.1:1/", o));
  auto refused = WebSocketClient::connect("ws://127.0.0.1:1/", {});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::ErrorCode::Unavailable);
  WebSocketClientOptions bad_ca;
  bad_ca.ca_pem = "not a certificate";
  auto c = WebSocketClient::connect("wss://127.0.0.1:1/", bad_ca);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().code, core::ErrorCode::InvalidArgument);
}

}  // namespace
}  // namespace atrium::net
