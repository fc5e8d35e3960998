// Masking of secrets for logs, CLI output and error messages: a fixed placeholder that reveals nothing about
// the secret (not its length, not a prefix). Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace atrium::crypto {

inline constexpr std::string_view kMaskedSecret = "******";

// "******" for any non-empty secret; "" for an empty one, so "not set" stays distinguishable from "set".
inline std::string mask(std::string_view secret) { return secret.empty() ? std::string() : std::string(kMaskedSecret); }

}  // namespace atrium::crypto
