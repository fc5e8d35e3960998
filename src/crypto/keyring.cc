#include "crypto/keyring.h"

#include <sodium.h>

#include <algorithm>
#include <array>

#include <fmt/format.h>

namespace atrium::crypto {

namespace {

constexpr std::string_view kVersion = "v1";
constexpr std::size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;
constexpr int kBase64Variant = sodium_base64_VARIANT_ORIGINAL;
constexpr std::size_t kMaxPayloadBytes = kNonceBytes + kMaxPlaintextBytes + kTagBytes;
// "v1:" + id + ":" + base64(payload); anything longer cannot come from seal().
constexpr std::size_t kMaxBlobBytes =
    kVersion.size() + 2 + kMaxKeyIdLength + sodium_base64_ENCODED_LEN(kMaxPayloadBytes, kBase64Variant);

static_assert(kKeyBytes == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);

bool valid_key_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxKeyIdLength) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

// Associated data: version and key id (so a blob cannot be relabelled) and the caller's context. The id
// cannot contain ':', so the encoding is unambiguous.
std::string associated_data(std::string_view id, std::string_view context) {
  std::string ad;
  ad.reserve(kVersion.size() + id.size() + context.size() + 2);
  ad.append(kVersion).append(":").append(id).append(":").append(context);
  return ad;
}

struct ParsedBlob {
  std::string_view id;
  std::string_view payload_base64;
};

// Splits "v1:<id>:<payload>" without decoding the payload.
core::Result<ParsedBlob> split_blob(std::string_view blob) {
  if (blob.empty()) return core::fail(core::ErrorCode::InvalidArgument, "sealed secret is empty");
  if (blob.size() > kMaxBlobBytes) {
    return core::fail(
        core::ErrorCode::InvalidArgument,
        fmt::format("sealed secret of {} bytes exceeds the limit of {} bytes", blob.size(), kMaxBlobBytes));
  }
  if (blob.size() < kVersion.size() + 1 || blob.substr(0, kVersion.size()) != kVersion ||
      blob[kVersion.size()] != ':') {
    return core::fail(core::ErrorCode::InvalidArgument, "sealed secret is not in a known format (expected \"v1:\")");
  }
  std::string_view rest = blob.substr(kVersion.size() + 1);
  auto colon = rest.find(':');
  if (colon == std::string_view::npos) {
    return core::fail(core::ErrorCode::InvalidArgument, "sealed secret has no key id");
  }
  ParsedBlob parsed{rest.substr(0, colon), rest.substr(colon + 1)};
  if (!valid_key_id(parsed.id)) {
    return core::fail(core::ErrorCode::InvalidArgument, "sealed secret has a malformed key id");
  }
  return parsed;
}

}  // namespace

core::Status ensure_sodium() {
  // sodium_init is itself idempotent and thread-safe; the static makes later calls a load.
  static const int rc = sodium_init();
  if (rc < 0) return core::fail(core::ErrorCode::Internal, "libsodium failed to initialise (no randomness source?)");
  return {};
}

void generate_key(std::span<unsigned char, kKeyBytes> key) {
  if (!ensure_sodium()) std::abort();  // randombytes without a working source would be a silent disaster
  crypto_aead_xchacha20poly1305_ietf_keygen(key.data());
}

std::string generate_key_id(const Keyring& keyring) {
  if (!ensure_sodium()) std::abort();
  const auto existing = keyring.ids();
  for (;;) {
    unsigned char raw[4];
    randombytes_buf(raw, sizeof raw);
    char hex[2 * sizeof raw + 1];
    sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
    std::string id(hex);
    if (std::find(existing.begin(), existing.end(), id) == existing.end()) return id;
  }
}

struct Keyring::Key {
  std::string id;
  std::array<unsigned char, kKeyBytes> bytes{};

  Key(std::string_view i, std::span<const unsigned char, kKeyBytes> k) : id(i) {
    std::copy(k.begin(), k.end(), bytes.begin());
  }
  Key(Key&& other) noexcept : id(std::move(other.id)), bytes(other.bytes) { other.wipe(); }
  Key& operator=(Key&& other) noexcept {
    if (this != &other) {
      id = std::move(other.id);
      bytes = other.bytes;
      other.wipe();
    }
    return *this;
  }
  Key(const Key&) = delete;
  Key& operator=(const Key&) = delete;
  ~Key() { wipe(); }
  void wipe() { sodium_memzero(bytes.data(), bytes.size()); }
};

Keyring::Keyring() = default;
Keyring::~Keyring() = default;
Keyring::Keyring(Keyring&&) noexcept = default;
Keyring& Keyring::operator=(Keyring&&) noexcept = default;

bool Keyring::empty() const { return keys_.empty(); }
std::size_t Keyring::size() const { return keys_.size(); }

