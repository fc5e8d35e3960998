// The CLI's view of the Atrium REST API: JSON in, JSON out, the bearer token attached, and every failure an
// Error carrying the server's own message. Owns one net::HttpClient (keep-alive). Not thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/error.h"
#include "core/json.h"
#include "net/http.h"
#include "net/http_client.h"

namespace atrium::cli {

struct ApiClientOptions {
  std::string server;  // "https://atrium.example.com", no trailing '/'
  std::string token;   // sent as "Authorization: Bearer <token>" when non-empty
  std::string ca_file;
  bool insecure_skip_tls_verify = false;
  std::chrono::milliseconds timeout{30'000};
};

// Sends one request; the seam tests use instead of a real server. Same contract as net::HttpClient::request.
using Transport = std::function<core::Result<net::ClientResponse>(std::string_view method, const std::string& url,
                                                                  const net::Headers& headers, std::string_view body)>;

// Largest response body the CLI parses (big lists).
inline constexpr std::size_t kMaxResponseBytes = 64 * 1024 * 1024;

class ApiClient {
 public:
  // Talks to `options.server` over a net::HttpClient configured from the TLS options.
  explicit ApiClient(ApiClientOptions options);
  // Talks through `transport` (tests).
  ApiClient(ApiClientOptions options, Transport transport);
  ~ApiClient();
  ApiClient(const ApiClient&) = delete;
  ApiClient& operator=(const ApiClient&) = delete;

  // `path` is absolute on the server, e.g. "/api/v1/workspaces?limit=5"; InvalidArgument for anything else
  // (a full URL would send the token to another host). Results:
  //   2xx with a JSON body -> that document; 2xx with an empty body -> null;
  //   any other status     -> core::error_from_status_body (the server's message and causes);
  //   transport failure    -> Unavailable / DeadlineExceeded naming the server;
  //   2xx with a non-JSON body -> Internal.
  core::Result<core::json::value> get(std::string_view path);
  core::Result<core::json::value> post(std::string_view path, const core::json::value& body);
  core::Result<core::json::value> put(std::string_view path, const core::json::value& body);
  // JSON merge patch (RFC 7386, Content-Type application/merge-patch+json).
  core::Result<core::json::value> patch(std::string_view path, const core::json::value& body);
  core::Result<core::json::value> del(std::string_view path);

  const ApiClientOptions& options() const { return options_; }

 private:
  core::Result<core::json::value> send(std::string_view method, std::string_view path, const core::json::value* body,
                                       std::string_view content_type);

  ApiClientOptions options_;
  std::unique_ptr<net::HttpClient> http_;  // null when a Transport was given
  Transport transport_;
};

// Percent-encodes one path segment (a resource name) so it cannot add segments or a query; "." and ".." are
// encoded too.
std::string encode_path_segment(std::string_view segment);

}  // namespace atrium::cli
