// HTTP routes of identity: users (/api/v1/users: list/get served generically, writes through IdentityService so
// the password lands in a UserCredential in the same commit), groups (/api/v1/groups, generic), login/logout
// (/api/v1/login, /api/v1/logout) and the caller's personal API tokens (/api/v1/tokens). Also check_origin, which
// the front door calls for cookie-authenticated requests. Thread-safe after register_routes().
#pragma once

#include <memory>
#include <string>

#include "api/resource_routes.h"
#include "api/router.h"
#include "identity/identity_service.h"

namespace atrium::api {

struct IdentityRoutesOptions {
  // The URL users reach Atrium at ("https://atrium.example.com"): cookies get Secure when it is https, and
  // browser requests must come from its origin.
  std::string public_url;
};

class IdentityRoutes {
 public:
  IdentityRoutes(identity::IdentityService& service, storage::Store& store, const core::Clock& clock,
                 IdentityRoutesOptions options);

  void register_routes(Router& router) const;

 private:
  core::Result<net::HttpResponse> change_password(RouteContext& ctx) const;
  core::Result<net::HttpResponse> create_user(RouteContext& ctx) const;
  core::Result<net::HttpResponse> replace_user(RouteContext& ctx) const;
  core::Result<net::HttpResponse> patch_user(RouteContext& ctx) const;
  core::Result<net::HttpResponse> delete_user(RouteContext& ctx) const;
  core::Result<net::HttpResponse> login(RouteContext& ctx) const;
  core::Result<net::HttpResponse> logout(RouteContext& ctx) const;
  core::Result<net::HttpResponse> list_tokens(RouteContext& ctx) const;
  core::Result<net::HttpResponse> create_token(RouteContext& ctx) const;
  core::Result<net::HttpResponse> delete_token(RouteContext& ctx) const;

  identity::IdentityService& service_;
  storage::Store& store_;
  const core::Clock& clock_;
  IdentityRoutesOptions options_;
  ResourceRoutes users_;   // list and get only
  ResourceRoutes groups_;  // everything
};

// For the front door, after authentication: a request authenticated by the session cookie
// (principal.auth_method == "cookie") that is not GET/HEAD/OPTIONS, or that upgrades to a WebSocket, must carry an
// Origin header equal to the origin of `public_url`. PermissionDenied (403) otherwise; always OK for bearer tokens.
core::Status check_origin(const net::HttpRequest& request, const core::Principal& principal,
                          std::string_view public_url);

}  // namespace atrium::api
