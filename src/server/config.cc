#include "server/config.h"

#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "core/log.h"

namespace atrium::server {
namespace {

core::Error bad(const std::string& source, const std::string& key, const std::string& why) {
  return core::Error(core::ErrorCode::InvalidArgument, fmt::format("{}: {}: {}", source, key, why),
                     {core::Cause{key, why}});
}

core::Result<std::int64_t> to_int(const std::string& v, std::int64_t lo, std::int64_t hi) {
  std::int64_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p != v.data() + v.size() || n < lo || n > hi) {
    return core::fail(core::ErrorCode::InvalidArgument,
                      fmt::format("\"{}\" must be an integer from {} to {}", v.substr(0, 40), lo, hi));
  }
  return n;
}

bool valid_host_port(const std::string& s) {
  auto colon = s.rfind(':');
  if (colon == std::string::npos || colon == 0) return false;
  auto port = to_int(s.substr(colon + 1), 0, 65535);
  return port.has_value();
}

using Setter = std::function<core::Status(ServerConfig&, const std::string&)>;

struct Entry {
  Setting setting;
  Setter set;
};

core::Status ok() { return {}; }

Setter string_setter(std::string ServerConfig::*m) {
  return [m](ServerConfig& c, const std::string& v) {
    c.*m = v;
    return ok();
  };
}
Setter int_setter(std::int64_t ServerConfig::*m, std::int64_t lo, std::int64_t hi) {
  return [m, lo, hi](ServerConfig& c, const std::string& v) -> core::Status {
    auto n = to_int(v, lo, hi);
    if (!n) return core::fail(n.error());
    c.*m = *n;
    return ok();
  };
}

bool has_control_character(std::string_view v) {
  for (unsigned char ch : v) {
    if (ch < 0x20 || ch == 0x7f) return true;
  }
  return false;
}

// ldap://host[:port] or ldaps://host[:port] (an IPv6 host in brackets), optionally with a trailing "/"; a DN,
// attributes or a filter after it would be ignored by the directory client, so they are refused.
core::Status check_ldap_url(const std::string& v) {
  auto refuse = [] {
    return core::fail(core::ErrorCode::InvalidArgument, "must be ldap://host[:port] or ldaps://host[:port]");
  };
  std::string_view rest = v;
  if (rest.starts_with("ldap://")) {
    rest.remove_prefix(7);
  } else if (rest.starts_with("ldaps://")) {
    rest.remove_prefix(8);
  } else {
    return refuse();
  }
  if (rest.ends_with('/')) rest.remove_suffix(1);
  std::string_view host = rest;
  std::string_view port;
  if (rest.starts_with('[')) {
    auto close = rest.find(']');
    if (close == std::string_view::npos || close == 1) return refuse();
    host = rest.substr(1, close - 1);
    std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return refuse();
      port = after.substr(1);
      if (port.empty()) return refuse();
    }
    for (char ch : host) {
      if (!(std::isxdigit(static_cast<unsigned char>(ch)) || ch == ':' || ch == '.')) return refuse();
    }
  } else {
    if (auto colon = rest.find(':'); colon != std::string_view::npos) {
      host = rest.substr(0, colon);
      port = rest.substr(colon + 1);
      if (port.empty()) return refuse();
    }
    if (host.empty()) return refuse();
    for (char ch : host) {
      if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '.' || ch == '_')) return refuse();
    }
  }
  if (!port.empty() && !to_int(std::string(port), 1, 65535)) return refuse();
  return ok();
}

// An LDAP filter (RFC 4515) with the %s placeholder: parenthesised and balanced (literal parentheses in a
// filter value are written \28 and \29, so every parenthesis is structure).
core::Status check_ldap_filter(const std::string& v, const char* placeholder_meaning) {
  if (v.find("%s") == std::string::npos) {
    return core::fail(core::ErrorCode::InvalidArgument, fmt::format("must contain %s ({})", placeholder_meaning));
  }
  auto refuse = [] {
    return core::fail(core::ErrorCode::InvalidArgument, "must be one parenthesised LDAP filter, e.g. (uid=%s)");
  };
  if (!v.starts_with('(')) return refuse();
  int depth = 0;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '(') ++depth;
    if (v[i] == ')') --depth;
    // Unbalanced, or text after the outermost ")".
    if (depth < 0 || (depth == 0 && i + 1 < v.size())) return refuse();
  }
  if (depth != 0) return refuse();
  return ok();
}

