// Until [iam] brings users and sessions, the API is guarded by one bootstrap administrator token kept in
// <dataDir>/admin.token (0600, created on first start). Only its SHA-256 is held in memory; comparison
// is constant-time. Thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/auth.h"

namespace atrium::server {

class BootstrapTokenAuthenticator final : public core::Authenticator {
 public:
  // Reads the token file, creating it with a random token when missing.
  static core::Result<std::unique_ptr<BootstrapTokenAuthenticator>> load_or_create(const std::string& path);

  core::Result<core::Principal> authenticate(const core::Credentials& credentials) override;

 private:
  explicit BootstrapTokenAuthenticator(const std::string& token);
  std::string digest_;  // SHA-256 hex of the token
};

// Tries each authenticator in order; the first that accepts the credentials wins. Used to keep the bootstrap
// token as a break-glass credential next to user sessions and API tokens.
class ChainAuthenticator final : public core::Authenticator {
 public:
  explicit ChainAuthenticator(std::vector<core::Authenticator*> chain) : chain_(std::move(chain)) {}
  core::Result<core::Principal> authenticate(const core::Credentials& credentials) override;

 private:
  std::vector<core::Authenticator*> chain_;
};

}  // namespace atrium::server
