// Login against an LDAP directory (search, then bind): a service account searches `base_dn` with `user_filter`
// for exactly one entry, reads its groups, then binds as that entry's DN with the user's password. The only
// file that includes <ldap.h>. One short-lived connection per login; thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace atrium::identity {

struct LdapConfig {
  std::string url;                           // "ldap://host:389" or "ldaps://host:636"
  std::string bind_dn;                       // service account; empty for an anonymous search
  std::string bind_password;                 // secret
  std::string base_dn;                       // where users are searched
  std::string user_filter = "(uid=%s)";      // %s: the user name, escaped (RFC 4515)
  std::string group_base_dn;                 // empty: groups are not read
  std::string group_filter = "(member=%s)";  // %s: the user's DN, escaped
  // StartTLS on an ldap:// URL before anything else is sent; when it fails (no TLS offered, a certificate that
  // does not verify or names another host) the login fails with Unavailable: never a plaintext fallback.
  bool start_tls = false;
  // PEM file of the CAs trusted for the directory's certificate (StartTLS and ldaps://); empty: the system's.
  // The certificate is always verified (chain and host name), whatever ldap.conf or LDAPTLS_* say.
  std::string tls_ca_file;
  std::string display_name_attribute = "cn";
  std::string email_attribute = "mail";
  std::chrono::seconds timeout{5};  // per network operation
};

struct LdapIdentity {
  std::string dn;
  std::string display_name;
  std::string email;
  std::vector<std::string> group_dns;
};

// What IdentityService needs from a directory; LdapDirectory is the real one.
class Directory {
 public:
  virtual ~Directory() = default;
  // Unauthenticated (one message for unknown users, ambiguous matches and wrong passwords; never for an empty
  // password, which LDAP would treat as an anonymous bind: that is refused before any network call);
  // Unavailable when the directory cannot be reached or the service bind fails.
  virtual core::Result<LdapIdentity> authenticate(std::string_view user, std::string_view password) = 0;
};

class LdapDirectory final : public Directory {
 public:
  // InvalidArgument naming the field when the configuration is incomplete (url, base_dn, a filter without %s).
  static core::Result<std::unique_ptr<LdapDirectory>> create(LdapConfig config);

  core::Result<LdapIdentity> authenticate(std::string_view user, std::string_view password) override;

 private:
  explicit LdapDirectory(LdapConfig config) : config_(std::move(config)) {}
  LdapConfig config_;
};

// RFC 4515 assertion-value escaping: '*', '(', ')', '\' and NUL become \2a \28 \29 \5c \00.
std::string escape_filter_value(std::string_view value);
// `filter` with every "%s" replaced by escape_filter_value(value).
std::string format_filter(std::string_view filter, std::string_view value);

}  // namespace atrium::identity