Setter ldap_text_setter(std::string identity::LdapConfig::*m) {
  return [m](ServerConfig& c, const std::string& v) -> core::Status {
    if (has_control_character(v))
      return core::fail(core::ErrorCode::InvalidArgument, "must not contain control characters");
    c.ldap.*m = v;
    return ok();
  };
}

Setter ldap_filter_setter(std::string identity::LdapConfig::*m, const char* placeholder_meaning) {
  return [m, placeholder_meaning](ServerConfig& c, const std::string& v) -> core::Status {
    if (has_control_character(v))
      return core::fail(core::ErrorCode::InvalidArgument, "must not contain control characters");
    if (auto s = check_ldap_filter(v, placeholder_meaning); !s) return s;
    c.ldap.*m = v;
    return ok();
  };
}

// An attribute type (RFC 4512 descr or numeric OID); empty: not read.
Setter ldap_attribute_setter(std::string identity::LdapConfig::*m) {
  return [m](ServerConfig& c, const std::string& v) -> core::Status {
    bool descr = !v.empty() && std::isalpha(static_cast<unsigned char>(v[0]));
    bool oid = !v.empty() && std::isdigit(static_cast<unsigned char>(v[0]));
    for (char ch : v) {
      descr = descr && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '-');
      oid = oid && (std::isdigit(static_cast<unsigned char>(ch)) || ch == '.');
    }
    if (!v.empty() && !descr && !oid) {
      return core::fail(core::ErrorCode::InvalidArgument, "must be an attribute name such as cn or mail");
    }
    c.ldap.*m = v;
    return ok();
  };
}

// True when any ldap.* key other than ldap.url differs from its default.
bool ldap_settings_given(const ServerConfig& c) {
  const identity::LdapConfig d;
  const auto& l = c.ldap;
  return !l.bind_dn.empty() || !l.bind_password.empty() || !c.ldap_bind_password_file.empty() || !l.base_dn.empty() ||
         l.user_filter != d.user_filter || !l.group_base_dn.empty() || l.group_filter != d.group_filter ||
         l.start_tls != d.start_tls || !l.tls_ca_file.empty() || l.display_name_attribute != d.display_name_attribute ||
         l.email_attribute != d.email_attribute || l.timeout != d.timeout;
}

// Reads a secret from a file (at most 64 KiB; one trailing newline removed). Errors name the file, never its
// content.
core::Result<std::string> read_secret_file(const std::string& key, const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    return core::fail(bad("configuration", key, fmt::format("{} is not a readable file", path)));
  }
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return core::fail(bad("configuration", key, fmt::format("{} cannot be opened", path)));
  std::string text(64 << 10, '\0');
  std::size_t n = std::fread(text.data(), 1, text.size(), f);
  bool more = std::fgetc(f) != EOF;
  std::fclose(f);
  if (more) return core::fail(bad("configuration", key, fmt::format("{} is larger than 64 KiB", path)));
  text.resize(n);
  if (text.ends_with('\n')) text.pop_back();
  if (text.ends_with('\r')) text.pop_back();
  if (text.empty()) return core::fail(bad("configuration", key, fmt::format("{} is empty", path)));
  if (text.find('\0') != std::string::npos || text.find('\n') != std::string::npos) {
    return core::fail(bad("configuration", key, fmt::format("{} must hold one line of text", path)));
  }
  return text;
}

