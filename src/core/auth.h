// Who is calling: the value types authentication produces and authorisation consumes, shared by every
// layer (api/ asks, iam/ answers). The interface is here so lower modules can implement it without
// knowing the HTTP layer. Implementations must be thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/error.h"

namespace atrium::core {

struct Principal {
  std::string user;                 // "admin"
  std::vector<std::string> groups;  // group names
  std::string auth_method;          // "token", "session", ...
};

// What a request presents: a bearer token and/or a session cookie, and where it came from.
struct Credentials {
  std::optional<std::string> bearer_token;
  std::optional<std::string> session_cookie;
  std::string client_address;
};

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // Unauthenticated when credentials are missing, unknown, expired or revoked.
  virtual Result<Principal> authenticate(const Credentials& credentials) = 0;
};

}  // namespace atrium::core
