// The front door of every request: request id, client address (X-Forwarded-For only from trusted
// proxies), health and metrics endpoints, authentication, routing, error mapping, metrics and access
// logs, and the console's static files for everything outside /api. Thread-safe after construction.
#pragma once

#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/router.h"
#include "api/static_files.h"
#include "audit/audit_log.h"
#include "core/auth.h"
#include "core/metrics.h"
#include "net/http.h"

namespace atrium::api {

// An IPv4/IPv6 address or CIDR block ("10.0.0.0/8", "127.0.0.1", "::1").
class AddressMatcher {
 public:
  static core::Result<AddressMatcher> parse(const std::vector<std::string>& entries);
  bool matches(std::string_view address) const;

 private:
  struct Block {
    std::array<unsigned char, 16> bytes{};
    int bits = 0;
    bool v6 = false;
  };
  std::vector<Block> blocks_;
};

struct ApiOptions {
  AddressMatcher trusted_proxies;
  // When non-empty, /metrics on this listener needs "Authorization: Bearer <token>"; when empty and
  // metrics_on_main is true, /metrics is refused (403) so metrics never leak by accident.
  std::string metrics_token;
  bool metrics_on_main = true;
  std::function<bool()> ready = [] { return true; };
  // Decides every authenticated route that names a verb; null allows every authenticated caller
  // (only the bootstrap token exists then).
  core::Authorizer* authorizer = nullptr;
  // Records mutations, denials and refused credentials; null records nothing.
  audit::AuditLog* audit = nullptr;
  // Cookie-authenticated mutations and WebSocket upgrades must come from this origin (empty: not checked).
  std::string public_url;
  // The project owning a namespace of a cluster (Project scope), or nullopt when no project does (the request then
  // acts at Cluster scope, so only cluster and platform roles decide it). Null: every namespace is Cluster scope.
  std::function<std::optional<core::Scope>(std::string_view cluster, std::string_view ns)> namespace_scope;
};

// The scope a route acts in, from its path parameters: {workspace} and {project} → Project level,
// {workspace} → Workspace, {cluster} → Cluster, none → Platform.
// An audit event for a request a route handles itself (an applied document, an exec session): time, request id,
// user, source address and scope from `ctx`; outcome Success below 400, Failure otherwise. The caller sets what
// was done (verb, resource, name, message).
audit::AuditEvent route_audit_event(const RouteContext& ctx, int status);

core::Scope scope_from_params(const std::map<std::string, std::string, std::less<>>& params);

class ApiHandler {
 public:
  ApiHandler(const Router& router, core::Authenticator& authenticator, core::MetricsRegistry& metrics,
             ApiOptions options, std::shared_ptr<const StaticFiles> console = nullptr);

  net::HttpResponse handle(net::HttpRequest& request);

  // The client address for a request: the peer, or the right-most address of X-Forwarded-For that is
  // not a trusted proxy when the peer is one.
  std::string client_address(const net::HttpRequest& request) const;

  // Serves /metrics only (for a separate loopback metrics listener).
  net::HttpResponse handle_metrics_only(net::HttpRequest& request);

 private:
  net::HttpResponse dispatch(net::HttpRequest& request, std::string& route_label);
  void audit(const net::HttpRequest& request, const RouteContext* ctx, const Route* route, int status,
             audit::Outcome outcome, std::string message);
  net::HttpResponse metrics_response(const net::HttpRequest& request, bool require_token);

  const Router& router_;
  core::Authenticator& authenticator_;
  core::MetricsRegistry& metrics_;
  ApiOptions options_;
  std::shared_ptr<const StaticFiles> console_;
  core::CounterFamily& requests_;
  core::HistogramFamily& latency_;
};

}  // namespace atrium::api
