// Random opaque tokens and their SHA-256 digests (session cookies, API tokens): tokens come from the system
// CSPRNG, only digests are stored, and digests are compared in constant time. Free functions; thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace atrium::crypto {

// Bytes of randomness in a token: 256 bits, so guessing is hopeless and digests need no salt.
inline constexpr std::size_t kTokenBytes = 32;

// `bytes` random bytes as unpadded base64url (43 characters for 32 bytes), safe in headers and cookies.
std::string random_token(std::size_t bytes = kTokenBytes);

// Lowercase hex SHA-256 of `data` (64 characters).
std::string sha256_hex(std::string_view data);

// True when a and b are equal; the time taken depends only on their lengths.
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace atrium::crypto
