#include "server/bootstrap_token.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <fmt/format.h>

#include "crypto/private_file.h"

namespace atrium::server {
namespace {

std::array<unsigned char, 32> sha256(std::string_view s) {
  std::array<unsigned char, 32> d{};
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), d.data());
  return d;
}

}  // namespace

BootstrapTokenAuthenticator::BootstrapTokenAuthenticator(const std::string& token) : digest_(sha256(token)) {}

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
    unsigned char raw[32];
    if (RAND_bytes(raw, sizeof raw) != 1) return core::fail(core::ErrorCode::Internal, "no randomness available");
    for (unsigned char b : raw) token += fmt::format("{:02x}", b);
    auto s = crypto::write_private_file(path, token + "\n", crypto::WriteMode::CreateNew);
    if (!s) return core::fail(s.error());
  }
  return std::unique_ptr<BootstrapTokenAuthenticator>(new BootstrapTokenAuthenticator(token));
}

core::Result<core::Principal> BootstrapTokenAuthenticator::authenticate(const core::Credentials& credentials) {
  if (!credentials.bearer_token) {
    return core::fail(core::ErrorCode::Unauthenticated, "authentication required: send Authorization: Bearer <token>");
  }
  auto d = sha256(*credentials.bearer_token);
  if (CRYPTO_memcmp(d.data(), digest_.data(), d.size()) != 0) {
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
