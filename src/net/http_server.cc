#include "net/http_server.h"

// GCC 12 at -O2 reports -Wmismatched-new-delete inside Asio's awaitable frame allocator (a frame allocated by
// Asio's recycling allocator and freed by it, once inlined across coroutine frames): a known false positive.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ == 12
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <cctype>
#include <charconv>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/json.h"
#include "core/log.h"
#include "core/uid.h"
#include "net/beast_request.h"

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
constexpr std::size_t kReadChunk = 4096;
// After answering with `Connection: close`, how long and how much we keep reading what the client still sends,
// so that it sees our response rather than a reset.
constexpr std::chrono::milliseconds kLingerTime{1000};
constexpr std::size_t kLingerBytes = 1024 * 1024;

template <class Stream>
constexpr bool kIsTls = std::is_same_v<Stream, TlsStream>;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

bool icontains(std::string_view haystack, std::string_view needle) {
  for (std::size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    if (iequals(haystack.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

// Completion handler for co_spawn: exceptions never escape the io threads.
auto log_exception(std::string_view where) {
  return [where](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      core::log_error("net: unexpected exception", {{"where", where}, {"error", std::string_view(ex.what())}});
    } catch (...) {
      core::log_error("net: unexpected exception", {{"where", where}});
    }
  };
}

// A live TCP connection the server can ask to wind down during stop(). Both calls are thread-safe.
class Connection {
 public:
  virtual ~Connection() = default;
  // Graceful: close an idle HTTP connection, or start a WebSocket close with 1001.
  virtual void shutdown() = 0;
  // Closes the socket now.
  virtual void force_close() = 0;
};

// State shared by the server object and its connections; connections keep it alive, so nothing they touch
// can disappear under them while the io_context winds down.
struct ServerState {
  HttpServerOptions options;
  HttpHandler handler;
  std::unique_ptr<ssl::context> tls;
  std::atomic<bool> stopping{false};

  std::mutex mu;
  std::condition_variable cv;
  std::size_t open = 0;                                             // guarded by mu
  std::unordered_map<Connection*, std::weak_ptr<Connection>> live;  // guarded by mu

  std::vector<std::shared_ptr<Connection>> snapshot() {
    std::lock_guard lock(mu);
    std::vector<std::shared_ptr<Connection>> out;
    for (auto& [ptr, weak] : live) {
      if (auto c = weak.lock()) out.push_back(std::move(c));
    }
    return out;
  }
};

// Counts one open TCP connection from accept to close; moves from the HTTP session to its WebSocket session.
class ConnectionToken {
 public:
  explicit ConnectionToken(std::shared_ptr<ServerState> state) : state_(std::move(state)) {
    std::lock_guard lock(state_->mu);
    ++state_->open;
  }
  ConnectionToken(ConnectionToken&&) = default;
  ConnectionToken& operator=(ConnectionToken&&) = delete;
  ~ConnectionToken() {
    if (!state_) return;
    {
      std::lock_guard lock(state_->mu);
      --state_->open;
    }
    state_->cv.notify_all();
  }

 private:
  std::shared_ptr<ServerState> state_;
};

// Makes a connection visible to stop() while it lives in a coroutine frame.
class Registration {
 public:
  Registration(std::shared_ptr<ServerState> state, const std::shared_ptr<Connection>& c)
      : state_(std::move(state)), key_(c.get()) {
    std::lock_guard lock(state_->mu);
    state_->live.emplace(key_, c);
  }
  Registration(const Registration&) = delete;
  Registration& operator=(const Registration&) = delete;
  ~Registration() {
    std::lock_guard lock(state_->mu);
    state_->live.erase(key_);
  }

 private:
  std::shared_ptr<ServerState> state_;
  Connection* key_;
};

// A response body that is either owned or shared (HttpResponse::shared_body), written without a copy.
struct ResponseBody {
  struct value_type {
    std::string owned;
    std::shared_ptr<const std::string> shared;
    std::string_view view() const { return shared ? std::string_view(*shared) : std::string_view(owned); }
  };
  static std::uint64_t size(const value_type& v) { return v.view().size(); }
  class writer {
   public:
    using const_buffers_type = asio::const_buffer;
    template <bool isRequest, class Fields>
    writer(const http::header<isRequest, Fields>&, const value_type& body) : body_(body) {}
    void init(beast::error_code& ec) { ec = {}; }
    boost::optional<std::pair<const_buffers_type, bool>> get(beast::error_code& ec) {
      ec = {};
      std::string_view v = body_.view();
      return {{const_buffers_type(v.data(), v.size()), false}};
    }

   private:
    const value_type& body_;
  };
};

using BeastResponse = http::response<ResponseBody>;

BeastResponse status_response(int status, const core::Error& error, unsigned version) {
  core::json::object body = core::status_json(error);
  body["code"] = status;
  BeastResponse res;
  res.version(version);
  res.result(static_cast<unsigned>(status));
  res.set(http::field::content_type, "application/json");
  res.body().owned = core::json::serialize(body);
  res.content_length(res.body().owned.size());
  return res;
}

bool valid_header_name(std::string_view s) {
  return !s.empty() && s.find_first_of(" \t\r\n:") == std::string_view::npos;
}
bool valid_header_value(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

// Converts the handler's answer; `close` is set when the handler asked for `Connection: close`.
core::Result<BeastResponse> to_beast_response(HttpResponse& from, unsigned version, bool head, bool& close) {
  if (from.status < 200 || from.status > 599) {
    return core::fail(core::ErrorCode::Internal, "handler returned invalid HTTP status " + std::to_string(from.status));
  }
  BeastResponse res;
  res.version(version);
  res.result(static_cast<unsigned>(from.status));
  for (const auto& [name, value] : from.headers.items()) {
    if (!valid_header_name(name) || !valid_header_value(value)) {
      return core::fail(core::ErrorCode::Internal, "handler returned an invalid header");
    }
    if (iequals(name, "content-length") || iequals(name, "transfer-encoding")) continue;
    if (iequals(name, "connection")) {
      close = close || icontains(value, "close");
      continue;
    }
    res.insert(name, value);
  }
  if (from.status == 204 || from.status == 304) return res;  // no body, no Content-Length
  std::size_t size = from.shared_body ? from.shared_body->size() : from.body.size();
  if (!head) {
    if (from.shared_body) {
      res.body().shared = std::move(from.shared_body);
    } else {
      res.body().owned = std::move(from.body);
    }
  }
  res.content_length(size);
  return res;
}

// Read errors that end the connection silently: the peer went away, timed out, or we closed the socket.
bool is_parse_error(const beast::error_code& ec) {
  static const auto& http_category = beast::error_code(http::error::bad_method).category();
  return ec.category() == http_category && ec != http::error::end_of_stream && ec != http::error::partial_message;
}

std::uint16_t sanitize_close_code(std::uint16_t code) {
  bool ok = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
  return ok ? code : 1000;
}

// Lets handlers hold a session without keeping the connection's memory alive after it ended.
class WsControl {
 public:
  virtual ~WsControl() = default;
  virtual bool send(std::string message, bool binary) = 0;
  virtual void close(std::uint16_t code, std::string reason) = 0;
};

class WsHandle final : public WebSocketSession {
 public:
  explicit WsHandle(std::weak_ptr<WsControl> control) : control_(std::move(control)) {}
  bool send_text(std::string message) override { return send(std::move(message), false); }
  bool send_binary(std::string message) override { return send(std::move(message), true); }
  void close(std::uint16_t code, std::string reason) override {
    if (auto c = control_.lock()) c->close(code, std::move(reason));
  }

 private:
  bool send(std::string message, bool binary) {
    auto c = control_.lock();
    return c && c->send(std::move(message), binary);
  }
  std::weak_ptr<WsControl> control_;
};

// One accepted WebSocket. Everything except send()/close()/shutdown()/force_close() runs on the strand.
template <class Stream>
class WsSession final : public Connection, public WsControl, public std::enable_shared_from_this<WsSession<Stream>> {
 public:
  WsSession(Stream stream, std::shared_ptr<ServerState> state, ConnectionToken token,
            std::shared_ptr<WebSocketHandler> handler, asio::any_io_executor executor)
      : ws_(std::move(stream)),
        state_(std::move(state)),
        token_(std::move(token)),
        handler_(std::move(handler)),
        executor_(std::move(executor)) {}

  asio::awaitable<void> run(std::shared_ptr<WsSession> self, BeastRequest request) {
    Registration registration(state_, self);
    const HttpServerOptions& opt = state_->options;
    beast::get_lowest_layer(ws_).expires_never();
    websocket::stream_base::timeout timeouts;
    timeouts.handshake_timeout = opt.header_timeout;
    timeouts.idle_timeout = opt.idle_timeout;
    timeouts.keep_alive_pings = true;
    ws_.set_option(timeouts);
    ws_.read_message_max(opt.max_body_bytes);
    ws_.set_option(websocket::stream_base::decorator([protocol = handler_->subprotocol](websocket::response_type& res) {
      if (!protocol.empty()) res.set(http::field::sec_websocket_protocol, protocol);
    }));
    auto [accept_ec] = co_await ws_.async_accept(request, kTuple);
    if (accept_ec) co_return;
    accepted_ = true;
    if (close_requested_) {  // the server began stopping during the handshake
      start_close();
      co_return;
    }

    open_ = true;
    if (handler_->on_open) {
      guarded("on_open", [&] { handler_->on_open(std::make_shared<WsHandle>(self)); });
    }
    if (state_->stopping) request_close(1001, "going away");

    beast::flat_buffer buffer;
    beast::error_code read_ec;
    for (;;) {
      auto [ec, n] = co_await ws_.async_read(buffer, kTuple);
      if (ec) {
        read_ec = ec;
        break;
      }
      if (handler_->on_message && !close_requested_) {
        std::string_view message(static_cast<const char*>(buffer.data().data()), buffer.size());
        guarded("on_message", [&] { handler_->on_message(message, ws_.got_binary()); });
      }
      buffer.consume(buffer.size());
    }
    open_ = false;
    finished_ = true;
    std::uint16_t code = 1006;
    if (close_started_) {
      code = close_reason_.code;
    } else if (read_ec == websocket::error::closed) {
      code = ws_.reason().code == websocket::close_code::none ? 1005 : ws_.reason().code;
    }
    if (handler_->on_close) guarded("on_close", [&] { handler_->on_close(code); });
  }

  bool send(std::string message, bool binary) override {
    if (!open_) return false;
    asio::post(executor_, [self = this->shared_from_this(), m = std::move(message), binary]() mutable {
      self->enqueue(std::move(m), binary);
    });
    return true;
  }

  void close(std::uint16_t code, std::string reason) override {
    asio::post(executor_, [self = this->shared_from_this(), code, r = std::move(reason)]() mutable {
      self->request_close(code, std::move(r));
    });
  }

  void shutdown() override { close(1001, "going away"); }

  void force_close() override {
    asio::post(executor_, [self = this->shared_from_this()] { beast::get_lowest_layer(self->ws_).close(); });
  }

 private:
  template <class F>
  void guarded(std::string_view what, F&& f) {
    try {
      f();
    } catch (const std::exception& e) {
      core::log_error("net: WebSocket handler threw", {{"callback", what}, {"error", std::string_view(e.what())}});
      request_close(1011, "internal error");
    } catch (...) {
      core::log_error("net: WebSocket handler threw", {{"callback", what}});
      request_close(1011, "internal error");
    }
  }

  void enqueue(std::string message, bool binary) {
    if (close_requested_ || finished_) return;
    queue_.emplace_back(std::move(message), binary);
    if (!writing_) {
      writing_ = true;
      asio::co_spawn(executor_, write_loop(this->shared_from_this()), log_exception("websocket write"));
    }
  }

  asio::awaitable<void> write_loop(std::shared_ptr<WsSession> self) {
    while (!queue_.empty() && !finished_) {
      auto [message, binary] = std::move(queue_.front());
      queue_.pop_front();
      ws_.binary(binary);
      auto [ec, n] = co_await ws_.async_write(asio::buffer(message), kTuple);
      if (ec) {
        queue_.clear();
        break;
      }
    }
    writing_ = false;
    if (close_requested_ && !close_started_) start_close();
  }

  void request_close(std::uint16_t code, std::string reason) {
    if (close_requested_) return;
    close_requested_ = true;
    open_ = false;
    if (reason.size() > 123) reason.resize(123);  // a close frame's payload is at most 125 bytes
    close_reason_ = websocket::close_reason(static_cast<websocket::close_code>(sanitize_close_code(code)), reason);
    if (accepted_ && !writing_) start_close();
  }

  void start_close() {
    if (finished_) return;
    close_started_ = true;
    asio::co_spawn(executor_, close_op(this->shared_from_this()), log_exception("websocket close"));
  }

  asio::awaitable<void> close_op(std::shared_ptr<WsSession> self) {
    auto [ec] = co_await ws_.async_close(close_reason_, kTuple);
    if (ec) beast::get_lowest_layer(ws_).close();
  }

  websocket::stream<Stream> ws_;
  std::shared_ptr<ServerState> state_;
  ConnectionToken token_;
  std::shared_ptr<WebSocketHandler> handler_;
  asio::any_io_executor executor_;
  std::atomic<bool> open_{false};
  // Strand-only state.
  std::deque<std::pair<std::string, bool>> queue_;
  bool accepted_ = false;
  bool writing_ = false;
  bool close_requested_ = false;
  bool close_started_ = false;
  bool finished_ = false;
  websocket::close_reason close_reason_;
};

// The producer's side of a streamed body (HttpResponse::stream). Thread-safe; the writer runs on the strand and is
// woken by cancelling its timer there.
class StreamPipe final : public ResponseStream, public std::enable_shared_from_this<StreamPipe> {
 public:
  explicit StreamPipe(asio::any_io_executor executor) : executor_(executor), timer_(executor) {}

  bool write(std::string chunk) override {
    {
      std::lock_guard lock(mu_);
      if (ended_) return false;
      if (chunk.empty()) return true;
      if (queued_bytes_ + chunk.size() > kMaxQueuedBytes) {
        ended_ = true;  // the client does not keep up: drop it
        gone_ = true;
        queue_.clear();
      } else {
        queued_bytes_ += chunk.size();
        queue_.push_back(std::move(chunk));
      }
    }
    wake();
    return !closed();
  }
  void finish() override {
    {
      std::lock_guard lock(mu_);
      if (ended_) return;
      ended_ = true;
    }
    wake();
  }
  bool closed() const override {
    std::lock_guard lock(mu_);
    return ended_;
  }
  // The client went away (or the server stops it): nothing more is written.
  void client_gone() {
    {
      std::lock_guard lock(mu_);
      ended_ = true;
      gone_ = true;
      queue_.clear();
    }
    wake();
  }
  // Strand only: takes what is queued; `ended` when nothing more will come, `gone` when the client is gone.
  void take(std::deque<std::string>& out, bool& ended, bool& gone) {
    std::lock_guard lock(mu_);
    out.swap(queue_);
    queued_bytes_ = 0;
    ended = ended_;
    gone = gone_;
  }
  // Strand only: waits for wake().
  asio::awaitable<void> wait() {
    timer_.expires_at(asio::steady_timer::time_point::max());
    co_await timer_.async_wait(kTuple);
  }

 private:
  void wake() {
    asio::post(executor_, [self = shared_from_this()] { self->timer_.cancel(); });
  }
  asio::any_io_executor executor_;
  asio::steady_timer timer_;  // strand only
  mutable std::mutex mu_;
  std::deque<std::string> queue_;
  std::size_t queued_bytes_ = 0;
  bool ended_ = false;
  bool gone_ = false;
};

// One accepted TCP (or TLS) connection serving HTTP/1.1 requests until close or upgrade. Runs on its strand.
template <class Stream>
class HttpSession final : public Connection, public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  HttpSession(Stream stream, std::shared_ptr<ServerState> state, ConnectionToken token, std::string peer)
      : stream_(std::move(stream)),
        executor_(beast::get_lowest_layer(stream_).get_executor()),
        state_(std::move(state)),
        token_(std::move(token)),
        peer_(std::move(peer)) {}

  void shutdown() override {
    asio::post(executor_, [self = this->shared_from_this()] {
      if (self->pipe_) self->pipe_->finish();
      if (!self->busy_ && !self->upgraded_) beast::get_lowest_layer(self->stream_).close();
    });
  }

  void force_close() override {
    asio::post(executor_, [self = this->shared_from_this()] {
      if (!self->upgraded_) beast::get_lowest_layer(self->stream_).close();
    });
  }

  asio::awaitable<void> run(std::shared_ptr<HttpSession> self) {
    std::optional<Registration> registration(std::in_place, state_, self);
    const HttpServerOptions& opt = state_->options;
    auto& lowest = beast::get_lowest_layer(stream_);
    if constexpr (kIsTls<Stream>) {
      lowest.expires_after(opt.header_timeout);
      auto [ec] = co_await stream_.async_handshake(ssl::stream_base::server, kTuple);
      if (ec) co_return;
    }
    bool first = true;
    while (!state_->stopping) {
      if (!first && buffer_.size() == 0) {  // keep-alive: wait for the next request's first byte
        lowest.expires_after(opt.idle_timeout);
        auto [ec, n] = co_await stream_.async_read_some(buffer_.prepare(kReadChunk), kTuple);
        if (ec) co_return;
        buffer_.commit(n);
      }
      first = false;

      http::request_parser<http::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(opt.max_header_bytes, UINT32_MAX)));
      parser.body_limit(opt.max_body_bytes);
      lowest.expires_after(opt.header_timeout);
      auto [header_ec, header_n] = co_await http::async_read_header(stream_, buffer_, parser, kTuple);
      if (header_ec) {
        co_await answer_read_error(header_ec, parser.is_header_done() ? parser.get().version() : 11);
        co_return;
      }
      busy_ = true;
      if (!parser.is_done()) {
        if (auto expect = parser.get()[http::field::expect]; iequals(expect, "100-continue")) {
          http::response<http::empty_body> go_on{http::status::continue_, parser.get().version()};
          auto [ec, n] = co_await http::async_write(stream_, go_on, kTuple);
          if (ec) co_return;
        }
        lowest.expires_after(opt.body_timeout);
        auto [body_ec, body_n] = co_await http::async_read(stream_, buffer_, parser, kTuple);
        if (body_ec) {
          co_await answer_read_error(body_ec, parser.get().version());
          co_return;
        }
      }
      BeastRequest request = parser.release();
      bool close = !request.keep_alive();
      std::shared_ptr<WebSocketHandler> ws_handler;
      std::shared_ptr<StreamHandler> stream_handler;
      BeastResponse response = serve(request, close, ws_handler, stream_handler);
      if (stream_handler) {
        co_await stream_body(self, std::move(response), std::move(stream_handler));
        lowest.close();
        co_return;
      }
      if (ws_handler) {
        upgraded_ = true;
        registration.reset();
        auto ws = std::make_shared<WsSession<Stream>>(std::move(stream_), state_, std::move(token_),
                                                      std::move(ws_handler), executor_);
        co_await ws->run(ws, std::move(request));
        co_return;
      }
      close = close || state_->stopping;
      response.keep_alive(!close);
      lowest.expires_after(opt.body_timeout);
      auto [write_ec, write_n] = co_await http::async_write(stream_, response, kTuple);
      busy_ = false;
      if (write_ec) co_return;
      if (close) break;
    }
    // A client that was told to close has nothing more to send unless it pipelined requests we now drop.
    beast::error_code ec;
    bool unread = buffer_.size() > 0 || lowest.socket().available(ec) > 0;
    co_await linger_close(unread);
  }

 private:
  // Writes a streamed response: the head, then the producer's chunks until it finishes or the client goes.
  asio::awaitable<void> stream_body(std::shared_ptr<HttpSession> self, BeastResponse head,
                                    std::shared_ptr<StreamHandler> handler) {
    auto& lowest = beast::get_lowest_layer(stream_);
    const auto timeout = state_->options.body_timeout;
    http::response<http::empty_body> res{head.result(), head.version()};
    for (const auto& field : head) res.insert(field.name_string(), field.value());
    res.erase(http::field::content_length);
    res.chunked(true);
    res.keep_alive(false);
    auto pipe = std::make_shared<StreamPipe>(executor_);
    pipe_ = pipe;
    http::response_serializer<http::empty_body> serializer{res};
    lowest.expires_after(timeout);
    auto [head_ec, head_n] = co_await http::async_write_header(stream_, serializer, kTuple);
    lowest.expires_never();
    if (head_ec) {
      pipe->client_gone();
    } else {
      // Any read completion means the client closed (or sent something it should not): either way we stop.
      asio::co_spawn(
          executor_,
          [self, pipe]() -> asio::awaitable<void> {
            std::array<char, 512> scratch;
            (void)co_await self->stream_.async_read_some(asio::buffer(scratch), kTuple);
            pipe->client_gone();
          },
          log_exception("stream client watch"));
      try {
        if (handler->on_open) handler->on_open(pipe);
      } catch (const std::exception& e) {
        core::log_error("net: stream producer threw", {{"error", std::string_view(e.what())}});
        pipe->finish();
      }
    }
    std::deque<std::string> batch;
    while (true) {
      bool ended = false;
      bool gone = false;
      pipe->take(batch, ended, gone);
      if (gone) break;
      bool failed = false;
      for (auto& chunk : batch) {
        lowest.expires_after(timeout);  // a client that stops reading is dropped after the body timeout
        auto [ec, n] = co_await asio::async_write(stream_, http::make_chunk(asio::buffer(chunk)), kTuple);
        lowest.expires_never();
        if (ec) {
          failed = true;
          break;
        }
      }
      batch.clear();
      if (failed) {
        pipe->client_gone();
        break;
      }
      if (ended) {
        lowest.expires_after(timeout);
        co_await asio::async_write(stream_, http::make_chunk_last(), kTuple);
        break;
      }
      co_await pipe->wait();
    }
    pipe->client_gone();
    pipe_.reset();
    busy_ = false;
    if (handler->on_close) {
      try {
        handler->on_close();
      } catch (...) {
        core::log_error("net: stream on_close threw", {});
      }
    }
  }

  // Runs the handler; returns the response to write, or sets `ws_handler` to upgrade or `stream_handler` to
  // stream the body instead.
  BeastResponse serve(BeastRequest& msg, bool& close, std::shared_ptr<WebSocketHandler>& ws_handler,
                      std::shared_ptr<StreamHandler>& stream_handler) {
    const unsigned version = msg.version();
    const bool head = msg.method() == http::verb::head;
    const bool upgrade = websocket::is_upgrade(msg);
    auto converted = to_http_request(msg);
    if (!converted) return status_response(400, converted.error(), version);
    HttpRequest& req = *converted;
    req.peer_address = peer_;
    req.tls = kIsTls<Stream>;
    req.websocket_upgrade = upgrade;
    req.request_id = core::new_request_id();
    try {
      HttpResponse out = state_->handler(req);
      if (out.websocket) {
        if (upgrade) {
          ws_handler = std::move(out.websocket);
          return {};
        }
        BeastResponse res = status_response(
            426, core::Error(core::ErrorCode::InvalidArgument, "this endpoint requires a WebSocket upgrade"), version);
        res.set(http::field::upgrade, "websocket");
        return res;
      }
      if (out.stream) out.body.clear();
      auto res = to_beast_response(out, version, head, close);
      if (res && out.stream && !head) stream_handler = std::move(out.stream);
      if (res) return std::move(*res);
      core::log_error("net: bad handler response", {{"error", std::string_view(res.error().message)},
                                                    {"request_id", std::string_view(req.request_id)}});
    } catch (const std::exception& e) {
      core::log_error("net: handler threw", {{"error", std::string_view(e.what())},
                                             {"method", std::string_view(req.method)},
                                             {"path", std::string_view(req.path)},
                                             {"request_id", std::string_view(req.request_id)}});
    } catch (...) {
      core::log_error("net: handler threw", {{"request_id", std::string_view(req.request_id)}});
    }
    return status_response(500, core::Error(core::ErrorCode::Internal, "internal error"), version);
  }

  // Answers a malformed or oversized request, then closes; network errors and timeouts just close.
  asio::awaitable<void> answer_read_error(beast::error_code ec, unsigned version) {
    if (!is_parse_error(ec)) co_return;
    core::Error error = error_for_read_error(ec);
    core::log_debug("net: bad request",
                    {{"error", std::string_view(error.message)}, {"peer", std::string_view(peer_)}});
    BeastResponse response = status_response(status_for_read_error(error), error, version == 10 ? 10 : 11);
    response.keep_alive(false);
    busy_ = true;
    beast::get_lowest_layer(stream_).expires_after(state_->options.body_timeout);
    auto [write_ec, n] = co_await http::async_write(stream_, response, kTuple);
    busy_ = false;
    if (!write_ec) co_await linger_close(true);
  }

  // Half-closes; with `drain`, reads what the peer still sends for a while, so that it reads our last response
  // rather than a reset caused by closing with unread data.
  asio::awaitable<void> linger_close(bool drain) {
    auto& lowest = beast::get_lowest_layer(stream_);
    beast::error_code ec;
    lowest.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec || !drain) co_return;
    lowest.expires_after(kLingerTime);
    std::array<char, kReadChunk> scratch;
    std::size_t total = 0;
    while (total < kLingerBytes) {
      auto [read_ec, n] = co_await lowest.async_read_some(asio::buffer(scratch), kTuple);
      if (read_ec) break;
      total += n;
    }
    lowest.close();
  }

  Stream stream_;
  asio::any_io_executor executor_;
  std::shared_ptr<ServerState> state_;
  ConnectionToken token_;
  std::string peer_;
  beast::flat_buffer buffer_;
  bool busy_ = false;                 // strand-only: a request is being served
  std::shared_ptr<StreamPipe> pipe_;  // strand-only: the body being streamed
  bool upgraded_ = false;             // strand-only: stream_ moved to a WsSession
};

