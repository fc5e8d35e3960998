#include "api/identity_routes.h"

#include <cctype>
#include <charconv>

#include <fmt/format.h>

#include "api/request_body.h"
#include "api/responses.h"
#include "identity/identity_authenticator.h"
#include "identity/user.h"

namespace atrium::api {
namespace {

constexpr std::size_t kMaxLoginBody = 4096;

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "scheme://host[:port]" of a URL, lower-cased, without a default port, path or trailing slash.
std::string origin_of(std::string_view url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return {};
  std::string scheme = lower(url.substr(0, scheme_end));
  std::string_view rest = url.substr(scheme_end + 3);
  std::string host = lower(rest.substr(0, rest.find_first_of("/?#")));
  if ((scheme == "https" && host.ends_with(":443")) || (scheme == "http" && host.ends_with(":80"))) {
    host.erase(host.rfind(':'));
  }
  if (host.empty()) return {};
  return scheme + "://" + host;
}

std::string session_cookie(std::string_view token, std::int64_t max_age, bool secure) {
  return fmt::format("{}={}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}{}", identity::kSessionCookie, token, max_age,
                     secure ? "; Secure" : "");
}

std::optional<std::string> cookie_value(const net::HttpRequest& req, std::string_view name) {
  auto h = req.header("Cookie");
  if (!h) return std::nullopt;
  std::string_view rest = *h;
  while (!rest.empty()) {
    auto semi = rest.find(';');
    std::string_view part = rest.substr(0, semi);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    auto eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == name) return std::string(part.substr(eq + 1));
    if (semi == std::string_view::npos) break;
    rest = rest.substr(semi + 1);
  }
  return std::nullopt;
}

std::optional<std::string> bearer(const net::HttpRequest& req) {
  auto h = req.header("Authorization");
  if (!h || h->size() <= 7) return std::nullopt;
  std::string_view v = *h;
  if (v.substr(0, 7) != "Bearer " && v.substr(0, 7) != "bearer ") return std::nullopt;
  v.remove_prefix(7);
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  return std::string(v);
}

std::string string_member(const json::object& o, std::string_view key, bool& ok) {
  auto* v = o.if_contains(key);
  if (!v || !v->is_string()) {
    ok = false;
    return {};
  }
  return std::string(v->as_string());
}

}  // namespace

core::Status check_origin(const net::HttpRequest& request, const core::Principal& principal,
                          std::string_view public_url) {
  if (principal.auth_method != identity::kAuthCookie) return {};
  const std::string& m = request.method;
  if (!request.websocket_upgrade && (m == "GET" || m == "HEAD" || m == "OPTIONS")) return {};
  auto origin = request.header("Origin");
  if (!origin || origin->empty() || *origin == "null") {
    return core::fail(core::ErrorCode::PermissionDenied,
                      "a cookie-authenticated request that changes state must carry an Origin header");
  }
  std::string expected = origin_of(public_url);
  if (expected.empty() || origin_of(*origin) != expected) {
    return core::fail(
        core::ErrorCode::PermissionDenied,
        fmt::format("requests from origin \"{}\" are not allowed with the session cookie", origin->substr(0, 200)));
  }
  return {};
}

IdentityRoutes::IdentityRoutes(identity::IdentityService& service, storage::Store& store, const core::Clock& clock,
                               IdentityRoutesOptions options)
    : service_(service),
      store_(store),
      clock_(clock),
      options_(std::move(options)),
      users_(identity::user_type(), store, clock),
      groups_(identity::group_type(), store, clock) {}

void IdentityRoutes::register_routes(Router& router) const {
  Router generic;
  users_.register_routes(generic);
  for (const auto& r : generic.routes()) {
    if (r.method == "GET") router.add(r);  // list and get keep the generic conventions exactly
  }
  groups_.register_routes(router);
  auto bind = [this](auto fn) { return [this, fn](RouteContext& c) { return (this->*fn)(c); }; };
  const std::string users = "/api/v1/users", user = "/api/v1/users/{name}";
  router.add(Route{.method = "POST",
                   .pattern = users,
                   .handler = bind(&IdentityRoutes::create_user),
                   .verb = "create",
                   .resource = "users",
                   .summary = "Create a User"});
  router.add(Route{.method = "PUT",
                   .pattern = user,
                   .handler = bind(&IdentityRoutes::replace_user),
                   .verb = "update",
                   .resource = "users",
                   .summary = "Replace a User"});
  router.add(Route{.method = "PATCH",
                   .pattern = user,
                   .handler = bind(&IdentityRoutes::patch_user),
                   .verb = "patch",
                   .resource = "users",
                   .summary = "Merge-patch a User"});
  router.add(Route{.method = "DELETE",
                   .pattern = user,
                   .handler = bind(&IdentityRoutes::delete_user),
                   .verb = "delete",
                   .resource = "users",
                   .summary = "Delete a User"});
  router.add(Route{.method = "POST",
                   .pattern = "/api/v1/login",
                   .handler = bind(&IdentityRoutes::login),
                   .access = Access::Public,
                   .summary = "Log in with a user name and password; returns a session token and cookie"});
  router.add(Route{.method = "POST",
                   .pattern = "/api/v1/logout",
                   .handler = bind(&IdentityRoutes::logout),
                   .summary = "End the current session"});
  // Every local user may change their own password (proving the current one).
  router.add(Route{.method = "POST",
                   .pattern = "/api/v1/password",
                   .handler = bind(&IdentityRoutes::change_password),
                   .summary = "Change your own password: {\"currentPassword\",\"newPassword\"}"});
  // Personal tokens belong to the caller; every authenticated user may manage their own.
  router.add(Route{.method = "GET",
                   .pattern = "/api/v1/tokens",
                   .handler = bind(&IdentityRoutes::list_tokens),
                   .summary = "List your API tokens"});
  router.add(Route{.method = "POST",
                   .pattern = "/api/v1/tokens",
                   .handler = bind(&IdentityRoutes::create_token),
                   .summary = "Create an API token (its text is returned once)"});
  router.add(Route{.method = "DELETE",
                   .pattern = "/api/v1/tokens/{id}",
                   .handler = bind(&IdentityRoutes::delete_token),
                   .summary = "Revoke one of your API tokens"});
}

