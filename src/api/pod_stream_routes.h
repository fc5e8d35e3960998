// Pod logs and terminals of a project's namespace, streamed between the caller and the apiserver:
//   GET .../namespaces/{namespace}/pods/{name}/log   plain HTTP (non-follow: the log as the body) or WebSocket
//                                                    (text frames of log data; closed when the log ends)
//   GET .../namespaces/{namespace}/pods/{name}/exec  WebSocket terminal (binary frames, channel byte first)
// The front door authorises get pods/log and create pods/exec in the project owning the namespace; Atrium talks
// to the apiserver with its own credentials. Every exec session is audited when it starts (and when it cannot).
// Each stream runs on a thread of its own, joined by the destructor. Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/kube_route_support.h"
#include "api/router.h"
#include "api/stream_threads.h"
#include "audit/audit_log.h"
#include "kube/cluster_connections.h"

namespace atrium::api {

// Query parameters of the log route (Kubernetes' PodLogOptions names).
struct LogOptions {
  std::string container;
  bool follow = false;
  bool previous = false;
  bool timestamps = false;
  std::optional<std::int64_t> tail_lines;     // 0 .. 1,000,000
  std::optional<std::int64_t> since_seconds;  // 1 .. 10 years
  std::optional<std::int64_t> limit_bytes;    // 1 .. 1 GiB
};

// InvalidArgument naming the parameter for a bad value (negative or huge numbers, bad container name, a boolean
// that is not true/false/1/0).
core::Result<LogOptions> parse_log_options(const net::QueryParams& query);
// The apiserver's query string for `options` ("?container=a&follow=true..."; "" when nothing is set).
std::string log_query(const LogOptions& options);

// Query parameters of the exec route: container, command (repeated: argv; default "sh"), tty (default true).
struct ExecOptions {
  std::string container;
  std::vector<std::string> command;
  bool tty = true;
};
core::Result<ExecOptions> parse_exec_options(const net::QueryParams& query);
// "?command=sh&stdin=true&stdout=true&stderr=true&tty=true&container=c" (stderr only without a TTY).
std::string exec_query(const ExecOptions& options);

// Checks a terminal frame from the caller and returns the frame to send to the apiserver: channel 0 (stdin) is
// passed on, channel 4 (resize) must be {"Width":W,"Height":H} with 1..10000 and is re-encoded; any other channel
// or an empty frame is InvalidArgument. A text frame is stdin.
core::Result<std::string> terminal_frame_to_cluster(std::string_view frame, bool binary);

// Takes the longest prefix of `pending` that is whole UTF-8 (invalid bytes become U+FFFD); an incomplete
// sequence at the end stays in `pending` unless `final`. Text WebSocket frames must be valid UTF-8.
std::string take_utf8(std::string& pending, bool final);

class PodStreamRoutes {
 public:
  // `audit` may be null (no audit log configured).
  // `preflight` gates every terminal with the cluster's "exec-terminal" checks (412 before the upgrade).
  PodStreamRoutes(kube::ClusterConnections& clusters, audit::AuditLog* audit, PreflightGate preflight = {});
  ~PodStreamRoutes();  // stops every stream and joins its thread
  PodStreamRoutes(const PodStreamRoutes&) = delete;
  PodStreamRoutes& operator=(const PodStreamRoutes&) = delete;

  void register_routes(Router& router) const;

 private:
  core::Result<net::HttpResponse> log(RouteContext& ctx) const;
  core::Result<net::HttpResponse> exec(RouteContext& ctx) const;
  void audit_exec(const RouteContext& ctx, const ExecOptions& options, int status, const std::string& error) const;

  kube::ClusterConnections& clusters_;
  audit::AuditLog* audit_;
  PreflightGate preflight_;
  std::shared_ptr<StreamThreads> streams_;
};

}  // namespace atrium::api