core::Result<tcp::endpoint> parse_listen(std::string_view listen, asio::io_context& ioc) {
  std::size_t colon = listen.rfind(':');
  if (colon == std::string_view::npos) {
    return core::fail(core::ErrorCode::InvalidArgument,
                      "listen address must be host:port, got '" + std::string(listen) + "'");
  }
  std::string host(listen.substr(0, colon));
  std::string_view port_text = listen.substr(colon + 1);
  unsigned port = 0;
  auto [end, err] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || err != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
    return core::fail(core::ErrorCode::InvalidArgument, "invalid port in listen address '" + std::string(listen) + "'");
  }
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty()) host = "0.0.0.0";
  beast::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (!ec) return tcp::endpoint(address, static_cast<std::uint16_t>(port));
  tcp::resolver resolver(ioc);
  auto results = resolver.resolve(host, std::string(port_text), ec);
  if (ec || results.empty()) {
    return core::fail(core::ErrorCode::InvalidArgument, "cannot resolve listen host '" + host + "'");
  }
  return results.begin()->endpoint();
}

class BeastHttpServer final : public HttpServer {
 public:
  explicit BeastHttpServer(std::shared_ptr<ServerState> state)
      : state_(std::move(state)),
        ioc_(std::max(1, state_->options.threads)),
        acceptor_(asio::make_strand(ioc_)),
        work_(asio::make_work_guard(ioc_)) {}

