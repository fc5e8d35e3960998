// `atrium serve` configuration: defaults, then a YAML file (--config), then ATRIUM_* environment
// variables, then flags. One table (settings()) names every key once for all three sources and for the
// reference in docs/configuration.md. Validation happens at start with a message naming the bad key.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/error.h"
#include "identity/ldap_directory.h"

namespace atrium::server {

struct ServerConfig {
  std::string listen = "127.0.0.1:8080";
  std::string data_dir;         // default: $XDG_DATA_HOME/atrium or ~/.local/share/atrium
  std::string store;            // default: sqlite://<data_dir>/atrium.db
  std::string secret_key_file;  // default: <data_dir>/secret.key
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string metrics_listen;  // separate loopback listener for /metrics; empty = on the main listener
  std::string metrics_token;   // bearer token for /metrics
  std::vector<std::string> trusted_proxies;
  std::string console_dir;  // built console; default: web/console/dist next to the binary's source tree
  std::string public_url;   // e.g. https://atrium.example.com; default http://<listen>
  std::int64_t threads = 2;
  std::int64_t max_body_bytes = 4 << 20;
  std::int64_t max_header_bytes = 16 << 10;
  std::int64_t request_timeout_seconds = 30;
  std::int64_t shutdown_timeout_seconds = 10;
  // A kubeconfig on disk registered as cluster `local` (not stored; file fields allowed); empty: none.
  std::string kubeconfig;
  std::string kubeconfig_context;  // its context; empty: current-context
  std::string log_level = "info";
  // LDAP identity provider; off while ldap.url is empty. finalize() reads ldap.bindPasswordFile into
  // ldap.bind_password, so the password is held in one place; it is a secret: never logged or echoed in errors.
  identity::LdapConfig ldap;
  std::string ldap_bind_password_file;
};

// One configuration key: its YAML path, environment variable, flag and meaning.
struct Setting {
  std::string key;   // YAML path, e.g. "tls.certFile"
  std::string env;   // "ATRIUM_TLS_CERT_FILE"
  std::string flag;  // "--tls-cert-file"; empty for secrets, which a command line would show to every user
  std::string description;
  std::string default_text;
};

const std::vector<Setting>& settings();

// Applies one value (from any source) to cfg; InvalidArgument naming `source` and the key when bad.
core::Status apply_setting(ServerConfig& cfg, const std::string& key, const std::string& value,
                           const std::string& source);

// Loads the YAML file: unknown keys, wrong types and bad values are refused naming the key.
core::Status apply_yaml_file(ServerConfig& cfg, const std::string& path);
core::Status apply_yaml_text(ServerConfig& cfg, const std::string& text, const std::string& source);
// Applies ATRIUM_* variables from `env` (name → value).
core::Status apply_environment(ServerConfig& cfg, const std::map<std::string, std::string>& env);
// Fills defaults that depend on other keys and checks the whole (listen address, TLS pair, paths, the LDAP
// settings as a set: URL with ldap.userBase, StartTLS only on ldap://, a readable ldap.caFile, one bind password).
core::Status finalize(ServerConfig& cfg);

// Markdown table of every setting (docs/configuration.md is generated from this).
std::string settings_reference();

}  // namespace atrium::server
