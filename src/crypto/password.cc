#include "crypto/password.h"

#include <cstdlib>
#include <string>

#include <sodium.h>

#include "crypto/keyring.h"

namespace atrium::crypto {

PasswordHashCost PasswordHashCost::interactive() {
  return {crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE, crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE};
}

PasswordHashCost PasswordHashCost::minimum() {
  return {crypto_pwhash_argon2id_OPSLIMIT_MIN, crypto_pwhash_argon2id_MEMLIMIT_MIN};
}

core::Result<std::string> hash_password(std::string_view password, const PasswordHashCost& cost) {
  if (auto s = ensure_sodium(); !s) return core::fail(s.error());
  if (password.size() > kMaxPasswordBytes) {
    return core::fail(core::ErrorCode::InvalidArgument,
                      "the password is longer than " + std::to_string(kMaxPasswordBytes) + " bytes");
  }
  char out[crypto_pwhash_argon2id_STRBYTES];
  if (crypto_pwhash_argon2id_str(out, password.data(), password.size(), cost.ops_limit, cost.mem_limit) != 0) {
    return core::fail(core::ErrorCode::ResourceExhausted, "not enough memory to hash the password");
  }
  return std::string(out);
}

bool verify_password(std::string_view hash, std::string_view password) {
  if (!ensure_sodium()) return false;
  if (password.size() > kMaxPasswordBytes || hash.empty() || hash.size() >= crypto_pwhash_argon2id_STRBYTES) {
    return false;
  }
  std::string terminated(hash);  // libsodium reads a NUL-terminated string
  if (terminated.find('\0') != std::string::npos) return false;
  return crypto_pwhash_argon2id_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

bool needs_rehash(std::string_view hash, const PasswordHashCost& cost) {
  if (!ensure_sodium()) return true;
  if (hash.empty() || hash.size() >= crypto_pwhash_argon2id_STRBYTES) return true;
  std::string terminated(hash);
  return crypto_pwhash_argon2id_str_needs_rehash(terminated.c_str(), cost.ops_limit, cost.mem_limit) != 0;
}

}  // namespace atrium::crypto
