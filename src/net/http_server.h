// HTTP/1.1 server on Boost.Beast with C++20 coroutines: keep-alive, optional TLS, WebSocket upgrades,
// limits on header size, body size and time, and graceful shutdown. One handler serves every request;
// handlers run on the server's I/O threads and must not block for long.
// start() and stop() may be called from any thread; the handler must be thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/error.h"
#include "net/http.h"

namespace atrium::net {

struct TlsFiles {
  std::string cert_file;  // PEM chain
  std::string key_file;   // PEM private key
};

struct HttpServerOptions {
  std::string listen = "127.0.0.1:8080";  // host:port; port 0 picks a free one (see port())
  int threads = 2;
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 4 * 1024 * 1024;
  std::chrono::milliseconds header_timeout{10'000};  // time to receive a whole request head
  std::chrono::milliseconds body_timeout{30'000};    // time to receive a body
  std::chrono::milliseconds idle_timeout{60'000};    // keep-alive idle time
  std::chrono::milliseconds drain_timeout{10'000};   // graceful shutdown: wait for in-flight work
  std::optional<TlsFiles> tls;
};

class HttpServer {
 public:
  static core::Result<std::unique_ptr<HttpServer>> create(HttpServerOptions options, HttpHandler handler);
  virtual ~HttpServer() = default;

  // Binds and starts serving on background threads. Errors: Unavailable (address in use), InvalidArgument.
  virtual core::Status start() = 0;
  // The bound port (after start()).
  virtual std::uint16_t port() const = 0;
  // Stops accepting, lets in-flight requests finish (up to drain_timeout), closes WebSockets with 1001
  // "going away", then joins the threads. Idempotent.
  virtual void stop() = 0;
  // Number of open connections (HTTP and WebSocket); for metrics and tests.
  virtual std::size_t open_connections() const = 0;
};

}  // namespace atrium::net