  ~BeastHttpServer() override { stop(); }

  core::Status start() override {
    std::lock_guard lock(lifecycle_mu_);
    if (started_ || stopped_) return core::fail(core::ErrorCode::FailedPrecondition, "server already started");
    auto endpoint = parse_listen(state_->options.listen, ioc_);
    if (!endpoint) return core::fail(endpoint.error());
    beast::error_code ec;
    acceptor_.open(endpoint->protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(*endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      beast::error_code ignored;
      acceptor_.close(ignored);
      return core::fail(core::ErrorCode::Unavailable,
                        "cannot listen on " + state_->options.listen + ": " + ec.message());
    }
    port_ = acceptor_.local_endpoint(ec).port();
    asio::co_spawn(acceptor_.get_executor(), accept_loop(), log_exception("accept"));
    for (int i = 0; i < std::max(1, state_->options.threads); ++i) {
      threads_.emplace_back([this] { run_io(); });
    }
    started_ = true;
    core::log_info("net: listening", {{"address", std::string_view(state_->options.listen)},
                                      {"port", static_cast<long long>(port_.load())},
                                      {"tls", state_->tls != nullptr}});
    return {};
  }

  std::uint16_t port() const override { return port_; }

  std::size_t open_connections() const override {
    std::lock_guard lock(state_->mu);
    return state_->open;
  }

  void stop() override {
    std::lock_guard lock(lifecycle_mu_);
    if (stopped_) return;
    stopped_ = true;
    if (!started_) return;
    {
      std::lock_guard state_lock(state_->mu);
      state_->stopping = true;
    }
    asio::post(acceptor_.get_executor(), [this] {
      beast::error_code ec;
      acceptor_.close(ec);
    });
    for (auto& c : state_->snapshot()) c->shutdown();
    if (!wait_for_connections(state_->options.drain_timeout)) {
      core::log_warn("net: drain timeout, closing remaining connections",
                     {{"open", static_cast<long long>(open_connections())}});
      for (auto& c : state_->snapshot()) c->force_close();
      wait_for_connections(std::chrono::seconds(2));
    }
    work_.reset();
    if (open_connections() > 0) ioc_.stop();  // a handler that never returns still blocks the join below
    for (auto& t : threads_) t.join();
    threads_.clear();
  }

 private:
  bool wait_for_connections(std::chrono::milliseconds timeout) {
    std::unique_lock lock(state_->mu);
    return state_->cv.wait_for(lock, timeout, [&] { return state_->open == 0; });
  }

  void run_io() {
    for (;;) {
      try {
        ioc_.run();
        return;
      } catch (const std::exception& e) {
        core::log_error("net: io thread caught exception", {{"error", std::string_view(e.what())}});
      }
    }
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto strand = asio::make_strand(ioc_);
      auto [ec, accepted] = co_await acceptor_.async_accept(strand, kTuple);
      if (state_->stopping || !acceptor_.is_open()) co_return;
      if (ec) {
        // e.g. out of file descriptors: back off instead of spinning.
        core::log_warn("net: accept failed", {{"error", std::string_view(ec.message())}});
        asio::steady_timer timer(acceptor_.get_executor(), std::chrono::milliseconds(100));
        co_await timer.async_wait(kTuple);
        continue;
      }
      tcp::socket socket(std::move(accepted));
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      std::string peer = socket.remote_endpoint(ignored).address().to_string();
      ConnectionToken token(state_);
      if (state_->tls) {
        auto session = std::make_shared<HttpSession<TlsStream>>(
            TlsStream(beast::tcp_stream(std::move(socket)), *state_->tls), state_, std::move(token), std::move(peer));
        asio::co_spawn(strand, session->run(session), log_exception("https session"));
      } else {
        auto session = std::make_shared<HttpSession<beast::tcp_stream>>(beast::tcp_stream(std::move(socket)), state_,
                                                                        std::move(token), std::move(peer));
        asio::co_spawn(strand, session->run(session), log_exception("http session"));
      }
    }
  }

