#include "net/websocket_client.h"

#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>
#include <type_traits>
#include <utility>

#include "core/json.h"
#include "core/log.h"

namespace atrium::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
constexpr auto kTuple = asio::as_tuple(asio::use_awaitable);

struct ParsedUrl {
  bool tls = false;
  std::string host;  // without brackets
  std::string port;
  std::string host_header;
  std::string target;
};

core::Result<ParsedUrl> parse_url(std::string_view url) {
  ParsedUrl u;
  std::string_view rest;
  if (url.starts_with("wss://")) {
    u.tls = true;
    rest = url.substr(6);
  } else if (url.starts_with("ws://")) {
    rest = url.substr(5);
  } else {
    return core::fail(core::ErrorCode::InvalidArgument, "WebSocket URL must start with ws:// or wss://");
  }
  auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  u.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (authority.empty() || authority.find('@') != std::string_view::npos) {
    return core::fail(core::ErrorCode::InvalidArgument, "WebSocket URL has no usable host");
  }
  std::string_view port;
  if (authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return core::fail(core::ErrorCode::InvalidArgument, "bad IPv6 host in URL");
    u.host = std::string(authority.substr(1, close - 1));
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return core::fail(core::ErrorCode::InvalidArgument, "bad port in URL");
      port = authority.substr(close + 2);
    }
  } else {
    auto colon = authority.rfind(':');
    u.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (!port.empty()) {
    int p = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc() || end != port.data() + port.size() || p < 1 || p > 65535) {
      return core::fail(core::ErrorCode::InvalidArgument, "bad port in URL");
    }
  }
  if (u.host.empty()) return core::fail(core::ErrorCode::InvalidArgument, "WebSocket URL has no host");
  u.port = port.empty() ? (u.tls ? "443" : "80") : std::string(port);
  u.host_header = std::string(authority);
  return u;
}

bool is_ip_address(const std::string& host) {
  boost::system::error_code ec;
  (void)asio::ip::make_address(host, ec);
  return !ec;
}

core::Result<std::unique_ptr<ssl::context>> make_tls_context(const WebSocketClientOptions& o) {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
  boost::system::error_code ec;
  if (o.insecure_skip_verify) {
    ctx->set_verify_mode(ssl::verify_none);
  } else {
    ctx->set_verify_mode(ssl::verify_peer);
    if (o.ca_pem.empty()) {
      ctx->set_default_verify_paths(ec);
    } else {
      ctx->add_certificate_authority(asio::buffer(o.ca_pem), ec);
    }
    if (ec) return core::fail(core::ErrorCode::InvalidArgument, "unusable CA certificates: " + ec.message());
  }
  if (!o.client_certificate_pem.empty()) {
    ctx->use_certificate_chain(asio::buffer(o.client_certificate_pem), ec);
    if (!ec) ctx->use_private_key(asio::buffer(o.client_key_pem), ssl::context::pem, ec);
    if (ec) return core::fail(core::ErrorCode::InvalidArgument, "unusable client certificate or key: " + ec.message());
  }
  return ctx;
}

template <class Stream>
class BeastWebSocketClient final : public WebSocketClient {
 public:
  BeastWebSocketClient(ParsedUrl url, WebSocketClientOptions options, std::unique_ptr<ssl::context> tls)
      : url_(std::move(url)), options_(std::move(options)), tls_(std::move(tls)), ws_(make_stream()) {}

  ~BeastWebSocketClient() override {
    if (!thread_.joinable()) return;
    close(1000, {});
    std::unique_lock lock(mutex_);
    if (!cv_.wait_for(lock, std::chrono::seconds(2), [this] { return done_; })) {
      asio::post(ioc_, [this] { beast::get_lowest_layer(ws_).close(); });
      cv_.wait_for(lock, std::chrono::seconds(2), [this] { return done_; });
    }
    lock.unlock();
    // Beast's own timers (handshake, close) may still be pending: nothing waits for them.
    ioc_.stop();
    thread_.join();
  }

  core::Status start() {
    std::promise<core::Status> connected;
    auto result = connected.get_future();
    asio::co_spawn(ioc_, run(std::move(connected)), [this](std::exception_ptr e) {
      if (e) core::log_error("net: WebSocket client failed unexpectedly", {});
      finish({}, {});
    });
    thread_ = std::thread([this] { ioc_.run(); });
    return result.get();
  }

  const std::string& subprotocol() const override { return subprotocol_; }