core::Status Keyring::append(std::string_view id, std::span<const unsigned char, kKeyBytes> key) {
  if (!valid_key_id(id)) {
    return core::fail(core::ErrorCode::InvalidArgument,
                      fmt::format("key id must be 1 to {} characters of [A-Za-z0-9_-]", kMaxKeyIdLength));
  }
  if (find(id) != nullptr) {
    return core::fail(core::ErrorCode::InvalidArgument, fmt::format("duplicate key id \"{}\"", id));
  }
  keys_.emplace_back(id, key);
  return {};
}

std::string Keyring::newest_id() const { return keys_.empty() ? std::string() : keys_.back().id; }

std::vector<std::string> Keyring::ids() const {
  std::vector<std::string> out;
  out.reserve(keys_.size());
  for (const auto& k : keys_) out.push_back(k.id);
  return out;
}

const Keyring::Key* Keyring::find(std::string_view id) const {
  for (const auto& k : keys_) {
    if (k.id == id) return &k;
  }
  return nullptr;
}

core::Result<std::string> Keyring::seal(std::string_view plaintext, std::string_view context) const {
  if (auto s = ensure_sodium(); !s) return tl::unexpected(s.error());
  if (keys_.empty()) return core::fail(core::ErrorCode::FailedPrecondition, "keyring has no keys");
  if (plaintext.size() > kMaxPlaintextBytes) {
    return core::fail(core::ErrorCode::InvalidArgument, fmt::format("secret of {} bytes exceeds the limit of {} bytes",
                                                                    plaintext.size(), kMaxPlaintextBytes));
  }
  const Key& key = keys_.back();
  const std::string ad = associated_data(key.id, context);

  std::string payload(kNonceBytes + plaintext.size() + kTagBytes, '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(payload.data());
  randombytes_buf(nonce, kNonceBytes);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      nonce + kNonceBytes, &written, reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
      reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nullptr, nonce, key.bytes.data());

  std::string encoded(sodium_base64_ENCODED_LEN(payload.size(), kBase64Variant), '\0');
  sodium_bin2base64(encoded.data(), encoded.size(), nonce, payload.size(), kBase64Variant);
  encoded.pop_back();  // the terminating NUL written by sodium_bin2base64

  std::string blob;
  blob.reserve(kVersion.size() + key.id.size() + encoded.size() + 2);
  blob.append(kVersion).append(":").append(key.id).append(":").append(encoded);
  return blob;
}

core::Result<std::string> Keyring::open(std::string_view blob, std::string_view context) const {
  auto parsed = split_blob(blob);
  if (!parsed) return tl::unexpected(parsed.error());
  if (auto s = ensure_sodium(); !s) return tl::unexpected(s.error());

  std::string payload(parsed->payload_base64.size() / 4 * 3 + 3, '\0');
  std::size_t payload_len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(payload.data()), payload.size(), parsed->payload_base64.data(),
                        parsed->payload_base64.size(), nullptr, &payload_len, &end, kBase64Variant) != 0 ||
      end != parsed->payload_base64.data() + parsed->payload_base64.size()) {
    return core::fail(core::ErrorCode::InvalidArgument, "sealed secret is not valid base64");
  }
  if (payload_len < kNonceBytes + kTagBytes) {
    return core::fail(core::ErrorCode::InvalidArgument, "sealed secret is truncated");
  }
  const Key* key = find(parsed->id);
  if (key == nullptr) {
    return core::fail(core::ErrorCode::FailedPrecondition,
                      fmt::format("secret was sealed with key \"{}\", which is not in the keyring", parsed->id));
  }
  const std::string ad = associated_data(key->id, context);
  const auto* nonce = reinterpret_cast<const unsigned char*>(payload.data());
  std::string plaintext(payload_len - kNonceBytes - kTagBytes, '\0');
  unsigned long long plain_len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(reinterpret_cast<unsigned char*>(plaintext.data()), &plain_len,
                                                 nullptr, nonce + kNonceBytes, payload_len - kNonceBytes,
                                                 reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nonce,
                                                 key->bytes.data()) != 0) {
    return core::fail(core::ErrorCode::PermissionDenied,
                      fmt::format("sealed secret does not authenticate for \"{}\" with key \"{}\": it was tampered "
                                  "with or belongs to another object",
                                  context, key->id));
  }
  plaintext.resize(plain_len);
  return plaintext;
}

bool Keyring::needs_rotation(std::string_view blob) const {
  auto parsed = split_blob(blob);
  return !parsed || keys_.empty() || parsed->id != keys_.back().id;
}

core::Result<std::string> Keyring::reseal(std::string_view blob, std::string_view context) const {
  auto plaintext = open(blob, context);
  if (!plaintext) return tl::unexpected(plaintext.error());
  auto sealed = seal(*plaintext, context);
  sodium_memzero(plaintext->data(), plaintext->size());
  return sealed;
}

}  // namespace atrium::crypto
