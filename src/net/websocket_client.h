// A WebSocket client (ws:// and wss://) for talking to other servers, e.g. a Kubernetes apiserver's exec
// endpoint. Each connection runs its I/O on a thread of its own; messages are received into a queue.
// Thread-safety: send_*, close and receive may be called from any thread (one reader and any writers at a time).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "net/http.h"

namespace atrium::net {

struct WebSocketClientOptions {
  Headers headers;                        // added to the upgrade request (Authorization, ...)
  std::vector<std::string> subprotocols;  // offered in Sec-WebSocket-Protocol, in order of preference
  std::string ca_pem;                     // trusted CAs for wss://; empty: the system's
  bool insecure_skip_verify = false;
  std::string client_certificate_pem;  // optional client certificate (and chain) with its key
  std::string client_key_pem;
  std::chrono::milliseconds connect_timeout{10'000};  // resolve + connect + TLS + upgrade
  std::size_t max_message_bytes = 16 * 1024 * 1024;
};

struct WebSocketMessage {
  std::string data;
  bool binary = false;
};

class WebSocketClient {
 public:
  // Connects and upgrades. Errors: InvalidArgument (bad URL or PEM), Unavailable (connect, TLS),
  // DeadlineExceeded, and for a declined upgrade the code of the server's HTTP status with its Status message
  // (404 NotFound, 403 PermissionDenied, 400 InvalidArgument, ...).
  static core::Result<std::unique_ptr<WebSocketClient>> connect(std::string_view url, WebSocketClientOptions options);
  // Closes (briefly waiting for a clean close) and joins the I/O thread.
  virtual ~WebSocketClient() = default;

  // The subprotocol the server chose ("" when none).
  virtual const std::string& subprotocol() const = 0;

  // Queue a message; Unavailable once the connection is closed.
  virtual core::Status send_text(std::string message) = 0;
  virtual core::Status send_binary(std::string message) = 0;

  // The next message. DeadlineExceeded when none arrives within `timeout`; Unavailable when the connection is
  // closed and every received message was taken (close_code() then says how it ended).
  virtual core::Result<WebSocketMessage> receive(std::chrono::milliseconds timeout) = 0;

  // Starts a clean close; idempotent.
  virtual void close(std::uint16_t code = 1000, std::string reason = {}) = 0;

  // The peer's close code once the connection closed cleanly (1005 when it sent none); nullopt while open or
  // after a transport failure.
  virtual std::optional<std::uint16_t> close_code() const = 0;
};

}  // namespace atrium::net
