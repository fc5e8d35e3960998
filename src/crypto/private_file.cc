#include "crypto/private_file.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "crypto/keyring.h"

namespace atrium::crypto {

namespace {

namespace fs = std::filesystem;
using core::ErrorCode;

std::string errno_text(int err) { return std::system_category().message(err); }

// Closes a file descriptor on scope exit.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

// mkdir -p with mode 0700 for every directory it creates.
core::Status create_private_directories(const fs::path& dir) {
  std::vector<fs::path> missing;
  for (fs::path p = dir; !p.empty(); p = p.parent_path()) {
    std::error_code ec;
    if (fs::exists(p, ec)) break;
    missing.push_back(p);
    if (p == p.parent_path()) break;
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (::mkdir(it->c_str(), 0700) != 0 && errno != EEXIST) {
      return core::fail(ErrorCode::FailedPrecondition,
                        fmt::format("cannot create directory {}: {}", it->string(), errno_text(errno)));
    }
  }
  return {};
}

core::Status fsync_directory(const fs::path& dir) {
  FileDescriptor fd(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0 || ::fsync(fd.get()) != 0) {
    return core::fail(ErrorCode::Internal,
                      fmt::format("cannot sync directory {}: {}", dir.string(), errno_text(errno)));
  }
  return {};
}

}  // namespace

core::Result<std::optional<std::string>> read_private_file(const fs::path& path, std::size_t max_bytes,
                                                           std::string_view what) {
  // O_NONBLOCK: opening a FIFO planted at the path must not hang; it is refused below as not a regular file.
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (fd.get() < 0) {
    if (errno == ENOENT) return std::optional<std::string>();
    return core::fail(ErrorCode::FailedPrecondition,
                      fmt::format("cannot open {} {}: {}", what, path.string(), errno_text(errno)));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    return core::fail(ErrorCode::FailedPrecondition,
                      fmt::format("cannot stat {} {}: {}", what, path.string(), errno_text(errno)));
  }
  if (!S_ISREG(st.st_mode)) {
    return core::fail(ErrorCode::FailedPrecondition, fmt::format("{} {} is not a regular file", what, path.string()));
  }
  if ((st.st_mode & 077) != 0) {
    return core::fail(ErrorCode::FailedPrecondition,
                      fmt::format("{} {} is accessible by group or others (mode {:04o}) but holds secrets; run: "
                                  "chmod 600 {}",
                                  what, path.string(), st.st_mode & 07777, path.string()));
  }
  if (static_cast<std::size_t>(st.st_size) > max_bytes) {
    return core::fail(ErrorCode::FailedPrecondition, fmt::format("{} {} is {} bytes, more than the {} bytes allowed",
                                                                 what, path.string(), st.st_size, max_bytes));
  }
  std::string text(static_cast<std::size_t>(st.st_size) + 1, '\0');
  std::size_t used = 0;
  for (;;) {
    ssize_t n = ::read(fd.get(), text.data() + used, text.size() - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 || used + static_cast<std::size_t>(n) > max_bytes) {
      int err = errno;
      sodium_memzero(text.data(), text.size());
      if (n < 0) {
        return core::fail(ErrorCode::FailedPrecondition,
                          fmt::format("cannot read {} {}: {}", what, path.string(), errno_text(err)));
      }
      return core::fail(ErrorCode::FailedPrecondition,
                        fmt::format("{} {} grew beyond {} bytes while reading", what, path.string(), max_bytes));
    }
    if (n == 0) break;
    used += static_cast<std::size_t>(n);
    if (used == text.size()) text.resize(std::min(text.size() * 2, max_bytes + 1));
  }
  text.resize(used);
  return std::optional<std::string>(std::move(text));
}

core::Status write_private_file(const fs::path& path, std::string_view text, WriteMode mode) {
  if (auto s = ensure_sodium(); !s) return s;
  const fs::path dir = path.parent_path();
  if (auto s = create_private_directories(dir); !s) return s;

  unsigned char raw[6];
  randombytes_buf(raw, sizeof raw);
  char hex[2 * sizeof raw + 1];
  sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
  const fs::path tmp = path.string() + ".tmp-" + hex;

  FileDescriptor fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (fd.get() < 0) {
    return core::fail(ErrorCode::FailedPrecondition,
                      fmt::format("cannot create {}: {}", tmp.string(), errno_text(errno)));
  }
  auto fail_and_remove = [&](std::string_view what) -> core::Status {
    int err = errno;
    ::unlink(tmp.c_str());
    return core::fail(ErrorCode::FailedPrecondition, fmt::format("{} {}: {}", what, tmp.string(), errno_text(err)));
  };
  // The umask may have removed bits from 0600; the owner must be able to rewrite the file later.
  if (::fchmod(fd.get(), 0600) != 0) return fail_and_remove("cannot chmod");
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd.get(), text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail_and_remove("cannot write");
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd.get()) != 0) return fail_and_remove("cannot sync");
  if (::close(fd.release()) != 0) return fail_and_remove("cannot close");

  if (mode == WriteMode::CreateNew) {
    // link() fails with EEXIST instead of replacing: two processes creating the file at once agree on one.
    if (::link(tmp.c_str(), path.c_str()) != 0) {
      int err = errno;
      ::unlink(tmp.c_str());
      if (err == EEXIST) return core::fail(ErrorCode::AlreadyExists, fmt::format("{} already exists", path.string()));
      return core::fail(ErrorCode::FailedPrecondition,
                        fmt::format("cannot create {}: {}", path.string(), errno_text(err)));
    }
    ::unlink(tmp.c_str());
  } else if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return fail_and_remove(fmt::format("cannot rename to {} from", path.string()));
  }
  return fsync_directory(dir);
}

}  // namespace atrium::crypto
