// Atrium's own HTTP types: what handlers see of a request and give back. No Beast or Asio type appears
// here, so api/ and server/ stay free of them. Value types; thread-compatible.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace atrium::net {

// Case-insensitive header list preserving order.
class Headers {
 public:
  void add(std::string name, std::string value) { items_.emplace_back(std::move(name), std::move(value)); }
  void set(std::string_view name, std::string value);
  std::optional<std::string_view> get(std::string_view name) const;
  void remove(std::string_view name);
  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

using QueryParams = std::multimap<std::string, std::string, std::less<>>;

struct HttpRequest {
  std::string method;    // "GET", upper case
  std::string target;    // raw request target, e.g. "/api/v1/users?limit=5"
  std::string path;      // percent-decoded path, e.g. "/api/v1/users"
  std::string raw_path;  // path as sent (still percent-encoded), for routers that must refuse %2F
  QueryParams query;     // decoded query parameters
  Headers headers;
  std::string body;
  std::string peer_address;  // TCP peer, e.g. "127.0.0.1"
  bool tls = false;
  bool websocket_upgrade = false;  // the client asked for a WebSocket
  std::string request_id;          // assigned by the server before handlers run

  std::optional<std::string_view> header(std::string_view name) const { return headers.get(name); }
  std::optional<std::string_view> query_param(std::string_view name) const;
};

// A WebSocket conversation, driven by the server. The handler receives a WebSocketSession it may keep
// and use from any thread; callbacks run on the server's threads, one at a time per session.
class WebSocketSession {
 public:
  virtual ~WebSocketSession() = default;
  // Queues a message; thread-safe. Returns false when the session is closed.
  virtual bool send_text(std::string message) = 0;
  virtual bool send_binary(std::string message) = 0;
  // Starts a clean close (close frame with `code`); thread-safe.
  virtual void close(std::uint16_t code = 1000, std::string reason = {}) = 0;
};

struct WebSocketHandler {
  std::string subprotocol;  // echoed in Sec-WebSocket-Protocol when non-empty
  std::function<void(std::shared_ptr<WebSocketSession>)> on_open;
  std::function<void(std::string_view message, bool binary)> on_message;
  std::function<void(std::uint16_t code)> on_close;  // called once, also on server shutdown
};

// A response body written over time (a Kubernetes watch, a followed log). The server sends the status and
// headers with chunked transfer encoding, then each chunk the producer writes, until the producer finishes or the
// client goes away; the connection then closes. A client that does not read falls behind by at most
// `kMaxQueuedBytes` before it is dropped.
class ResponseStream {
 public:
  static constexpr std::size_t kMaxQueuedBytes = 16 << 20;
  virtual ~ResponseStream() = default;
  // Queues a chunk (empty chunks are ignored); thread-safe. False once the client is gone, the server stops or
  // finish() was called: the producer should then stop.
  virtual bool write(std::string chunk) = 0;
  // Ends the body; thread-safe, idempotent.
  virtual void finish() = 0;
  // Whether write() would refuse; thread-safe.
  virtual bool closed() const = 0;
};

struct StreamHandler {
  // Called once on a server thread after the headers are sent; may keep the stream and write from any thread.
  std::function<void(std::shared_ptr<ResponseStream>)> on_open;
  // Called once when the body ended, whichever side ended it (optional).
  std::function<void()> on_close;
};

struct HttpResponse {
  int status = 200;
  Headers headers;
  std::string body;
  // When set, sent instead of `body` without copying (e.g. a cached rendering shared by many responses).
  std::shared_ptr<const std::string> shared_body;

  // The bytes that will be sent, whichever of body and shared_body holds them.
  std::string_view body_view() const { return shared_body ? std::string_view(*shared_body) : std::string_view(body); }
  // Set to accept a WebSocket upgrade instead of answering with body (status then ignored).
  std::shared_ptr<WebSocketHandler> websocket;
  // Set to stream the body (see ResponseStream): status and headers are sent, `body` is ignored.
  std::shared_ptr<StreamHandler> stream;
};

using HttpHandler = std::function<HttpResponse(HttpRequest&)>;

// Percent-decodes `s`; false on a malformed escape.
bool percent_decode(std::string_view s, std::string& out);
// Percent-encodes everything but RFC 3986 unreserved characters (A-Z a-z 0-9 - _ . ~): for a path segment or a
// query value.
std::string percent_encode(std::string_view s);
// Parses "a=1&b=x%20y" into params; false on a malformed escape.
bool parse_query(std::string_view query, QueryParams& out);

}  // namespace atrium::net