core::Status check_ldap(ServerConfig& cfg) {
  auto& l = cfg.ldap;
  if (l.url.empty()) {
    if (ldap_settings_given(cfg)) {
      return core::fail(bad("configuration", "ldap.url", "is required when other ldap.* settings are given"));
    }
    return ok();
  }
  if (!cfg.ldap_bind_password_file.empty()) {
    if (!l.bind_password.empty()) {
      return core::fail(bad("configuration", "ldap.bindPasswordFile",
                            "ldap.bindPassword and ldap.bindPasswordFile are exclusive: give one"));
    }
    auto secret = read_secret_file("ldap.bindPasswordFile", cfg.ldap_bind_password_file);
    if (!secret) return core::fail(secret.error());
    l.bind_password = std::move(*secret);
    cfg.ldap_bind_password_file.clear();
  }
  if (l.base_dn.empty()) {
    return core::fail(bad("configuration", "ldap.userBase", "is required with ldap.url (where users are searched)"));
  }
  if (l.bind_dn.empty() != l.bind_password.empty()) {
    return core::fail(bad("configuration", l.bind_dn.empty() ? "ldap.bindDn" : "ldap.bindPassword",
                          "ldap.bindDn and a bind password (ldap.bindPassword or ldap.bindPasswordFile) go together; "
                          "give neither for an anonymous search"));
  }
  bool ldaps = l.url.starts_with("ldaps://");
  if (l.start_tls && ldaps) {
    return core::fail(bad("configuration", "ldap.startTls", "is for ldap:// URLs; an ldaps:// URL is already TLS"));
  }
  if (!l.tls_ca_file.empty()) {
    if (!l.start_tls && !ldaps) {
      return core::fail(bad("configuration", "ldap.caFile",
                            "is set but the connection would not be encrypted: set ldap.startTls or use ldaps://"));
    }
    std::error_code ec;
    std::FILE* f =
        std::filesystem::is_regular_file(l.tls_ca_file, ec) ? std::fopen(l.tls_ca_file.c_str(), "rb") : nullptr;
    if (!f)
      return core::fail(bad("configuration", "ldap.caFile", fmt::format("{} is not a readable file", l.tls_ca_file)));
    std::string pem(1 << 20, '\0');
    pem.resize(std::fread(pem.data(), 1, pem.size(), f));
    std::fclose(f);
    if (pem.find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
      return core::fail(bad("configuration", "ldap.caFile", fmt::format("{} holds no PEM certificate", l.tls_ca_file)));
    }
  }
  return ok();
}

