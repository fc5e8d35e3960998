// `atrium secrets add-key` (rotation: a new newest key) and `atrium secrets reencrypt` (re-seal every
// sealed value in the store with the newest key), run against the server's configuration.
// Sealed values inside stored documents are strings "sealed:<blob>", sealed with the context
// "<kind>/<scope>/<name>#<json path>" so a blob cannot be moved to another object or field.
#pragma once

#include <functional>
#include <string>

#include <CLI/CLI.hpp>

#include "core/json.h"
#include "crypto/keyring.h"
#include "server/config.h"

namespace atrium::server {

inline constexpr std::string_view kSealedPrefix = "sealed:";

// Re-seals every "sealed:" string in `doc` that is not sealed with the newest key. Returns how many
// values changed; an error when a value cannot be opened (wrong context or unknown key).
core::Result<int> reseal_document(core::json::value& doc, const std::string& object_context,
                                  const crypto::Keyring& keyring);

void add_secrets_commands(CLI::App& app, std::function<ServerConfig(std::string_view)> load_config);

}  // namespace atrium::server
