#include "identity/user.h"

namespace atrium::identity {

const schema::Struct<UserSpec>& UserSpec::schema() {
  static const auto s =
      schema::Struct<UserSpec>("UserSpec")
          .field("displayName", &UserSpec::display_name, {.max_length = 128})
          .field("email", &UserSpec::email, {.format = schema::Format::Email, .max_length = 254})
          .field("state", &UserSpec::state,
                 {.description = "Disabled users cannot log in and their sessions and tokens stop working.",
                  .one_of = {std::string(kStateActive), std::string(kStateDisabled)}})
          .field("source", &UserSpec::source,
                 {.read_only = true,
                  .description = "Where the user comes from: local, or ldap (provisioned at first LDAP login).",
                  .one_of = {std::string(kSourceLocal), std::string(kSourceLdap)}})
          .field("ldapDN", &UserSpec::ldap_dn, {.read_only = true, .max_length = 1024})
          .field("password", &UserSpec::password,
                 {.write_only = true,
                  .description = "Sets the password (local users only). Never returned.",
                  .max_length = 1024});
  return s;
}

const schema::Struct<UserStatus>& UserStatus::schema() {
  static const auto s =
      schema::Struct<UserStatus>("UserStatus")
          .field("lastLoginTime", &UserStatus::last_login_time, {.read_only = true, .format = schema::Format::Rfc3339})
          .field("ldapGroups", &UserStatus::ldap_groups, {.read_only = true, .max_items = 1024});
  return s;
}

const schema::Struct<GroupSpec>& GroupSpec::schema() {
  static const auto s =
      schema::Struct<GroupSpec>("GroupSpec")
          .field("displayName", &GroupSpec::display_name, {.max_length = 128})
          .field("members", &GroupSpec::members,
                 {.description = "User names.", .format = schema::Format::Dns1123Label, .max_items = 10000})
          .field("ldapGroup", &GroupSpec::ldap_group,
                 {.description = "DN of an LDAP group whose members also belong to this group.", .max_length = 1024});
  return s;
}

const schema::ResourceType& user_type() {
  static const schema::ResourceType t(schema::ResourceInfo{.group = "iam.atrium.io",
                                                           .version = "v1",
                                                           .kind = std::string(kUserKind),
                                                           .plural = "users",
                                                           .scope = schema::ResourceScope::Platform,
                                                           .description = "A person who can log in to Atrium."},
                                      UserSpec::schema(), &UserStatus::schema());
  return t;
}

const schema::ResourceType& group_type() {
  static const schema::ResourceType t(
      schema::ResourceInfo{.group = "iam.atrium.io",
                           .version = "v1",
                           .kind = std::string(kGroupKind),
                           .plural = "groups",
                           .scope = schema::ResourceScope::Platform,
                           .description = "A named set of users; roles may be bound to groups."},
      GroupSpec::schema(), nullptr);
  return t;
}

}  // namespace atrium::identity