core::Result<net::HttpResponse> IdentityRoutes::change_password(RouteContext& ctx) const {
  if (ctx.request.body.size() > kMaxLoginBody) {
    return core::fail(core::ErrorCode::PayloadTooLarge, "the request body is too large");
  }
  auto body = parse_json_body(ctx.request);
  if (!body) return core::fail(body.error());
  const auto* o = body->if_object();
  const auto* current = o ? o->if_contains("currentPassword") : nullptr;
  const auto* next = o ? o->if_contains("newPassword") : nullptr;
  std::vector<core::Cause> causes;
  if (!current || !current->is_string() || current->as_string().empty()) {
    causes.push_back({"currentPassword", "required: your current password"});
  }
  if (!next || !next->is_string() || next->as_string().empty()) causes.push_back({"newPassword", "required"});
  if (!causes.empty()) {
    return core::fail(core::Error(core::ErrorCode::InvalidArgument, "both passwords are required", std::move(causes)));
  }
  if (auto s = service_.change_own_password(ctx.principal.user, std::string_view(current->as_string()),
                                            std::string_view(next->as_string()), ctx.client_address);
      !s) {
    return core::fail(s.error());
  }
  return json_response(200,
                       core::json::value{{"kind", "Status"}, {"status", "Success"}, {"message", "password changed"}});
}

core::Result<net::HttpResponse> IdentityRoutes::create_user(RouteContext& ctx) const {
  auto body = parse_json_body(ctx.request);
  if (!body) return core::fail(body.error());
  auto created = service_.create_user(*body);
  if (!created) return core::fail(created.error());
  return json_response(201, render_stored(*created));
}

core::Result<net::HttpResponse> IdentityRoutes::replace_user(RouteContext& ctx) const {
  auto body = parse_json_body(ctx.request);
  if (!body) return core::fail(body.error());
  auto updated = service_.replace_user(ctx.param("name"), *body);
  if (!updated) return core::fail(updated.error());
  return json_response(200, render_stored(*updated));
}

core::Result<net::HttpResponse> IdentityRoutes::patch_user(RouteContext& ctx) const {
  auto body = parse_json_body(ctx.request);
  if (!body) return core::fail(body.error());
  if (!body->is_object()) return core::fail(core::ErrorCode::InvalidArgument, "a merge patch must be a JSON object");
  auto current = store_.get(std::string(identity::kUserKind), "", ctx.param("name"));
  if (!current) return core::fail(current.error());
  auto cur = core::parse_json(current->data);
  if (!cur) return core::fail(core::ErrorCode::Internal, "stored document is corrupt");
  auto updated = service_.replace_user(ctx.param("name"), merge_patch(*cur, *body));
  if (!updated) return core::fail(updated.error());
  return json_response(200, render_stored(*updated));
}

core::Result<net::HttpResponse> IdentityRoutes::delete_user(RouteContext& ctx) const {
  std::int64_t expected = 0;
  if (auto rv = ctx.request.query_param("resourceVersion"); rv && !rv->empty()) {
    auto [p, ec] = std::from_chars(rv->data(), rv->data() + rv->size(), expected);
    if (ec != std::errc() || p != rv->data() + rv->size() || expected < 1) {
      return core::fail(core::Error(core::ErrorCode::InvalidArgument, "resourceVersion is not a valid version",
                                    {core::Cause{"resourceVersion", "not a valid resource version"}}));
    }
  }
  if (auto s = service_.delete_user(ctx.param("name"), expected); !s) return core::fail(s.error());
  return success_status(fmt::format("User \"{}\" deleted", ctx.param("name")));
}

