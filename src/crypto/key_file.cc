#include "crypto/key_file.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/file.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <string>
#include <system_error>
#include <utility>

#include <fmt/format.h>

#include "crypto/private_file.h"

namespace atrium::crypto {

namespace {

namespace fs = std::filesystem;
using core::ErrorCode;

constexpr std::string_view kFileHeader =
    "# Atrium secret encryption keys: \"<id> <base64 32-byte key>\", newest last.\n"
    "# Never remove a key while stored secrets may still be sealed with it. Keep this file mode 0600.\n";

std::string key_line(const Keyring& existing) {
  std::array<unsigned char, kKeyBytes> key{};
  generate_key(key);
  char encoded[sodium_base64_ENCODED_LEN(kKeyBytes, sodium_base64_VARIANT_ORIGINAL)];
  sodium_bin2base64(encoded, sizeof encoded, key.data(), key.size(), sodium_base64_VARIANT_ORIGINAL);
  sodium_memzero(key.data(), key.size());
  std::string line = generate_key_id(existing) + " " + encoded + "\n";
  sodium_memzero(encoded, sizeof encoded);
  return line;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string errno_text(int err) { return std::system_category().message(err); }

// Wipes a string holding key material on scope exit.
class WipeOnExit {
 public:
  explicit WipeOnExit(std::string& s) : s_(s) {}
  ~WipeOnExit() { sodium_memzero(s_.data(), s_.size()); }
  WipeOnExit(const WipeOnExit&) = delete;
  WipeOnExit& operator=(const WipeOnExit&) = delete;

 private:
  std::string& s_;
};

// Holds an exclusive flock on "<path>.lock" for its lifetime.
class RotationLock {
 public:
  static core::Result<RotationLock> acquire(const fs::path& path) {
    const std::string lock_path = path.string() + ".lock";
    int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
      return core::fail(ErrorCode::FailedPrecondition,
                        fmt::format("cannot open lock file {}: {}", lock_path, errno_text(errno)));
    }
    while (::flock(fd, LOCK_EX) != 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return core::fail(ErrorCode::FailedPrecondition, fmt::format("cannot lock {}: {}", lock_path, errno_text(err)));
    }
    return RotationLock(fd);
  }
  RotationLock(RotationLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  RotationLock& operator=(RotationLock&&) = delete;
  RotationLock(const RotationLock&) = delete;
  ~RotationLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the flock
  }

 private:
  explicit RotationLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace

core::Result<Keyring> parse_keyring(std::string_view text, std::string_view source) {
  if (auto s = ensure_sodium(); !s) return tl::unexpected(s.error());
  Keyring keyring;
  std::size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    auto nl = text.find('\n');
    std::string_view line = trim(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (line.empty() || line.front() == '#') continue;

    auto bad = [&](std::string_view why) {
      return core::fail(ErrorCode::FailedPrecondition, fmt::format("{}:{}: {}", source, line_no, why));
    };
    auto sep = line.find_first_of(" \t");
    if (sep == std::string_view::npos) return bad("expected \"<key id> <base64 key>\"");
    std::string_view id = line.substr(0, sep);
    std::string_view key_text = trim(line.substr(sep + 1));
    if (key_text.find_first_of(" \t") != std::string_view::npos) return bad("expected \"<key id> <base64 key>\"");

    std::array<unsigned char, kKeyBytes + 1> key{};
    std::size_t key_len = 0;
    const char* end = nullptr;
    int rc = sodium_base642bin(key.data(), key.size(), key_text.data(), key_text.size(), nullptr, &key_len, &end,
                               sodium_base64_VARIANT_ORIGINAL);
    bool ok = rc == 0 && end == key_text.data() + key_text.size() && key_len == kKeyBytes;
    core::Status appended;
    if (ok) appended = keyring.append(id, std::span<const unsigned char, kKeyBytes>(key.data(), kKeyBytes));
    sodium_memzero(key.data(), key.size());
    if (!ok) return bad(fmt::format("key must be {} bytes in base64", kKeyBytes));
    if (!appended) return bad(appended.error().message);
  }
  if (keyring.empty()) {
    return core::fail(ErrorCode::FailedPrecondition, fmt::format("{}: contains no keys", source));
  }
  return keyring;
}

core::Result<Keyring> load_keyring(const fs::path& path) {
  auto text = read_private_file(path, kMaxKeyFileBytes, "key file");
  if (!text) return tl::unexpected(text.error());
  if (!*text) return core::fail(ErrorCode::NotFound, fmt::format("key file {} does not exist", path.string()));
  WipeOnExit wipe(**text);
  return parse_keyring(**text, path.string());
}

core::Result<Keyring> load_or_create_keyring(const fs::path& path) {
  if (auto s = ensure_sodium(); !s) return tl::unexpected(s.error());
  auto loaded = load_keyring(path);
  if (loaded || loaded.error().code != ErrorCode::NotFound) return loaded;

  std::string text(kFileHeader);
  text += key_line(Keyring());
  WipeOnExit wipe(text);
  auto written = write_private_file(path, text, WriteMode::CreateNew);
  if (!written && written.error().code == ErrorCode::AlreadyExists) return load_keyring(path);  // lost a race
  if (!written) return tl::unexpected(written.error());
  return load_keyring(path);
}

core::Result<Keyring> add_key(const fs::path& path) {
  if (auto s = ensure_sodium(); !s) return tl::unexpected(s.error());
  auto lock = RotationLock::acquire(path);
  if (!lock) return tl::unexpected(lock.error());

  auto current = read_private_file(path, kMaxKeyFileBytes, "key file");
  if (!current) return tl::unexpected(current.error());
  std::string text = *current ? std::move(**current) : std::string(kFileHeader);
  WipeOnExit wipe(text);
  Keyring existing;
  if (*current) {
    auto parsed = parse_keyring(text, path.string());
    if (!parsed) return tl::unexpected(parsed.error());
    existing = std::move(*parsed);
  }
  if (!text.empty() && text.back() != '\n') text += '\n';
  std::string line = key_line(existing);
  text += line;
  sodium_memzero(line.data(), line.size());
  if (text.size() > kMaxKeyFileBytes) {
    return core::fail(
        ErrorCode::ResourceExhausted,
        fmt::format("key file {} would exceed {} bytes; remove retired keys first", path.string(), kMaxKeyFileBytes));
  }
  auto written = write_private_file(path, text, WriteMode::Replace);
  if (!written) return tl::unexpected(written.error());
  return load_keyring(path);
}

}  // namespace atrium::crypto
