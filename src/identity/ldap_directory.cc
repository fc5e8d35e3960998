#include "identity/ldap_directory.h"

#include <ldap.h>
#include <sys/time.h>

#include <memory>

#include <fmt/format.h>

namespace atrium::identity {
namespace {

core::Error bad_login() { return core::Error(core::ErrorCode::Unauthenticated, "invalid user name or password"); }

// libldap's diagnostic for the last operation on `ld` (for TLS, the reason the certificate was refused).
std::string diagnostic(LDAP* ld) {
  if (ld == nullptr) return {};
  char* text = nullptr;
  if (ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &text) != LDAP_OPT_SUCCESS || text == nullptr) return {};
  std::string out(text);
  ldap_memfree(text);
  return out;
}

core::Error unavailable(std::string_view what, int rc, LDAP* ld = nullptr) {
  std::string detail = diagnostic(ld);
  return core::Error(core::ErrorCode::Unavailable, fmt::format("LDAP {} failed: {}{}{}", what, ldap_err2string(rc),
                                                               detail.empty() ? "" : ": ", detail));
}

// Per-connection TLS settings, so nothing in ldap.conf, ~/.ldaprc or LDAPTLS_* can weaken them: the peer's
// certificate must chain to `ca_file` (or the system's CAs) and name the host of the URL.
core::Status require_verified_tls(LDAP* ld, const std::string& ca_file) {
  int demand = LDAP_OPT_X_TLS_DEMAND;
  if (int rc = ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand); rc != LDAP_OPT_SUCCESS) {
    return core::fail(unavailable("TLS setup (require certificate)", rc));
  }
  if (!ca_file.empty()) {
    if (int rc = ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, ca_file.c_str()); rc != LDAP_OPT_SUCCESS) {
      return core::fail(unavailable("TLS setup (CA file)", rc));
    }
  }
  int is_server = 0;  // a fresh client context with the options above, for this connection only
  if (int rc = ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &is_server); rc != LDAP_OPT_SUCCESS) {
    return core::fail(unavailable("TLS setup (CA file " + ca_file + ")", rc));
  }
  return {};
}

struct Connection {
  LDAP* ld = nullptr;
  ~Connection() {
    if (ld) ldap_unbind_ext_s(ld, nullptr, nullptr);
  }
};

struct Message {
  LDAPMessage* m = nullptr;
  ~Message() {
    if (m) ldap_msgfree(m);
  }
};

int simple_bind(LDAP* ld, const std::string& dn, std::string_view password) {
  berval cred;
  cred.bv_val = const_cast<char*>(password.data());
  cred.bv_len = password.size();
  return ldap_sasl_bind_s(ld, dn.empty() ? nullptr : dn.c_str(), LDAP_SASL_SIMPLE, &cred, nullptr, nullptr, nullptr);
}

std::string first_value(LDAP* ld, LDAPMessage* entry, const std::string& attribute) {
  if (attribute.empty()) return {};
  berval** values = ldap_get_values_len(ld, entry, attribute.c_str());
  if (values == nullptr) return {};
  std::string out = values[0] ? std::string(values[0]->bv_val, values[0]->bv_len) : std::string();
  ldap_value_free_len(values);
  return out;
}

std::string entry_dn(LDAP* ld, LDAPMessage* entry) {
  char* dn = ldap_get_dn(ld, entry);
  if (!dn) return {};
  std::string out(dn);
  ldap_memfree(dn);
  return out;
}

}  // namespace

std::string escape_filter_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '*':
        out += "\\2a";
        break;
      case '(':
        out += "\\28";
        break;
      case ')':
        out += "\\29";
        break;
      case '\\':
        out += "\\5c";
        break;
      case '\0':
        out += "\\00";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string format_filter(std::string_view filter, std::string_view value) {
  const std::string escaped = escape_filter_value(value);
  std::string out;
  for (std::size_t i = 0; i < filter.size(); ++i) {
    if (filter[i] == '%' && i + 1 < filter.size() && filter[i + 1] == 's') {
      out += escaped;
      ++i;
    } else {
      out += filter[i];
    }
  }
  return out;
}

core::Result<std::unique_ptr<LdapDirectory>> LdapDirectory::create(LdapConfig config) {
  auto invalid = [](std::string field, std::string message) {
    return core::fail(core::Error(core::ErrorCode::InvalidArgument, "LDAP configuration: " + field + " " + message,
                                  {core::Cause{field, message}}));
  };
  if (!(config.url.starts_with("ldap://") || config.url.starts_with("ldaps://"))) {
    return invalid("ldap.url", "must start with ldap:// or ldaps://");
  }
  if (config.base_dn.empty()) return invalid("ldap.baseDN", "is required");
  if (config.user_filter.find("%s") == std::string::npos) return invalid("ldap.userFilter", "must contain %s");
  if (!config.group_base_dn.empty() && config.group_filter.find("%s") == std::string::npos) {
    return invalid("ldap.groupFilter", "must contain %s");
  }
  return std::unique_ptr<LdapDirectory>(new LdapDirectory(std::move(config)));
}

