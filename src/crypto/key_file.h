// The key file behind a Keyring: text lines "<id> <base64 key>", newest last, '#' comments, mode 0600.
// Created atomically on first start; rotated by add_key(). Free functions; safe to call from any thread, and
// add_key() serialises concurrent rotations of one file across processes with an flock on "<path>.lock".
#pragma once

#include <filesystem>
#include <string_view>

#include "core/error.h"
#include "crypto/keyring.h"

namespace atrium::crypto {

// Largest key file accepted (a few thousand keys); anything bigger is not a key file.
inline constexpr std::size_t kMaxKeyFileBytes = 256 * 1024;

// Loads the keyring at `path`. When the file does not exist, creates it (and missing parent directories,
// mode 0700) holding one fresh key, mode 0600, written to a temporary file, fsync'ed and linked into place so
// two processes starting at once end up with the same key. FailedPrecondition, naming the file, when it is
// readable or writable by group or others, not a regular file, too large, or malformed (with its line number).
core::Result<Keyring> load_or_create_keyring(const std::filesystem::path& path);

// Like load_or_create_keyring but NotFound when the file is missing.
core::Result<Keyring> load_keyring(const std::filesystem::path& path);

// Rotation: generates a new key and appends it as the newest (keeping existing lines and comments), replacing
// the file atomically. Creates the file when missing. Returns the resulting keyring; running processes see the
// new key once they reload the file.
core::Result<Keyring> add_key(const std::filesystem::path& path);

// Parses key file text; `source` names the file in messages ("<source>:<line>: ..."). Never echoes key bytes.
core::Result<Keyring> parse_keyring(std::string_view text, std::string_view source);

}  // namespace atrium::crypto
