#include "kube/client.h"

#include <algorithm>
#include <fstream>
#include <mutex>
#include <sstream>
#include <utility>

#include "core/json.h"
#include "kube/exec_credential.h"

namespace atrium::kube {
namespace {

std::string trim_newlines(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

// Header values must not carry CR/LF (header injection through a user or group name).
bool header_safe(std::string_view v) { return v.find_first_of("\r\n") == std::string_view::npos && !v.empty(); }

}  // namespace

struct Client::Pool {
  std::mutex mutex;
  std::vector<std::unique_ptr<net::HttpClient>> idle;
  // Credentials that change over time: token files (service accounts rotate them) and exec plugins.
  std::string file_token;
  std::chrono::steady_clock::time_point file_token_read{};
  std::optional<ExecCredentialResult> exec_credential;
};

Client::Client(ClusterConnection connection, ClientOptions options)
    : connection_(std::move(connection)), options_(std::move(options)), pool_(std::make_unique<Pool>()) {}

Client::~Client() = default;

core::Result<std::unique_ptr<Client>> Client::create(ClusterConnection connection, ClientOptions options) {
  if (connection.server.rfind("https://", 0) != 0 && connection.server.rfind("http://", 0) != 0) {
    return core::fail(core::ErrorCode::InvalidArgument, "cluster server must be an http(s) URL: " + connection.server);
  }
  while (!connection.server.empty() && connection.server.back() == '/') connection.server.pop_back();
  if (connection.client_certificate_pem.empty() != connection.client_key_pem.empty()) {
    return core::fail(core::ErrorCode::InvalidArgument,
                      "a client certificate needs its key, and a key its certificate");
  }
  return std::unique_ptr<Client>(new Client(std::move(connection), std::move(options)));
}

std::unique_ptr<net::HttpClient> Client::acquire() {
  {
    std::lock_guard lock(pool_->mutex);
    if (!pool_->idle.empty()) {
      auto c = std::move(pool_->idle.back());
      pool_->idle.pop_back();
      return c;
    }
  }
  net::HttpClientOptions o;
  o.timeout = options_.timeout;
  o.ca_pem = connection_.ca_pem;
  o.insecure_skip_verify = connection_.insecure_skip_tls_verify;
  o.client_certificate_pem = connection_.client_certificate_pem;
  o.client_key_pem = connection_.client_key_pem;
  {
    std::lock_guard lock(pool_->mutex);
    if (pool_->exec_credential && !pool_->exec_credential->client_certificate_pem.empty()) {
      o.client_certificate_pem = pool_->exec_credential->client_certificate_pem;
      o.client_key_pem = pool_->exec_credential->client_key_pem;
    }
  }
  return std::make_unique<net::HttpClient>(std::move(o));
}

void Client::release(std::unique_ptr<net::HttpClient> client) {
  std::lock_guard lock(pool_->mutex);
  if (pool_->idle.size() < options_.max_idle_connections) pool_->idle.push_back(std::move(client));
}

core::Result<net::Headers> Client::headers_for(const Request& request) {
  net::Headers h;
  h.add("Accept", request.accept);
  h.add("User-Agent", options_.user_agent);
  if (!request.body.empty() || request.method == "POST" || request.method == "PUT" || request.method == "PATCH") {
    h.add("Content-Type", request.content_type);
  }
  std::string token = connection_.token;
  if (!connection_.token_file.empty()) {
    std::lock_guard lock(pool_->mutex);
    auto now = std::chrono::steady_clock::now();
    if (pool_->file_token.empty() || now - pool_->file_token_read > std::chrono::minutes(1)) {
      std::ifstream in(connection_.token_file);
      std::stringstream ss;
      ss << in.rdbuf();
      if (!in) return core::fail(core::ErrorCode::Unavailable, "cannot read token file " + connection_.token_file);
      pool_->file_token = trim_newlines(ss.str());
      pool_->file_token_read = now;
    }
    token = pool_->file_token;
  }
  if (connection_.exec) {
    std::lock_guard lock(pool_->mutex);
    auto& cached = pool_->exec_credential;
    bool expired =
        cached && cached->expiry && *cached->expiry <= std::chrono::system_clock::now() + std::chrono::seconds(10);
    if (!cached || expired) {
      auto fresh = run_exec_plugin(*connection_.exec);
      if (!fresh) return tl::unexpected(fresh.error().with_context("exec credential plugin"));
      cached = std::move(*fresh);
    }
    if (!cached->token.empty()) token = cached->token;
  }
  if (!token.empty()) {
    if (!header_safe(token)) return core::fail(core::ErrorCode::InvalidArgument, "bearer token contains a line break");
    h.add("Authorization", "Bearer " + token);
  } else if (!connection_.username.empty()) {
    return core::fail(core::ErrorCode::InvalidArgument, "basic authentication to clusters is not supported");
  }
  if (request.impersonate) {
    if (!header_safe(request.impersonate->user)) {
      return core::fail(core::ErrorCode::InvalidArgument, "impersonated user name is empty or has a line break");
    }
    h.add("Impersonate-User", request.impersonate->user);
    for (const auto& g : request.impersonate->groups) {
      if (!header_safe(g)) return core::fail(core::ErrorCode::InvalidArgument, "impersonated group has a line break");
      h.add("Impersonate-Group", g);
    }
  }
  for (const auto& [k, v] : request.extra_headers.items()) h.add(k, v);
  return h;
}

core::Result<net::ClientResponse> Client::send(const Request& request) {
  if (request.path.empty() || request.path.front() != '/') {
    return core::fail(core::ErrorCode::InvalidArgument, "request path must start with '/': " + request.path);
  }
  auto headers = headers_for(request);
  if (!headers) return tl::unexpected(headers.error());
  auto http = acquire();
  auto response = http->request(request.method, connection_.server + request.path, *headers, request.body);
  if (response) release(std::move(http));  // a failed transfer may leave the connection unusable
  return response;
}

core::Result<std::unique_ptr<net::WebSocketClient>> Client::open_websocket(const Request& request,
                                                                           std::vector<std::string> subprotocols) {
  auto headers = headers_for(request);
  if (!headers) return tl::unexpected(headers.error());
  headers->remove("Accept");
  headers->remove("Content-Type");
  net::WebSocketClientOptions o;
  o.headers = std::move(*headers);
  o.subprotocols = std::move(subprotocols);
  o.ca_pem = connection_.ca_pem;
  o.insecure_skip_verify = connection_.insecure_skip_tls_verify;
  o.client_certificate_pem = connection_.client_certificate_pem;
  o.client_key_pem = connection_.client_key_pem;
  {
    std::lock_guard lock(pool_->mutex);
    if (pool_->exec_credential && !pool_->exec_credential->client_certificate_pem.empty()) {
      o.client_certificate_pem = pool_->exec_credential->client_certificate_pem;
      o.client_key_pem = pool_->exec_credential->client_key_pem;
    }
  }
  auto timeout = std::min<std::chrono::milliseconds>(options_.timeout, std::chrono::seconds(10));
  o.connect_timeout = timeout;
  std::string url = connection_.server;
  url.replace(0, url.starts_with("https://") ? 5 : 4, url.starts_with("https://") ? "wss" : "ws");
  return net::WebSocketClient::connect(url + request.path, std::move(o));
}

core::Error Client::error_from_response(const net::ClientResponse& response) {
  core::Error e = core::error_from_status_body(response.status, response.body);
  if (e.message.empty()) e.message = "cluster answered HTTP " + std::to_string(response.status);
  return e;
}

core::Result<std::string> Client::call(const Request& request) {
  auto response = send(request);
  if (!response) return tl::unexpected(response.error());
  if (response->status < 200 || response->status > 299) return tl::unexpected(error_from_response(*response));
  return std::move(response->body);
}

core::Result<void> Client::stream(const Request& request, const net::BodySink& sink,
                                  std::chrono::milliseconds idle_timeout) {
  auto headers = headers_for(request);
  if (!headers) return tl::unexpected(headers.error());
  auto http = acquire();
  auto response = http->stream(request.method, connection_.server + request.path, *headers, sink, idle_timeout);
  if (!response) return tl::unexpected(response.error());
  if (response->status < 200 || response->status > 299) {
    return tl::unexpected(error_from_response(*response));
  }
  return {};
}

}  // namespace atrium::kube
