// The Authenticator of a running server: resolves a bearer token (session or personal API token) or the
// atrium_session cookie to a Principal {user, groups, auth_method}. auth_method is "session" or "api-token" for
// bearer tokens and "cookie" for the cookie, so the front door can demand a same-origin request for cookie-
// authenticated mutations (see api/identity_routes.h, check_origin). Thread-safe.
#pragma once

#include "core/auth.h"
#include "identity/identity_service.h"

namespace atrium::identity {

inline constexpr std::string_view kSessionCookie = "atrium_session";
inline constexpr std::string_view kAuthCookie = "cookie";
inline constexpr std::string_view kAuthSession = "session";
inline constexpr std::string_view kAuthApiToken = "api-token";

class IdentityAuthenticator final : public core::Authenticator {
 public:
  explicit IdentityAuthenticator(IdentityService& service) : service_(service) {}

  // A bearer token takes precedence over the cookie. Unauthenticated for missing, malformed, unknown, expired or
  // revoked credentials and for disabled or deleted users.
  core::Result<core::Principal> authenticate(const core::Credentials& credentials) override;

 private:
  IdentityService& service_;
};

}  // namespace atrium::identity
