// Files that hold secrets (the server's key file, the CLI's token file): read only when no one but the owner
// can read or write them, written atomically with mode 0600. Free functions; thread-safe (they touch only the
// file system; concurrent writers of one path each leave a complete file, the last rename wins).
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"

namespace atrium::crypto {

// Reads `path`; nullopt when it does not exist. FailedPrecondition, naming the file and saying how to fix it,
// when it is accessible by group or others, is not a regular file, is larger than `max_bytes`, or cannot be
// read. `what` names the file in messages ("key file", "config file").
core::Result<std::optional<std::string>> read_private_file(const std::filesystem::path& path, std::size_t max_bytes,
                                                           std::string_view what);

enum class WriteMode {
  CreateNew,  // AlreadyExists when `path` exists (also when another process created it meanwhile)
  Replace,    // atomically replaces any existing file
};

// Writes `text` to a fresh 0600 temporary file beside `path` (O_EXCL), fsyncs it, moves it into place (link for
// CreateNew, rename for Replace) and fsyncs the directory. Missing parent directories are created with mode
// 0700. A reader never sees a partial file.
core::Status write_private_file(const std::filesystem::path& path, std::string_view text, WriteMode mode);

}  // namespace atrium::crypto