const std::vector<Entry>& entries() {
  static const std::vector<Entry> e = {
      {{"listen", "ATRIUM_LISTEN", "--listen", "Address and port of the HTTP(S) listener.", "127.0.0.1:8080"},
       [](ServerConfig& c, const std::string& v) -> core::Status {
         if (!valid_host_port(v)) return core::fail(core::ErrorCode::InvalidArgument, "must be host:port");
         c.listen = v;
         return ok();
       }},
      {{"dataDir", "ATRIUM_DATA_DIR", "--data-dir", "Directory for the SQLite store, the secret key and state.",
        "$XDG_DATA_HOME/atrium"},
       string_setter(&ServerConfig::data_dir)},
      {{"store", "ATRIUM_STORE", "--store", "Store URL: sqlite:///path/atrium.db or postgres://user:pass@host:port/db.",
        "sqlite://<dataDir>/atrium.db"},
       [](ServerConfig& c, const std::string& v) -> core::Status {
         if (!(v.starts_with("sqlite://") || v.starts_with("postgres://") || v.starts_with("postgresql://"))) {
           return core::fail(core::ErrorCode::InvalidArgument, "must start with sqlite:// or postgres://");
         }
         c.store = v;
         return ok();
       }},
      {{"secretKeyFile", "ATRIUM_SECRET_KEY_FILE", "--secret-key-file",
        "Key file for secrets at rest (0600; the same file for every replica).", "<dataDir>/secret.key"},
       string_setter(&ServerConfig::secret_key_file)},
      {{"tls.certFile", "ATRIUM_TLS_CERT_FILE", "--tls-cert-file", "PEM certificate chain; enables HTTPS.", ""},
       string_setter(&ServerConfig::tls_cert_file)},
      {{"tls.keyFile", "ATRIUM_TLS_KEY_FILE", "--tls-key-file", "PEM private key for tls.certFile.", ""},
       string_setter(&ServerConfig::tls_key_file)},
      {{"metrics.listen", "ATRIUM_METRICS_LISTEN", "--metrics-listen",
        "Separate loopback listener for /metrics (no token needed there).", ""},
       [](ServerConfig& c, const std::string& v) -> core::Status {
         if (!v.empty() && !valid_host_port(v))
           return core::fail(core::ErrorCode::InvalidArgument, "must be host:port");
         c.metrics_listen = v;
         return ok();
       }},
      {{"metrics.token", "ATRIUM_METRICS_TOKEN", "--metrics-token",
        "Bearer token that Prometheus sends to scrape /metrics on the main listener.", ""},
       string_setter(&ServerConfig::metrics_token)},
      {{"trustedProxies", "ATRIUM_TRUSTED_PROXIES", "--trusted-proxies",
        "Comma-separated addresses or CIDR blocks whose X-Forwarded-For is believed.", ""},
       [](ServerConfig& c, const std::string& v) -> core::Status {
         c.trusted_proxies.clear();
         std::size_t start = 0;
         while (start <= v.size()) {
           auto comma = v.find(',', start);
           std::string item = v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
           while (!item.empty() && item.front() == ' ') item.erase(0, 1);
           while (!item.empty() && item.back() == ' ') item.pop_back();
           if (!item.empty()) c.trusted_proxies.push_back(item);
           if (comma == std::string::npos) break;
           start = comma + 1;
         }
         return ok();
       }},
      {{"consoleDir", "ATRIUM_CONSOLE_DIR", "--console-dir", "Directory of the built web console.", "web/console/dist"},
       string_setter(&ServerConfig::console_dir)},
      {{"publicUrl", "ATRIUM_PUBLIC_URL", "--public-url",
        "URL users reach Atrium at; cookie-authenticated requests must come from this origin.", "http://<listen>"},
       [](ServerConfig& c, const std::string& v) -> core::Status {
         if (!v.empty() && !(v.starts_with("http://") || v.starts_with("https://"))) {
           return core::fail(core::ErrorCode::InvalidArgument, "must be an http:// or https:// URL");
         }
         c.public_url = v;
         return ok();
       }},
      {{"threads", "ATRIUM_THREADS", "--threads", "I/O threads of the HTTP server.", "2"},
       int_setter(&ServerConfig::threads, 1, 256)},
      {{"limits.maxBodyBytes", "ATRIUM_MAX_BODY_BYTES", "--max-body-bytes", "Largest accepted request body.",
        "4194304"},
       int_setter(&ServerConfig::max_body_bytes, 1024, 1LL << 30)},
      {{"limits.maxHeaderBytes", "ATRIUM_MAX_HEADER_BYTES", "--max-header-bytes",
        "Largest accepted request head (request line and headers).", "16384"},
       int_setter(&ServerConfig::max_header_bytes, 1024, 1 << 20)},
      {{"limits.requestTimeoutSeconds", "ATRIUM_REQUEST_TIMEOUT_SECONDS", "--request-timeout-seconds",
        "Time allowed to receive a request.", "30"},
       int_setter(&ServerConfig::request_timeout_seconds, 1, 3600)},
      {{"shutdownTimeoutSeconds", "ATRIUM_SHUTDOWN_TIMEOUT_SECONDS", "--shutdown-timeout-seconds",
        "On SIGTERM, how long in-flight requests may finish.", "10"},
       int_setter(&ServerConfig::shutdown_timeout_seconds, 0, 3600)},
      {{"kubeconfig", "ATRIUM_KUBECONFIG", "--kubeconfig",
        "Kubeconfig file of a cluster registered as `local` at start (trusted: file fields allowed; not stored).", ""},
       string_setter(&ServerConfig::kubeconfig)},
      {{"kubeconfigContext", "ATRIUM_KUBECONFIG_CONTEXT", "--kubeconfig-context",
        "Context of the kubeconfig setting to use.", "current-context"},
       string_setter(&ServerConfig::kubeconfig_context)},
      {{"logLevel", "ATRIUM_LOG_LEVEL", "--log-level", "debug, info, warn or error.", "info"},
       [](ServerConfig& c, const std::string& v) -> core::Status {
         core::LogLevel l;
         if (!core::parse_log_level(v, l)) {
           return core::fail(core::ErrorCode::InvalidArgument, "must be debug, info, warn or error");
         }
         c.log_level = v;
         return ok();
       }},
      {{"ldap.url", "ATRIUM_LDAP_URL", "--ldap-url",
        "LDAP directory for users without a local account: ldap://host[:port] or ldaps://host[:port]; empty: "
        "no LDAP.",
        ""},
       [](ServerConfig& c, const std::string& v) -> core::Status {
         if (!v.empty()) {
           if (auto s = check_ldap_url(v); !s) return s;
         }
         c.ldap.url = v;
         return ok();
       }},
      {{"ldap.startTls", "ATRIUM_LDAP_START_TLS", "--ldap-start-tls",
        "true: StartTLS on the ldap:// URL before anything is sent; a failure ends the login, never a plaintext "
        "fallback.",
        "false"},
       [](ServerConfig& c, const std::string& v) -> core::Status {
         if (v != "true" && v != "false") return core::fail(core::ErrorCode::InvalidArgument, "must be true or false");
         c.ldap.start_tls = v == "true";
         return ok();
       }},
      {{"ldap.caFile", "ATRIUM_LDAP_CA_FILE", "--ldap-ca-file",
        "PEM file of the CAs trusted for the directory's certificate (StartTLS or ldaps://); the certificate is "
        "always verified. Empty: the system's CAs.",
        ""},
       ldap_text_setter(&identity::LdapConfig::tls_ca_file)},
      {{"ldap.bindDn", "ATRIUM_LDAP_BIND_DN", "--ldap-bind-dn",
        "DN of the service account that searches for users; empty: anonymous search.", ""},
       ldap_text_setter(&identity::LdapConfig::bind_dn)},
      {{"ldap.bindPassword", "ATRIUM_LDAP_BIND_PASSWORD", "",
        "Password of ldap.bindDn (a secret: no flag, never logged; prefer ldap.bindPasswordFile).", ""},
       [](ServerConfig& c, const std::string& v) -> core::Status {
         if (v.find('\0') != std::string::npos) {
           return core::fail(core::ErrorCode::InvalidArgument, "must not contain a NUL character");
         }
         c.ldap.bind_password = v;
         return ok();
       }},
      {{"ldap.bindPasswordFile", "ATRIUM_LDAP_BIND_PASSWORD_FILE", "--ldap-bind-password-file",
        "File holding the password of ldap.bindDn (one line; read at start).", ""},
       string_setter(&ServerConfig::ldap_bind_password_file)},
      {{"ldap.userBase", "ATRIUM_LDAP_USER_BASE", "--ldap-user-base",
        "DN below which users are searched; required with ldap.url.", ""},
       ldap_text_setter(&identity::LdapConfig::base_dn)},
      {{"ldap.userFilter", "ATRIUM_LDAP_USER_FILTER", "--ldap-user-filter",
        "Filter that finds exactly one user; %s is the user name as typed, escaped.", "(uid=%s)"},
       ldap_filter_setter(&identity::LdapConfig::user_filter, "the user name")},
      {{"ldap.groupBase", "ATRIUM_LDAP_GROUP_BASE", "--ldap-group-base",
        "DN below which a user's groups are searched; a group whose spec.ldapGroup is one of their DNs gets the "
        "user as member. Empty: groups are not read.",
        ""},
       ldap_text_setter(&identity::LdapConfig::group_base_dn)},
      {{"ldap.groupFilter", "ATRIUM_LDAP_GROUP_FILTER", "--ldap-group-filter",
        "Filter for the groups of a user; %s is the user's DN, escaped.", "(member=%s)"},
       ldap_filter_setter(&identity::LdapConfig::group_filter, "the user's DN")},
      {{"ldap.displayNameAttribute", "ATRIUM_LDAP_DISPLAY_NAME_ATTRIBUTE", "--ldap-display-name-attribute",
        "Attribute copied into a provisioned user's display name; empty: none.", "cn"},
       ldap_attribute_setter(&identity::LdapConfig::display_name_attribute)},
      {{"ldap.emailAttribute", "ATRIUM_LDAP_EMAIL_ATTRIBUTE", "--ldap-email-attribute",
        "Attribute copied into a provisioned user's email; empty: none.", "mail"},
       ldap_attribute_setter(&identity::LdapConfig::email_attribute)},
      {{"ldap.timeoutSeconds", "ATRIUM_LDAP_TIMEOUT_SECONDS", "--ldap-timeout-seconds",
        "Time allowed for each LDAP network operation.", "5"},
       [](ServerConfig& c, const std::string& v) -> core::Status {
         auto n = to_int(v, 1, 300);
         if (!n) return core::fail(n.error());
         c.ldap.timeout = std::chrono::seconds(*n);
         return ok();
       }},
  };
  return e;
}

