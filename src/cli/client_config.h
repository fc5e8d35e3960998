// The CLI's per-user settings (server URL, bearer token, TLS options) in a small JSON file, by default
// ~/.config/atrium/config, kept mode 0600 in a 0700 directory because it holds the token.
// Value type and free functions; thread-safe (file writes are atomic renames).
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "core/json.h"

namespace atrium::cli {

// Looks up an environment variable; injected so tests do not depend on the process environment.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;
// Reads the real process environment (std::getenv).
EnvLookup process_env();

// File format: {"server": "https://atrium.example.com", "token": "...", "caFile": "/path/ca.pem",
//               "insecureSkipTlsVerify": false}. Unknown keys are ignored (newer CLIs may add some);
// known keys with the wrong type are errors.
struct ClientConfig {
  std::string server;
  std::string token;
  std::string ca_file;
  bool insecure_skip_tls_verify = false;

  bool operator==(const ClientConfig&) const = default;
};

inline constexpr std::size_t kMaxConfigBytes = 64 * 1024;

// $ATRIUM_CONFIG if set; else $XDG_CONFIG_HOME/atrium/config; else $HOME/.config/atrium/config.
// FailedPrecondition when none of these variables is set.
core::Result<std::filesystem::path> client_config_path(const EnvLookup& env);

// Loads the config; a missing file is an empty config (first use). FailedPrecondition naming the file when it is
// readable by group or others, not a regular file or too large; InvalidArgument naming the file for malformed
// JSON or a field of the wrong type.
core::Result<ClientConfig> load_client_config(const std::filesystem::path& path);

// Writes the config atomically with mode 0600, creating missing directories with mode 0700.
core::Status save_client_config(const std::filesystem::path& path, const ClientConfig& config);

// The config as a JSON object (token included; mask it before showing it).
core::json::object to_json(const ClientConfig& config);
core::Result<ClientConfig> client_config_from_json(const core::json::value& v);

// Checks a server URL: http:// or https:// with a host, no user info, query or fragment; trailing '/' removed.
core::Result<std::string> normalize_server_url(std::string_view url);

}  // namespace atrium::cli
