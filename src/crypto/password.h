// Password hashing with argon2id (libsodium crypto_pwhash_str): the PHC-format hash string carries its own
// salt and parameters, so a cost change later only affects new hashes (see needs_rehash). Free functions;
// thread-safe. Hashing is deliberately slow and memory-hungry: callers run it off their I/O threads.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/error.h"

namespace atrium::crypto {

// Longest password accepted for hashing; bounds the work an attacker can ask for.
inline constexpr std::size_t kMaxPasswordBytes = 1024;

// argon2id work factors.
//
// interactive(): libsodium's OPSLIMIT_INTERACTIVE (2 passes) and MEMLIMIT_INTERACTIVE (64 MiB), about 50-100 ms
// on one core here. Logins are interactive, run on a bounded pool of one or two threads (64-128 MiB peak), and are
// also throttled per user and address, so the per-guess cost for an offline attacker (64 MiB x 2 passes per
// guess, GPU-hostile) matters more than a higher opslimit. MODERATE (256 MiB, 3 passes, ~0.7 s) would make two
// concurrent logins cost half a gigabyte and a second each.
// minimum(): libsodium's minimums; for tests only, never for stored credentials of a running server.
struct PasswordHashCost {
  unsigned long long ops_limit = 0;
  std::size_t mem_limit = 0;

  static PasswordHashCost interactive();
  static PasswordHashCost minimum();
};

// The argon2id hash string ("$argon2id$v=19$m=...,t=...,p=1$salt$hash"). InvalidArgument when the password is
// longer than kMaxPasswordBytes; ResourceExhausted when memory for hashing cannot be had.
core::Result<std::string> hash_password(std::string_view password, const PasswordHashCost& cost);

// True when `password` matches `hash`. A malformed hash answers false (never throws, never crashes).
// Passwords longer than kMaxPasswordBytes answer false without hashing.
bool verify_password(std::string_view hash, std::string_view password);

// True when `hash` was made with other parameters than `cost` (rehash at the next successful login).
bool needs_rehash(std::string_view hash, const PasswordHashCost& cost);

// A well-formed argon2id hash with `cost`'s parameters, a random salt and a random digest, made without hashing:
// verifying any password against it costs exactly what a real verification costs and fails. Used in place of
// a missing user's hash, so that unknown users and wrong passwords take the same time, without paying a hash
// at start-up.
std::string unverifiable_hash(const PasswordHashCost& cost);

}  // namespace atrium::crypto