std::string default_data_dir() {
  if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x) return std::string(x) + "/atrium";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.local/share/atrium";
  return "./atrium-data";
}

core::Status walk_yaml(ServerConfig& cfg, const YAML::Node& node, const std::string& prefix,
                       const std::string& source) {
  if (!node.IsMap()) {
    return core::fail(bad(source, prefix.empty() ? "<root>" : prefix, "must be a mapping"));
  }
  for (const auto& kv : node) {
    std::string key = prefix.empty() ? kv.first.as<std::string>() : prefix + "." + kv.first.as<std::string>();
    if (kv.second.IsMap()) {
      bool is_parent = false;
      for (const auto& e : entries()) is_parent = is_parent || e.setting.key.starts_with(key + ".");
      if (!is_parent) return core::fail(bad(source, key, "unknown key"));
      if (auto s = walk_yaml(cfg, kv.second, key, source); !s) return s;
      continue;
    }
    std::string value;
    if (kv.second.IsSequence()) {
      if (key != "trustedProxies") return core::fail(bad(source, key, "must be a single value, not a list"));
      for (const auto& item : kv.second) {
        if (!item.IsScalar()) return core::fail(bad(source, key, "list items must be strings"));
        value += (value.empty() ? "" : ",") + item.as<std::string>();
      }
    } else if (kv.second.IsScalar()) {
      value = kv.second.as<std::string>();
    } else if (!kv.second.IsNull()) {
      return core::fail(bad(source, key, "unsupported value"));
    }
    if (auto s = apply_setting(cfg, key, value, source); !s) return s;
  }
  return ok();
}

}  // namespace

