#include "api/api_handler.h"

#include <arpa/inet.h>

#include <cctype>
#include <charconv>
#include <chrono>
#include <cstring>

#include <fmt/format.h>

#include "api/identity_routes.h"
#include "api/responses.h"
#include "core/log.h"
#include "core/uid.h"

namespace atrium::api {
namespace {

bool parse_ip(std::string_view s, std::array<unsigned char, 16>& out, bool& v6) {
  std::string str(s.substr(0, 64));
  std::memset(out.data(), 0, out.size());
  if (inet_pton(AF_INET, str.c_str(), out.data()) == 1) {
    v6 = false;
    return true;
  }
  if (inet_pton(AF_INET6, str.c_str(), out.data()) == 1) {
    v6 = true;
    return true;
  }
  return false;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool valid_request_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

std::optional<std::string> bearer_token(const net::HttpRequest& req) {
  auto h = req.header("Authorization");
  if (!h) return std::nullopt;
  std::string_view v = trim(*h);
  if (v.size() > 7 && (v.substr(0, 7) == "Bearer " || v.substr(0, 7) == "bearer ")) {
    return std::string(trim(v.substr(7)));
  }
  return std::nullopt;
}

std::optional<std::string> cookie(const net::HttpRequest& req, std::string_view name) {
  auto h = req.header("Cookie");
  if (!h) return std::nullopt;
  std::string_view rest = *h;
  while (!rest.empty()) {
    auto semi = rest.find(';');
    std::string_view part = trim(rest.substr(0, semi));
    auto eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == name) return std::string(part.substr(eq + 1));
    if (semi == std::string_view::npos) break;
    rest = rest.substr(semi + 1);
  }
  return std::nullopt;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

core::Result<AddressMatcher> AddressMatcher::parse(const std::vector<std::string>& entries) {
  AddressMatcher m;
  for (const auto& e : entries) {
    Block b;
    std::string_view s = e;
    auto slash = s.find('/');
    if (!parse_ip(s.substr(0, slash), b.bytes, b.v6)) {
      return core::fail(core::ErrorCode::InvalidArgument, fmt::format("\"{}\" is not an IP address or CIDR block", e));
    }
    int max_bits = b.v6 ? 128 : 32;
    b.bits = max_bits;
    if (slash != std::string_view::npos) {
      auto bits = s.substr(slash + 1);
      auto [p, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), b.bits);
      if (ec != std::errc() || p != bits.data() + bits.size() || b.bits < 0 || b.bits > max_bits) {
        return core::fail(core::ErrorCode::InvalidArgument, fmt::format("\"{}\" has an invalid prefix length", e));
      }
    }
    m.blocks_.push_back(b);
  }
  return m;
}

bool AddressMatcher::matches(std::string_view address) const {
  std::array<unsigned char, 16> ip{};
  bool v6 = false;
  if (blocks_.empty() || !parse_ip(address, ip, v6)) return false;
  for (const auto& b : blocks_) {
    if (b.v6 != v6) continue;
    int full = b.bits / 8, rem = b.bits % 8;
    if (std::memcmp(ip.data(), b.bytes.data(), full) != 0) continue;
    if (rem) {
      unsigned char mask = static_cast<unsigned char>(0xff << (8 - rem));
      if ((ip[full] & mask) != (b.bytes[full] & mask)) continue;
    }
    return true;
  }
  return false;
}

ApiHandler::ApiHandler(const Router& router, core::Authenticator& authenticator, core::MetricsRegistry& metrics,
                       ApiOptions options, std::shared_ptr<const StaticFiles> console)
    : router_(router),
      authenticator_(authenticator),
      metrics_(metrics),
      options_(std::move(options)),
      console_(std::move(console)),
      requests_(metrics.counter("atrium_http_requests_total", "HTTP requests by route, method and status code.",
                                {"route", "method", "code"})),
      latency_(metrics.histogram("atrium_http_request_duration_seconds", "HTTP request latency by route.",
                                 {"route", "method"})) {}

std::string ApiHandler::client_address(const net::HttpRequest& request) const {
  if (!options_.trusted_proxies.matches(request.peer_address)) return request.peer_address;
  auto xff = request.header("X-Forwarded-For");
  if (!xff) return request.peer_address;
  // Walk from the right: the first address that is not a trusted proxy is the client.
  std::string_view chain = *xff;
  std::string candidate = request.peer_address;
  while (!chain.empty()) {
    auto comma = chain.rfind(',');
    std::string_view hop = trim(comma == std::string_view::npos ? chain : chain.substr(comma + 1));
    std::array<unsigned char, 16> ip{};
    bool v6;
    if (!parse_ip(hop, ip, v6)) break;  // garbage: stop believing the header
    candidate = std::string(hop);
    if (!options_.trusted_proxies.matches(hop)) break;
    if (comma == std::string_view::npos) break;
    chain = chain.substr(0, comma);
  }
  return candidate;
}

net::HttpResponse ApiHandler::metrics_response(const net::HttpRequest& request, bool require_token) {
  if (require_token) {
    if (options_.metrics_token.empty()) {
      return error_response(core::Error(core::ErrorCode::PermissionDenied,
                                        "metrics are served on the metrics listener or with a scrape token"));
    }
    auto tok = bearer_token(request);
    if (!tok || !constant_time_equal(*tok, options_.metrics_token)) {
      return error_response(core::Error(core::ErrorCode::Unauthenticated, "a valid scrape token is required"));
    }
  }
  net::HttpResponse r;
  r.headers.add("Content-Type", "text/plain; version=0.0.4");
  r.body = metrics_.render();
  return r;
}

net::HttpResponse ApiHandler::handle_metrics_only(net::HttpRequest& request) {
  if (request.path != "/metrics") return error_response(core::Error(core::ErrorCode::NotFound, "no such route"));
  return metrics_response(request, !options_.metrics_token.empty());
}

net::HttpResponse ApiHandler::dispatch(net::HttpRequest& request, std::string& route_label) {
  const std::string& path = request.path;
  if (path == "/healthz") {
    route_label = "/healthz";
    return json_response(200, std::string("{\"status\":\"ok\"}"));
  }
  if (path == "/readyz") {
    route_label = "/readyz";
    if (!options_.ready()) {
      return error_response(core::Error(core::ErrorCode::Unavailable, "not ready"));
    }
    return json_response(200, std::string("{\"status\":\"ok\"}"));
  }
  if (path == "/metrics") {
    route_label = "/metrics";
    if (!options_.metrics_on_main) return error_response(core::Error(core::ErrorCode::NotFound, "no such route"));
    return metrics_response(request, true);
  }
  if (!path.starts_with("/api/") && path != "/api" && !path.starts_with("/clusters/")) {
    route_label = "console";
    if (!console_) return error_response(core::Error(core::ErrorCode::NotFound, "no such route"));
    return console_->serve(request);
  }
  auto match = router_.match(request.method, request.raw_path);
  if (!match) {
    route_label = "unmatched";
    net::HttpResponse r = error_response(match.error());
    if (match.error().code == core::ErrorCode::MethodNotAllowed) {
      std::string allow;
      for (const auto& m : router_.allowed_methods(request.raw_path)) allow += (allow.empty() ? "" : ", ") + m;
      r.headers.add("Allow", allow);
    }
    return r;
  }
  const Route& route = *match->route;
  route_label = route.pattern;
  RouteContext ctx{request, std::move(match->params), {}, client_address(request)};
  ctx.scope = scope_from_params(ctx.params);
  if (auto ns = ctx.params.find("namespace"); ns != ctx.params.end() && !ctx.scope.cluster.empty()) {
    std::optional<core::Scope> project;
    if (options_.namespace_scope) project = options_.namespace_scope(ctx.scope.cluster, ns->second);
    if (project) ctx.scope = *project;
  }
  if (route.access == Access::Authenticated) {
    core::Credentials creds{bearer_token(request), cookie(request, "atrium_session"), ctx.client_address};
    if (!creds.bearer_token && !creds.session_cookie) {
      return error_response(
          core::Error(core::ErrorCode::Unauthenticated, "authentication required: send Authorization: Bearer <token>"));
    }
    auto principal = authenticator_.authenticate(creds);
    if (!principal) {
      // Credentials were presented and refused: a forged, expired or revoked token is worth an audit line.
      audit(request, &ctx, &route, 401, audit::Outcome::Denied, principal.error().message);
      return error_response(principal.error());
    }
    ctx.principal = std::move(*principal);
    if (!options_.public_url.empty()) {
      if (auto s = check_origin(request, ctx.principal, options_.public_url); !s) {
        audit(request, &ctx, &route, 403, audit::Outcome::Denied, s.error().message);
        return error_response(s.error());
      }
    }
    if (options_.authorizer && !route.verb.empty()) {
      core::AccessRequest access{route.verb,        route.api_group,   route.resource,
                                 route.subresource, ctx.param("name"), ctx.scope};
      core::Decision d = options_.authorizer->authorize(ctx.principal, access);
      if (!d.allowed) {
        std::string message = fmt::format("user \"{}\" may not {}", ctx.principal.user,
                                          d.reason.empty() ? route.verb + " " + route.resource : d.reason);
        audit(request, &ctx, &route, 403, audit::Outcome::Denied, message);
        return error_response(core::Error(core::ErrorCode::PermissionDenied, std::move(message)));
      }
    }
  }
  net::HttpResponse response;
  try {
    auto result = route.handler(ctx);
    response = result ? std::move(*result) : error_response(result.error());
  } catch (const std::exception& e) {
    core::log_error("handler threw", {{"route", route.pattern}, {"error", std::string_view(e.what())}});
    response = error_response(core::Error(core::ErrorCode::Internal, "internal error"));
  }
  bool mutating =
      request.method != "GET" && request.method != "HEAD" && request.method != "OPTIONS" && !route.read_only;
  // Public routes (login) record their own, richer events.
  if ((mutating && route.access == Access::Authenticated) || response.status == 403) {
    std::string message;
    if (response.status >= 400) {
      auto v = core::parse_json(response.body_view());
      if (v && v->is_object()) {
        if (auto* m = v->as_object().if_contains("message"); m && m->is_string()) message = m->as_string();
      }
    }
    audit::Outcome outcome = response.status == 403  ? audit::Outcome::Denied
                             : response.status < 400 ? audit::Outcome::Success
                                                     : audit::Outcome::Failure;
    audit(request, &ctx, &route, response.status, outcome, std::move(message));
  }
  return response;
}

void ApiHandler::audit(const net::HttpRequest& request, const RouteContext* ctx, const Route* route, int status,
                       audit::Outcome outcome, std::string message) {
  if (!options_.audit) return;
  audit::AuditEvent e;
  e.time = std::chrono::system_clock::now();
  e.request_id = request.request_id;
  e.source_address = ctx ? ctx->client_address : client_address(request);
  if (ctx) {
    e.user = ctx->principal.user;
    e.name = ctx->param("name");
    e.scope = ctx->scope;
  }
  if (ctx && ctx->access) {
    e.verb = ctx->access->verb;
    e.api_group = ctx->access->api_group;
    e.resource = ctx->access->subresource.empty() ? ctx->access->resource
                                                  : ctx->access->resource + "/" + ctx->access->subresource;
    e.name = ctx->access->name;
  } else if (route) {
    e.verb = route->verb.empty() ? request.method : route->verb;
    e.api_group = route->api_group;
    e.resource = route->resource.empty() ? route->pattern : route->resource;
  }
  e.outcome = outcome;
  e.status = status;
  e.message = std::move(message);
  options_.audit->record(std::move(e));
}

audit::AuditEvent route_audit_event(const RouteContext& ctx, int status) {
  audit::AuditEvent e;
  e.time = std::chrono::system_clock::now();
  e.request_id = ctx.request.request_id;
  e.user = ctx.principal.user;
  e.source_address = ctx.client_address;
  e.scope = ctx.scope;
  e.status = status;
  e.outcome = status < 400 ? audit::Outcome::Success : audit::Outcome::Failure;
  return e;
}

core::Scope scope_from_params(const std::map<std::string, std::string, std::less<>>& params) {
  core::Scope s;
  auto get = [&](std::string_view k) {
    auto it = params.find(k);
    return it == params.end() ? std::string() : it->second;
  };
  s.cluster = get("cluster");
  s.workspace = get("workspace");
  s.project = get("project");
  if (!s.project.empty()) {
    s.level = core::Scope::Level::Project;
  } else if (!s.workspace.empty()) {
    s.level = core::Scope::Level::Workspace;
  } else if (!s.cluster.empty()) {
    s.level = core::Scope::Level::Cluster;
  }
  return s;
}

net::HttpResponse ApiHandler::handle(net::HttpRequest& request) {
  auto start = std::chrono::steady_clock::now();
  if (auto id = request.header("X-Request-Id"); id && valid_request_id(*id)) {
    request.request_id = std::string(*id);
  } else if (request.request_id.empty()) {
    request.request_id = core::new_request_id();
  }
  std::string route_label;
  net::HttpResponse response = dispatch(request, route_label);
  response.headers.set("X-Request-Id", request.request_id);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::string code = std::to_string(response.status);
  requests_.inc({route_label, request.method, code});
  latency_.observe({route_label, request.method}, seconds);
  bool notable = response.status >= 400 || (request.method != "GET" && request.method != "HEAD");
  core::log(notable ? core::LogLevel::Info : core::LogLevel::Debug, "request",
            {{"request_id", std::string_view(request.request_id)},
             {"method", std::string_view(request.method)},
             {"route", std::string_view(route_label)},
             {"status", static_cast<long long>(response.status)},
             {"duration_ms", seconds * 1000}});
  return response;
}

}  // namespace atrium::api
