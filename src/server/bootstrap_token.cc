#include "server/bootstrap_token.h"

#include <fmt/format.h>

#include "crypto/private_file.h"
#include "crypto/random.h"

namespace atrium::server {

BootstrapTokenAuthenticator::BootstrapTokenAuthenticator(const std::string& token)
    : digest_(crypto::sha256_hex(token)) {}

core::Result<std::unique_ptr<BootstrapTokenAuthenticator>> BootstrapTokenAuthenticator::load_or_create(
    const std::string& path) {
  auto existing = crypto::read_private_file(path, 4096, "admin token file");
  if (!existing) return core::fail(existing.error());
  std::string token;
  if (*existing) {
    token = **existing;
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) token.pop_back();
    if (token.size() < 32) {
      return core::fail(core::ErrorCode::FailedPrecondition,
                        fmt::format("admin token file {} holds a token shorter than 32 characters", path));
    }
  } else {
    token = crypto::random_token();
    auto s = crypto::write_private_file(path, token + "\n", crypto::WriteMode::CreateNew);
    if (!s) return core::fail(s.error());
  }
  return std::unique_ptr<BootstrapTokenAuthenticator>(new BootstrapTokenAuthenticator(token));
}

core::Result<core::Principal> BootstrapTokenAuthenticator::authenticate(const core::Credentials& credentials) {
  if (!credentials.bearer_token) {
    return core::fail(core::ErrorCode::Unauthenticated, "authentication required: send Authorization: Bearer <token>");
  }
  if (!crypto::constant_time_equal(crypto::sha256_hex(*credentials.bearer_token), digest_)) {
    return core::fail(core::ErrorCode::Unauthenticated, "the token is not valid");
  }
  return core::Principal{"admin", {"platform-admins"}, "bootstrap-token"};
}

core::Result<core::Principal> ChainAuthenticator::authenticate(const core::Credentials& credentials) {
  core::Result<core::Principal> last =
      core::fail(core::ErrorCode::Unauthenticated, "authentication required: log in or send a bearer token");
  for (auto* a : chain_) {
    last = a->authenticate(credentials);
    if (last) return last;
  }
  return last;
}

}  // namespace atrium::server