const std::vector<Setting>& settings() {
  static const std::vector<Setting> s = [] {
    std::vector<Setting> out;
    for (const auto& e : entries()) out.push_back(e.setting);
    return out;
  }();
  return s;
}

core::Status apply_setting(ServerConfig& cfg, const std::string& key, const std::string& value,
                           const std::string& source) {
  for (const auto& e : entries()) {
    if (e.setting.key == key) {
      auto s = e.set(cfg, value);
      if (!s) return core::fail(bad(source, key, s.error().message));
      return ok();
    }
  }
  return core::fail(bad(source, key, "unknown key"));
}

core::Status apply_yaml_text(ServerConfig& cfg, const std::string& text, const std::string& source) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return core::fail(core::ErrorCode::InvalidArgument, fmt::format("{}: invalid YAML at line {}, column {}: {}",
                                                                    source, e.mark.line + 1, e.mark.column + 1, e.msg));
  }
  if (root.IsNull()) return ok();
  try {
    return walk_yaml(cfg, root, "", source);
  } catch (const YAML::Exception& e) {
    return core::fail(core::ErrorCode::InvalidArgument, fmt::format("{}: {}", source, e.what()));
  }
}

core::Status apply_yaml_file(ServerConfig& cfg, const std::string& path) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (ec) return core::fail(core::ErrorCode::NotFound, fmt::format("config file {}: {}", path, ec.message()));
  if (size > (1 << 20)) {
    return core::fail(core::ErrorCode::InvalidArgument, fmt::format("config file {} is larger than 1 MiB", path));
  }
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return core::fail(core::ErrorCode::NotFound, fmt::format("config file {} cannot be opened", path));
  std::string text(size, '\0');
  std::size_t n = std::fread(text.data(), 1, size, f);
  std::fclose(f);
  text.resize(n);
  return apply_yaml_text(cfg, text, "config file " + path);
}

core::Status apply_environment(ServerConfig& cfg, const std::map<std::string, std::string>& env) {
  for (const auto& e : entries()) {
    auto it = env.find(e.setting.env);
    if (it == env.end()) continue;
    if (auto s = apply_setting(cfg, e.setting.key, it->second, "environment " + e.setting.env); !s) return s;
  }
  return ok();
}

core::Status finalize(ServerConfig& cfg) {
  if (cfg.data_dir.empty()) cfg.data_dir = default_data_dir();
  if (cfg.store.empty()) cfg.store = "sqlite://" + std::filesystem::absolute(cfg.data_dir).string() + "/atrium.db";
  if (cfg.secret_key_file.empty()) cfg.secret_key_file = cfg.data_dir + "/secret.key";
  if (cfg.tls_cert_file.empty() != cfg.tls_key_file.empty()) {
    return core::fail(bad("configuration", cfg.tls_cert_file.empty() ? "tls.certFile" : "tls.keyFile",
                          "tls.certFile and tls.keyFile must be given together"));
  }
  for (const auto* f : {&cfg.tls_cert_file, &cfg.tls_key_file}) {
    if (!f->empty() && !std::filesystem::is_regular_file(*f)) {
      return core::fail(bad("configuration", f == &cfg.tls_cert_file ? "tls.certFile" : "tls.keyFile",
                            fmt::format("file {} does not exist", *f)));
    }
  }
  if (cfg.public_url.empty()) {
    cfg.public_url = (cfg.tls_cert_file.empty() ? "http://" : "https://") + cfg.listen;
  }
  if (!cfg.metrics_listen.empty() && cfg.metrics_listen == cfg.listen) {
    return core::fail(bad("configuration", "metrics.listen", "must differ from listen"));
  }
  return check_ldap(cfg);
}

std::string settings_reference() {
  std::string out = "| YAML key | Environment | Flag | Default | Meaning |\n|---|---|---|---|---|\n";
  for (const auto& s : settings()) {
    out += fmt::format("| `{}` | `{}` | {} | {} | {} |\n", s.key, s.env, s.flag.empty() ? "" : "`" + s.flag + "`",
                       s.default_text.empty() ? "" : "`" + s.default_text + "`", s.description);
  }
  return out;
}

}  // namespace atrium::server