  core::Status send_text(std::string message) override { return send(std::move(message), false); }
  core::Status send_binary(std::string message) override { return send(std::move(message), true); }

  core::Result<WebSocketMessage> receive(std::chrono::milliseconds timeout) override {
    std::unique_lock lock(mutex_);
    if (!cv_.wait_for(lock, timeout, [this] { return !inbox_.empty() || done_; })) {
      return core::fail(core::ErrorCode::DeadlineExceeded, "no WebSocket message in time");
    }
    if (inbox_.empty()) {
      return core::fail(core::ErrorCode::Unavailable,
                        error_.empty() ? "WebSocket closed" : "WebSocket closed: " + error_);
    }
    WebSocketMessage m = std::move(inbox_.front());
    inbox_.pop_front();
    return m;
  }

  void close(std::uint16_t code, std::string reason) override {
    {
      std::lock_guard lock(mutex_);
      if (close_requested_ || done_) return;
      close_requested_ = true;
    }
    if (reason.size() > 120) reason.resize(120);
    asio::post(ioc_, [this, code, reason = std::move(reason)] {
      asio::co_spawn(ioc_, close_op(code, reason), [](std::exception_ptr) {});
    });
  }

  std::optional<std::uint16_t> close_code() const override {
    std::lock_guard lock(mutex_);
    return close_code_;
  }

 private:
  websocket::stream<Stream> make_stream() {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      return websocket::stream<Stream>(ioc_, *tls_);
    } else {
      return websocket::stream<Stream>(ioc_);
    }
  }

  core::Status send(std::string message, bool binary) {
    {
      std::lock_guard lock(mutex_);
      if (close_requested_ || done_) return core::fail(core::ErrorCode::Unavailable, "WebSocket closed");
    }
    asio::post(ioc_, [this, message = std::move(message), binary]() mutable {
      outbox_.emplace_back(std::move(message), binary);
      if (!writing_) {
        writing_ = true;
        asio::co_spawn(ioc_, write_loop(), [](std::exception_ptr) {});
      }
    });
    return {};
  }

  asio::awaitable<void> write_loop() {
    while (!outbox_.empty()) {
      auto [message, binary] = std::move(outbox_.front());
      outbox_.pop_front();
      ws_.binary(binary);
      auto [ec, n] = co_await ws_.async_write(asio::buffer(message), kTuple);
      if (ec) {
        outbox_.clear();
        break;
      }
    }
    writing_ = false;
  }

  asio::awaitable<void> close_op(std::uint16_t code, std::string reason) {
    auto [ec] =
        co_await ws_.async_close(websocket::close_reason(static_cast<websocket::close_code>(code), reason), kTuple);
    if (ec) beast::get_lowest_layer(ws_).close();
  }

  core::Status connect_error(std::string_view step, const boost::system::error_code& ec) {
    if (ec == beast::error::timeout) {
      return core::fail(core::ErrorCode::DeadlineExceeded, "WebSocket " + std::string(step) + " timed out");
    }
    return core::fail(core::ErrorCode::Unavailable,
                      "WebSocket " + std::string(step) + " to " + url_.host_header + " failed: " + ec.message());
  }

  asio::awaitable<core::Status> handshake() {
    auto& lowest = beast::get_lowest_layer(ws_);
    lowest.expires_after(options_.connect_timeout);
    tcp::resolver resolver(ioc_);
    auto [rec, endpoints] = co_await resolver.async_resolve(url_.host, url_.port, kTuple);
    if (rec) co_return connect_error("resolve", rec);
    auto [cec, ep] = co_await lowest.async_connect(endpoints, kTuple);
    if (cec) co_return connect_error("connect", cec);
    if constexpr (std::is_same_v<Stream, TlsStream>) {
      auto& tls = ws_.next_layer();
      if (!is_ip_address(url_.host)) SSL_set_tlsext_host_name(tls.native_handle(), url_.host.c_str());
      if (!options_.insecure_skip_verify) tls.set_verify_callback(ssl::host_name_verification(url_.host));
      auto [tec] = co_await tls.async_handshake(ssl::stream_base::client, kTuple);
      if (tec) co_return connect_error("TLS handshake", tec);
    }
    lowest.expires_never();
    auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::client);
    timeouts.handshake_timeout = options_.connect_timeout;
    ws_.set_option(timeouts);
    ws_.read_message_max(options_.max_message_bytes);
    std::string protocols;
    for (const auto& p : options_.subprotocols) protocols += (protocols.empty() ? "" : ", ") + p;
    ws_.set_option(websocket::stream_base::decorator([this, protocols](websocket::request_type& req) {
      req.set(http::field::user_agent, "atrium");
      for (const auto& [name, value] : options_.headers.items()) req.set(name, value);
      if (!protocols.empty()) req.set(http::field::sec_websocket_protocol, protocols);
    }));
    websocket::response_type response;
    auto [hec] = co_await ws_.async_handshake(response, url_.host_header, url_.target, kTuple);
    if (hec == websocket::error::upgrade_declined || (hec && response.result_int() >= 300)) {
      core::Error e = core::error_from_status_body(response.result_int(), response.body());
      if (e.message.empty()) e.message = "server refused the WebSocket: HTTP " + std::to_string(response.result_int());
      co_return core::fail(std::move(e));
    }
    if (hec) co_return connect_error("upgrade", hec);
    if (auto p = response.find(http::field::sec_websocket_protocol); p != response.end()) {
      subprotocol_ = std::string(p->value());
    }
    co_return core::Status{};
  }

  asio::awaitable<void> run(std::promise<core::Status> connected) {
    core::Status status = co_await handshake();
    bool ok = status.has_value();
    connected.set_value(std::move(status));
    if (!ok) co_return;
    beast::flat_buffer buffer;
    while (true) {
      auto [ec, n] = co_await ws_.async_read(buffer, kTuple);
      if (ec) {
        if (ec == websocket::error::closed) {
          auto code = ws_.reason().code;
          finish(code == websocket::close_code::none ? std::uint16_t{1005} : static_cast<std::uint16_t>(code), {});
        } else {
          finish({}, ec.message());
        }
        co_return;
      }
      WebSocketMessage m{beast::buffers_to_string(buffer.data()), ws_.got_binary()};
      buffer.consume(buffer.size());
      {
        std::lock_guard lock(mutex_);
        inbox_.push_back(std::move(m));
      }
      cv_.notify_all();
    }
  }

  void finish(std::optional<std::uint16_t> code, std::string error) {
    {
      std::lock_guard lock(mutex_);
      if (done_) return;
      done_ = true;
      close_code_ = code;
      error_ = std::move(error);
    }
    cv_.notify_all();
  }

  ParsedUrl url_;
  WebSocketClientOptions options_;
  asio::io_context ioc_{1};
  std::unique_ptr<ssl::context> tls_;
  websocket::stream<Stream> ws_;
  std::string subprotocol_;
  // I/O thread only.
  std::deque<std::pair<std::string, bool>> outbox_;
  bool writing_ = false;
  // Shared with callers.
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<WebSocketMessage> inbox_;
  bool close_requested_ = false;
  bool done_ = false;
  std::optional<std::uint16_t> close_code_;
  std::string error_;
  std::thread thread_;
};

