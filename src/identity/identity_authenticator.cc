#include "identity/identity_authenticator.h"

namespace atrium::identity {

core::Result<core::Principal> IdentityAuthenticator::authenticate(const core::Credentials& credentials) {
  const std::string* token = nullptr;
  if (credentials.bearer_token)
    token = &*credentials.bearer_token;
  else if (credentials.session_cookie)
    token = &*credentials.session_cookie;
  if (token == nullptr) {
    return core::fail(core::ErrorCode::Unauthenticated,
                      "authentication required: log in, or send Authorization: Bearer <token>");
  }
  auto owner = service_.tokens().resolve(*token);
  if (!owner) return core::fail(owner.error());
  std::string_view method = !credentials.bearer_token            ? kAuthCookie
                            : owner->kind == TokenKind::ApiToken ? kAuthApiToken
                                                                 : kAuthSession;
  return service_.principal_for(owner->user, std::string(method));
}

}  // namespace atrium::identity