core::Result<LdapIdentity> LdapDirectory::authenticate(std::string_view user, std::string_view password) {
  // An empty password would make the user bind an "unauthenticated bind" that many servers accept (RFC 4513 5.1.2).
  if (user.empty() || password.empty() || password.find('\0') != std::string_view::npos) {
    return core::fail(bad_login());
  }
  Connection c;
  if (int rc = ldap_initialize(&c.ld, config_.url.c_str()); rc != LDAP_SUCCESS)
    return core::fail(unavailable("connect", rc));
  int version = LDAP_VERSION3;
  ldap_set_option(c.ld, LDAP_OPT_PROTOCOL_VERSION, &version);
  ldap_set_option(c.ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
  timeval tv{static_cast<time_t>(config_.timeout.count()), 0};
  ldap_set_option(c.ld, LDAP_OPT_NETWORK_TIMEOUT, &tv);
  ldap_set_option(c.ld, LDAP_OPT_TIMEOUT, &tv);
  if (config_.start_tls || config_.url.starts_with("ldaps://")) {
    if (auto s = require_verified_tls(c.ld, config_.tls_ca_file); !s) return core::fail(s.error());
  }
  if (config_.start_tls) {
    if (int rc = ldap_start_tls_s(c.ld, nullptr, nullptr); rc != LDAP_SUCCESS) {
      return core::fail(unavailable("StartTLS", rc, c.ld));
    }
  }
  if (int rc = simple_bind(c.ld, config_.bind_dn, config_.bind_password); rc != LDAP_SUCCESS) {
    return core::fail(unavailable("service bind", rc, c.ld));
  }

  std::string filter = format_filter(config_.user_filter, user);
  std::vector<char*> attrs;
  std::string dn_attr = config_.display_name_attribute, mail_attr = config_.email_attribute;
  if (!dn_attr.empty()) attrs.push_back(dn_attr.data());
  if (!mail_attr.empty()) attrs.push_back(mail_attr.data());
  attrs.push_back(nullptr);
  Message res;
  int rc = ldap_search_ext_s(c.ld, config_.base_dn.c_str(), LDAP_SCOPE_SUBTREE, filter.c_str(), attrs.data(), 0,
                             nullptr, nullptr, &tv, 2, &res.m);
  if (rc == LDAP_SIZELIMIT_EXCEEDED) return core::fail(bad_login());  // ambiguous: never pick one
  if (rc != LDAP_SUCCESS && rc != LDAP_NO_SUCH_OBJECT) return core::fail(unavailable("user search", rc));
  if (res.m == nullptr || ldap_count_entries(c.ld, res.m) != 1) return core::fail(bad_login());
  LDAPMessage* entry = ldap_first_entry(c.ld, res.m);
  LdapIdentity identity;
  identity.dn = entry_dn(c.ld, entry);
  if (identity.dn.empty()) return core::fail(bad_login());
  identity.display_name = first_value(c.ld, entry, dn_attr);
  identity.email = first_value(c.ld, entry, mail_attr);

  if (!config_.group_base_dn.empty()) {
    std::string group_filter = format_filter(config_.group_filter, identity.dn);
    char no_attrs[] = "1.1";  // RFC 4511: return no attributes, only DNs
    char* group_attrs[] = {no_attrs, nullptr};
    Message groups;
    rc = ldap_search_ext_s(c.ld, config_.group_base_dn.c_str(), LDAP_SCOPE_SUBTREE, group_filter.c_str(), group_attrs,
                           0, nullptr, nullptr, &tv, 1000, &groups.m);
    if (rc != LDAP_SUCCESS && rc != LDAP_NO_SUCH_OBJECT && rc != LDAP_SIZELIMIT_EXCEEDED) {
      return core::fail(unavailable("group search", rc));
    }
    for (LDAPMessage* g = groups.m ? ldap_first_entry(c.ld, groups.m) : nullptr; g != nullptr;
         g = ldap_next_entry(c.ld, g)) {
      if (auto dn = entry_dn(c.ld, g); !dn.empty()) identity.group_dns.push_back(std::move(dn));
    }
  }

  rc = simple_bind(c.ld, identity.dn, password);
  if (rc == LDAP_INVALID_CREDENTIALS || rc == LDAP_INAPPROPRIATE_AUTH || rc == LDAP_UNWILLING_TO_PERFORM) {
    return core::fail(bad_login());
  }
  if (rc != LDAP_SUCCESS) return core::fail(unavailable("user bind", rc));
  return identity;
}

}  // namespace atrium::identity