  std::shared_ptr<ServerState> state_;
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  std::vector<std::thread> threads_;
  std::atomic<std::uint16_t> port_{0};
  std::mutex lifecycle_mu_;
  bool started_ = false;  // guarded by lifecycle_mu_
  bool stopped_ = false;  // guarded by lifecycle_mu_
};

}  // namespace

core::Result<std::unique_ptr<HttpServer>> HttpServer::create(HttpServerOptions options, HttpHandler handler) {
  if (!handler) return core::fail(core::ErrorCode::InvalidArgument, "http server needs a handler");
  if (options.threads < 1) return core::fail(core::ErrorCode::InvalidArgument, "http server threads must be >= 1");
  if (options.max_header_bytes == 0 || options.max_body_bytes == 0) {
    return core::fail(core::ErrorCode::InvalidArgument, "http server limits must be positive");
  }
  auto state = std::make_shared<ServerState>();
  if (options.tls) {
    try {
      auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
      ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
      beast::error_code ec;
      ctx->use_certificate_chain_file(options.tls->cert_file, ec);
      if (ec) {
        return core::fail(core::ErrorCode::InvalidArgument,
                          "cannot load TLS certificate '" + options.tls->cert_file + "': " + ec.message());
      }
      ctx->use_private_key_file(options.tls->key_file, ssl::context::pem, ec);
      if (ec) {
        return core::fail(core::ErrorCode::InvalidArgument,
                          "cannot load TLS key '" + options.tls->key_file + "': " + ec.message());
      }
      state->tls = std::move(ctx);
    } catch (const std::exception& e) {
      return core::fail(core::ErrorCode::InvalidArgument, std::string("cannot set up TLS: ") + e.what());
    }
  }
  state->options = std::move(options);
  state->handler = std::move(handler);
  return std::unique_ptr<HttpServer>(std::make_unique<BeastHttpServer>(std::move(state)));
}

}  // namespace atrium::net
