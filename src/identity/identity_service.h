// Users, passwords and logins: creates, replaces and deletes users (the password goes into a UserCredential
// written in the same Store::commit as the user, never into the User document), checks passwords on a bounded
// HashPool behind a LoginThrottle, provisions LDAP users at their first login, issues sessions and API tokens
// (TokenStore), and resolves a token's user into a Principal with its groups. Thread-safe.
//
// A successful local login whose stored hash was made with other argon2id parameters than the configured cost
// re-hashes the password with the current cost (raising or lowering it takes effect as users log in).
//
// Login answers are uniform: an unknown user, a wrong password and an LDAP miss all cost one argon2id
// verification (against a dummy hash when there is no real one) and all answer "invalid user name or password".
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <tl/expected.hpp>

#include "core/auth.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/json.h"
#include "crypto/password.h"
#include "identity/hash_pool.h"
#include "identity/ldap_directory.h"
#include "identity/login_throttle.h"
#include "identity/password_policy.h"
#include "identity/token_store.h"
#include "storage/store.h"

namespace atrium::identity {

inline constexpr std::size_t kMaxUserNameBytes = 253;
inline constexpr std::string_view kBootstrapAdmin = "admin";

// One login attempt, for the audit log.
struct LoginEvent {
  enum class Outcome { Success, Failure, Throttled };
  std::string user;  // as typed (bounded to kMaxUserNameBytes)
  std::string client_address;
  Outcome outcome = Outcome::Failure;
  std::string reason;  // "wrong password", "unknown user", "disabled", "throttled", "busy", "ldap unavailable", ...
  std::string source;  // "local" or "ldap" when known
};

struct IdentityOptions {
  PasswordPolicy password_policy;
  crypto::PasswordHashCost hash_cost = crypto::PasswordHashCost::interactive();
  HashPoolOptions hash_pool;
  ThrottleOptions throttle;
  TokenLifetimes lifetimes;
  // LDAP directory for users without a local account; not owned, may be null.
  Directory* directory = nullptr;
  // Called before a user is deleted or disabled; an error refuses the change (e.g. FailedPrecondition: "the
  // last platform admin cannot be deleted"). Wired to iam by the server.
  std::function<core::Status(const std::string& user)> before_delete_user;
  std::function<core::Status(const std::string& user)> before_disable_user;
  // Further writes committed atomically with a user's deletion (e.g. removing their role bindings).
  std::function<core::Result<std::vector<storage::Mutation>>(const std::string& user)> deletion_mutations;
  // Called once per login attempt (audit). Must not throw.
  std::function<void(const LoginEvent&)> on_login;
};

struct LoginRequest {
  std::string username;
  std::string password;
  std::string client_address;
};

struct LoginError {
  core::Error error;
  std::chrono::seconds retry_after{0};  // set with ResourceExhausted (throttled, or the hash pool is full)
};
using LoginResult = tl::expected<IssuedToken, LoginError>;

class IdentityService {
 public:
  IdentityService(storage::Store& store, const core::Clock& clock, IdentityOptions options = {});

  // Creates a local user from a client document (spec.password optional; spec.source/ldapDN/status are set by
  // the server). Errors: InvalidArgument (validation, password policy at spec.password), AlreadyExists,
  // ResourceExhausted (hash pool full).
  core::Result<storage::StoredObject> create_user(const core::json::value& body);
  // Replaces user `name` (PUT, or a merge-patched document). A metadata.resourceVersion in `body` must match.
  // Errors: as create_user, NotFound, Conflict, and whatever before_disable_user answers.
  core::Result<storage::StoredObject> replace_user(const std::string& name, const core::json::value& body);
  // Deletes the user, its credential, sessions and API tokens in one commit. `expected_version` 0 = any.
  core::Status delete_user(const std::string& name, std::int64_t expected_version);

  // First start: creates user "admin" when no such user exists, with `password_from_env` (ATRIUM_ADMIN_PASSWORD)
  // or, when that is empty, a random password which is returned so the caller can print it once. nullopt when
  // the admin already exists. FailedPrecondition when the given password breaks the policy.
  core::Result<std::optional<std::string>> ensure_bootstrap_admin(std::string_view password_from_env);

  LoginResult login(const LoginRequest& request);
  // A local user changes their own password, proving the current one (verified and throttled like a login). The
  // new one must meet the policy (InvalidArgument, cause "newPassword"); a wrong current one is InvalidArgument
  // with cause "currentPassword" and counts as a failed login; ResourceExhausted when throttled or the hash pool
  // is full; FailedPrecondition for directory (LDAP) users, whose passwords live in the directory. Sessions and
  // API tokens stay valid.
  core::Status change_own_password(const std::string& user, std::string_view current, std::string_view next,
                                   const std::string& client_address);
  core::Status logout(std::string_view session_token);

  // The Principal of an authenticated user: Unauthenticated when the user is gone or disabled.
  core::Result<core::Principal> principal_for(const std::string& user, std::string auth_method);

  TokenStore& tokens() { return tokens_; }

 private:
  core::Result<std::string> hash(std::string_view password);
  core::Result<storage::StoredObject> provision_ldap_user(const std::string& name, const LdapIdentity& identity);
  core::Result<std::vector<storage::Mutation>> group_removals_for(const std::string& user);
  core::Status record_login(storage::StoredObject user, const LdapIdentity* identity);
  // Re-hashes a verified password whose stored hash has other argon2id parameters than options_.hash_cost and
  // stores the new hash. Best effort: a busy pool or a concurrent password change leaves the old hash.
  void rehash(storage::StoredObject credential, std::string_view password);
  void report(const LoginRequest& r, LoginEvent::Outcome outcome, std::string reason, std::string source);
  core::Result<std::optional<storage::Mutation>> credential_mutation(const std::string& user,
                                                                     std::string_view password);

  storage::Store& store_;
  const core::Clock& clock_;
  IdentityOptions options_;
  HashPool pool_;
  LoginThrottle throttle_;
  TokenStore tokens_;
  std::string dummy_hash_;
};

}  // namespace atrium::identity
