// The identity object model: the served kinds User and Group (iam.atrium.io/v1, platform scope) and the
// names of the internal kinds that never leave the server (UserCredential, Session, ApiToken).
// Descriptions are immutable; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "schema/resource.h"

namespace atrium::identity {

inline constexpr std::string_view kUserKind = "User";
inline constexpr std::string_view kGroupKind = "Group";
// {"hash": "$argon2id$..."} named after the user; written in the same Store::commit as the user.
inline constexpr std::string_view kCredentialKind = "UserCredential";
// Named by the SHA-256 of the token; see token_store.h.
inline constexpr std::string_view kSessionKind = "Session";
inline constexpr std::string_view kApiTokenKind = "ApiToken";
// Label on sessions and API tokens naming their user, so they can be listed and revoked per user.
inline constexpr std::string_view kUserLabel = "identity.atrium.io/user";

inline constexpr std::string_view kStateActive = "Active";
inline constexpr std::string_view kStateDisabled = "Disabled";
inline constexpr std::string_view kSourceLocal = "local";
inline constexpr std::string_view kSourceLdap = "ldap";

struct UserSpec {
  std::string display_name;
  std::string email;
  std::string state;     // Active (default) | Disabled
  std::string source;    // local | ldap; set by the server
  std::string ldap_dn;   // set by the server for LDAP users
  std::string password;  // write-only: accepted on create/update to set the password, never stored here

  static const schema::Struct<UserSpec>& schema();
};

struct UserStatus {
  std::string last_login_time;           // RFC 3339
  std::vector<std::string> ldap_groups;  // DNs of the LDAP groups seen at the last LDAP login

  static const schema::Struct<UserStatus>& schema();
};

struct GroupSpec {
  std::string display_name;
  std::vector<std::string> members;  // user names
  std::string ldap_group;            // DN of an LDAP group whose members belong to this group too

  static const schema::Struct<GroupSpec>& schema();
};

// User: served at /api/v1/users.
const schema::ResourceType& user_type();
// Group: served at /api/v1/groups.
const schema::ResourceType& group_type();

}  // namespace atrium::identity
