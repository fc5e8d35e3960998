// Client: one Kubernetes API server reached as one identity (a ClusterConnection). HTTPS with connection reuse
// (a small pool of keep-alive connections, so concurrent callers do not serialise), bearer tokens re-read from
// token files, exec-plugin credentials cached until they expire, impersonation of Atrium users.
// Thread-safe: any number of threads may call any method.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "kube/kubeconfig.h"
#include "net/http.h"
#include "net/http_client.h"
#include "net/websocket_client.h"

namespace atrium::kube {

struct ClientOptions {
  std::chrono::milliseconds timeout{15'000};  // whole request; streams bound only the connection
  std::size_t max_idle_connections = 8;
  std::string user_agent = "atrium";
};

// Who a request acts as, when Atrium acts on a user's behalf (Impersonate-User / Impersonate-Group).
struct Impersonation {
  std::string user;
  std::vector<std::string> groups;
};

struct Request {
  std::string method = "GET";
  std::string path;  // "/api/v1/namespaces/x/pods?limit=5": appended to the server URL (and its path prefix)
  std::string body;
  std::string content_type = "application/json";
  std::string accept = "application/json";
  const Impersonation* impersonate = nullptr;
  net::Headers extra_headers;
};

class Client {
 public:
  // Checks the connection's form (not the server); InvalidArgument for an unusable connection.
  static core::Result<std::unique_ptr<Client>> create(ClusterConnection connection, ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  const ClusterConnection& connection() const { return connection_; }

  // Sends a request; any HTTP status is a response. Transport failures are Unavailable / DeadlineExceeded.
  core::Result<net::ClientResponse> send(const Request& request);
  // Sends a request and turns a non-2xx answer into an Error carrying the apiserver's Status message, reason
  // and causes (so "the cluster's validation message" reaches the user unchanged).
  core::Result<std::string> call(const Request& request);
  core::Result<std::string> get(std::string_view path) { return call(Request{"GET", std::string(path)}); }

  // Streams a response body (watch, log follow) to `sink`; ends when the server ends it, the sink returns false
  // or nothing arrives for `idle_timeout`. A non-2xx status is an Error (body read into its message).
  core::Result<void> stream(const Request& request, const net::BodySink& sink,
                            std::chrono::milliseconds idle_timeout = std::chrono::minutes(5));

  // Opens a WebSocket to the apiserver (exec, attach) as this identity: `request.path` (and impersonation) over
  // wss:// (ws:// for an http:// server) with the connection's CA, client certificate and token. Errors as
  // net::WebSocketClient::connect (a refused upgrade carries the apiserver's Status message and code).
  core::Result<std::unique_ptr<net::WebSocketClient>> open_websocket(const Request& request,
                                                                     std::vector<std::string> subprotocols);

  // The Error a non-2xx response stands for (Status body message when there is one).
  static core::Error error_from_response(const net::ClientResponse& response);

 private:
  Client(ClusterConnection connection, ClientOptions options);
  struct Pool;
  core::Result<net::Headers> headers_for(const Request& request);
  std::unique_ptr<net::HttpClient> acquire();
  void release(std::unique_ptr<net::HttpClient> client);

  ClusterConnection connection_;
  ClientOptions options_;
  std::unique_ptr<Pool> pool_;
};

}  // namespace atrium::kube
