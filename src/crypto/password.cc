#include "crypto/password.h"

#include <cstdlib>
#include <cstring>
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

std::string unverifiable_hash(const PasswordHashCost& cost) {
  if (!ensure_sodium()) return {};
  unsigned char salt[crypto_pwhash_argon2id_SALTBYTES];
  unsigned char digest[32];
  randombytes_buf(salt, sizeof salt);
  randombytes_buf(digest, sizeof digest);
  auto b64 = [](const unsigned char* data, std::size_t n) {
    std::string out(sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL_NO_PADDING), '\0');
    sodium_bin2base64(out.data(), out.size(), data, n, sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
    out.resize(std::strlen(out.c_str()));
    return out;
  };
  return "$argon2id$v=19$m=" + std::to_string(cost.mem_limit / 1024) + ",t=" + std::to_string(cost.ops_limit) +
         ",p=1$" + b64(salt, sizeof salt) + "$" + b64(digest, sizeof digest);
}

}  // namespace atrium::crypto