template <class Stream>
core::Result<std::unique_ptr<WebSocketClient>> open(ParsedUrl url, WebSocketClientOptions options,
                                                    std::unique_ptr<ssl::context> tls) {
  auto client = std::make_unique<BeastWebSocketClient<Stream>>(std::move(url), std::move(options), std::move(tls));
  if (auto s = client->start(); !s) return tl::unexpected(s.error());
  return std::unique_ptr<WebSocketClient>(std::move(client));
}

}  // namespace

core::Result<std::unique_ptr<WebSocketClient>> WebSocketClient::connect(std::string_view url,
                                                                        WebSocketClientOptions options) {
  auto parsed = parse_url(url);
  if (!parsed) return tl::unexpected(parsed.error());
  for (const auto& [name, value] : options.headers.items()) {
    if (name.find_first_of("\r\n:") != std::string::npos || value.find_first_of("\r\n") != std::string::npos) {
      return core::fail(core::ErrorCode::InvalidArgument, "header " + name + " has a line break");
    }
  }
  try {
    if (parsed->tls) {
      auto tls = make_tls_context(options);
      if (!tls) return tl::unexpected(tls.error());
      return open<TlsStream>(std::move(*parsed), std::move(options), std::move(*tls));
    }
    return open<beast::tcp_stream>(std::move(*parsed), std::move(options), nullptr);
  } catch (const std::exception& e) {
    return core::fail(core::ErrorCode::Internal, std::string("WebSocket client: ") + e.what());
  }
}

}  // namespace atrium::net
