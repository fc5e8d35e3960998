// Sessions (login cookies / bearer tokens) and personal API tokens over the Store. A token is 256 random bits
// shown to its owner once; only its SHA-256 is stored (as the object's name), so a database dump yields no usable
// token and a lookup is one get by key. Sessions have an idle and an absolute lifetime measured with the injected
// Clock. Thread-safe (the Store is; this class holds no mutable state).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/error.h"
#include "core/json.h"
#include "storage/store.h"

namespace atrium::identity {

struct TokenLifetimes {
  std::chrono::seconds session_idle{30 * 60};
  std::chrono::seconds session_absolute{12 * 60 * 60};
  // lastUsed is written at most this often per session, so a busy client costs no write per request; the idle
  // limit is therefore enforced with this granularity.
  std::chrono::seconds touch_interval{60};
  std::chrono::seconds api_token_default{90 * 24 * 60 * 60};
  std::chrono::seconds api_token_max{365 * 24 * 60 * 60};
};

// API tokens start with this prefix (secret scanners can spot them, and lookups skip the session table).
inline constexpr std::string_view kApiTokenPrefix = "atrium_";
// Anything longer is not a token we issued; refused before hashing.
inline constexpr std::size_t kMaxTokenLength = 128;

struct IssuedToken {
  std::string token;  // shown once
  std::string id;     // API tokens: the handle to list and delete it by
  std::string user;
  core::TimePoint expires_at;
};

struct ApiTokenInfo {
  std::string id;
  std::string description;
  core::TimePoint created_at;
  core::TimePoint expires_at;
};

enum class TokenKind { Session, ApiToken };

struct TokenOwner {
  std::string user;
  TokenKind kind = TokenKind::Session;
};

class TokenStore {
 public:
  TokenStore(storage::Store& store, const core::Clock& clock, TokenLifetimes lifetimes = {});

  core::Result<IssuedToken> create_session(const std::string& user);
  // Errors: InvalidArgument for an empty or over-long description or an expiry beyond api_token_max.
  core::Result<IssuedToken> create_api_token(const std::string& user, const std::string& description,
                                             std::optional<std::chrono::seconds> lifetime);

  // The owner of a live session or API token. Unauthenticated (one message for every reason) when it is
  // malformed, unknown, expired or revoked. Expired sessions are deleted on sight.
  core::Result<TokenOwner> resolve(std::string_view token);

  // Deletes the session for `token`; revoking an unknown or expired session is not an error.
  core::Status revoke_session(std::string_view token);

  core::Result<std::vector<ApiTokenInfo>> list_api_tokens(const std::string& user);
  // NotFound when `user` has no token with this id.
  core::Status delete_api_token(const std::string& user, const std::string& id);

  // Delete mutations for every session and API token of `user` (to commit with the user's deletion).
  core::Result<std::vector<storage::Mutation>> revocations_for(const std::string& user);

  // Deletes every session that is expired at `now` (absolute lifetime reached, or idle for session_idle), so
  // sessions that are never presented again do not stay in the store. A session touched or revoked while the
  // sweep runs is left alone (its delete is conditional on the version read). Returns how many were deleted.
  // API tokens are kept after expiry (their owners still list them) until deleted.
  core::Result<std::size_t> sweep_expired(core::TimePoint now);

 private:
  core::Result<std::vector<storage::StoredObject>> owned(std::string_view kind, const std::string& user);
  bool session_expired(const core::json::object& session, core::TimePoint now) const;

  storage::Store& store_;
  const core::Clock& clock_;
  TokenLifetimes lifetimes_;
};

}  // namespace atrium::identity
