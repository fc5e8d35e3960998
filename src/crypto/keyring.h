// Encryption of secrets at rest: a Keyring of 32-byte keys (the newest seals, all open) turning plaintext into
// an opaque, versioned text blob and back. A Keyring is built once (key_file.h) and then shared read-only:
// every const method is thread-safe. Key bytes are wiped from memory when the Keyring is destroyed.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace atrium::crypto {

inline constexpr std::size_t kKeyBytes = 32;
// Largest plaintext seal() accepts; secrets are passwords, tokens, kubeconfigs, not bulk data.
inline constexpr std::size_t kMaxPlaintextBytes = 1024 * 1024;
// Key ids: 1 to 32 characters of [A-Za-z0-9_-] (never ':', the blob separator). Generated ids are 8 hex chars.
inline constexpr std::size_t kMaxKeyIdLength = 32;

// Blob format: "v1:<key id>:<base64(nonce | ciphertext+tag)>" (standard base64 with padding).
//
// Cipher: XChaCha20-Poly1305 (IETF AEAD) rather than crypto_secretbox. The caller's `context` (e.g.
// "User/alice/password") is bound as associated data together with the version and key id, so a blob copied
// from one object's field into another's, or relabelled with another key id, fails authentication instead of
// decrypting. The 192-bit random nonce makes random nonces safe for any realistic number of seals per key.
class Keyring {
 public:
  Keyring();
  ~Keyring();
  Keyring(Keyring&&) noexcept;
  Keyring& operator=(Keyring&&) noexcept;
  Keyring(const Keyring&) = delete;
  Keyring& operator=(const Keyring&) = delete;

  // Appends a key; the last appended key is the newest. InvalidArgument for a malformed or duplicate id.
  // Not thread-safe: build the keyring before sharing it.
  core::Status append(std::string_view id, std::span<const unsigned char, kKeyBytes> key);

  bool empty() const;
  std::size_t size() const;
  // Id of the newest key; empty when the keyring is empty.
  std::string newest_id() const;
  std::vector<std::string> ids() const;

  // Encrypts `plaintext` with the newest key, bound to `context`. FailedPrecondition when the keyring is
  // empty, InvalidArgument when the plaintext exceeds kMaxPlaintextBytes.
  core::Result<std::string> seal(std::string_view plaintext, std::string_view context) const;

  // Decrypts a blob produced by seal() with the same `context`. Never trusts the blob:
  //   InvalidArgument     - not a well-formed v1 blob (wrong prefix, bad base64, too short, too long);
  //   FailedPrecondition  - sealed with a key id this keyring does not hold (key file lost a key?);
  //   PermissionDenied    - authentication failed: tampered, sealed for another context, or a different key
  //                         under the same id.
  // Messages name the key id and the context but never include blob or plaintext bytes.
  core::Result<std::string> open(std::string_view blob, std::string_view context) const;

  // True unless `blob` names the newest key (malformed blobs also answer true; reseal() then reports why).
  bool needs_rotation(std::string_view blob) const;

  // open() with any key, then seal() with the newest key (always a fresh nonce). Same errors as open().
  core::Result<std::string> reseal(std::string_view blob, std::string_view context) const;

 private:
  struct Key;
  const Key* find(std::string_view id) const;

  std::vector<Key> keys_;
};

// Generates a fresh random 8-hex-character key id that does not collide with one already in `keyring`.
std::string generate_key_id(const Keyring& keyring);

// Fills `key` with random bytes from the system CSPRNG.
void generate_key(std::span<unsigned char, kKeyBytes> key);

// Initialises libsodium once per process; thread-safe and cheap after the first call. Internal on failure
// (no usable randomness source).
core::Status ensure_sodium();

}  // namespace atrium::crypto