core::Result<net::HttpResponse> IdentityRoutes::login(RouteContext& ctx) const {
  // A login form posted from another site must not log the browser in (login CSRF).
  if (auto origin = ctx.request.header("Origin"); origin && !options_.public_url.empty()) {
    if (origin_of(*origin) != origin_of(options_.public_url)) {
      return core::fail(core::ErrorCode::PermissionDenied, "logins are accepted only from the console's origin");
    }
  }
  if (ctx.request.body.size() > kMaxLoginBody) {
    return core::fail(core::ErrorCode::InvalidArgument, "the login request is too large");
  }
  auto body = parse_json_body(ctx.request);
  if (!body) return core::fail(body.error());
  if (!body->is_object()) return core::fail(core::ErrorCode::InvalidArgument, "send {\"username\":..,\"password\":..}");
  bool ok = true;
  identity::LoginRequest request{string_member(body->as_object(), "username", ok),
                                 string_member(body->as_object(), "password", ok), ctx.client_address};
  if (!ok) {
    return core::fail(core::Error(core::ErrorCode::InvalidArgument, "username and password are required strings",
                                  {core::Cause{"username", "required"}, core::Cause{"password", "required"}}));
  }
  auto session = service_.login(request);
  if (!session) {
    net::HttpResponse r = error_response(session.error().error);
    if (session.error().retry_after.count() > 0) {
      r.headers.add("Retry-After", std::to_string(session.error().retry_after.count()));
    }
    return r;
  }
  auto expires_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(session->expires_at.time_since_epoch()).count();
  json::object out{{"token", session->token},
                   {"user", session->user},
                   {"expiresAt", core::format_rfc3339(session->expires_at)},
                   {"expiresAtMs", expires_ms}};
  net::HttpResponse r = json_response(200, json::value(std::move(out)));
  auto max_age = std::chrono::duration_cast<std::chrono::seconds>(session->expires_at - clock_.now()).count();
  r.headers.add("Set-Cookie", session_cookie(session->token, max_age, options_.public_url.starts_with("https:")));
  r.headers.add("Cache-Control", "no-store");
  return r;
}

core::Result<net::HttpResponse> IdentityRoutes::logout(RouteContext& ctx) const {
  std::optional<std::string> token = bearer(ctx.request);
  if (!token) token = cookie_value(ctx.request, identity::kSessionCookie);
  if (token) {
    if (auto s = service_.logout(*token); !s) return core::fail(s.error());
  }
  net::HttpResponse r = success_status("logged out");
  r.headers.add("Set-Cookie", session_cookie("", 0, options_.public_url.starts_with("https:")));
  return r;
}

core::Result<net::HttpResponse> IdentityRoutes::list_tokens(RouteContext& ctx) const {
  auto tokens = service_.tokens().list_api_tokens(ctx.principal.user);
  if (!tokens) return core::fail(tokens.error());
  json::array items;
  for (const auto& t : *tokens) {
    items.push_back(json::object{{"id", t.id},
                                 {"description", t.description},
                                 {"createdAt", core::format_rfc3339(t.created_at)},
                                 {"expiresAt", core::format_rfc3339(t.expires_at)}});
  }
  std::int64_t total = static_cast<std::int64_t>(items.size());
  return json_response(200, json::value(json::object{{"items", std::move(items)}, {"total", total}}));
}

core::Result<net::HttpResponse> IdentityRoutes::create_token(RouteContext& ctx) const {
  auto body = parse_json_body(ctx.request);
  if (!body) return core::fail(body.error());
  if (!body->is_object()) return core::fail(core::ErrorCode::InvalidArgument, "send a JSON object");
  std::string description;
  std::optional<std::chrono::seconds> lifetime;
  std::vector<core::Cause> causes;
  for (const auto& kv : body->as_object()) {
    if (kv.key() == "description" && kv.value().is_string()) {
      description = std::string(kv.value().as_string());
    } else if (kv.key() == "expiresInSeconds" && kv.value().is_int64()) {
      lifetime = std::chrono::seconds(kv.value().as_int64());
    } else {
      causes.push_back(core::Cause{std::string(kv.key()), "unknown field or wrong type"});
    }
  }
  if (!causes.empty()) {
    return core::fail(core::Error(core::ErrorCode::InvalidArgument, "the token request is invalid", causes));
  }
  auto issued = service_.tokens().create_api_token(ctx.principal.user, description, lifetime);
  if (!issued) return core::fail(issued.error());
  net::HttpResponse r =
      json_response(201, json::value(json::object{{"id", issued->id},
                                                  {"token", issued->token},
                                                  {"description", description},
                                                  {"expiresAt", core::format_rfc3339(issued->expires_at)}}));
  r.headers.add("Cache-Control", "no-store");
  return r;
}

core::Result<net::HttpResponse> IdentityRoutes::delete_token(RouteContext& ctx) const {
  if (auto s = service_.tokens().delete_api_token(ctx.principal.user, ctx.param("id")); !s)
    return core::fail(s.error());
  return success_status(fmt::format("API token \"{}\" deleted", ctx.param("id")));
}

}  // namespace atrium::api
