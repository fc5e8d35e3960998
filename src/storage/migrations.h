// The versioned schema of each backend. Migrations are applied in order at open, each recorded in a
// `schema_migrations` table, under a lock (PostgreSQL advisory lock, SQLite exclusive transaction) so that
// replicas may start together. Immutable data and pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "core/error.h"

namespace atrium::storage {

struct Migration {
  std::int64_t version;          // 1, 2, 3... without gaps
  std::string_view description;  // recorded with the version
  std::string_view sql;          // one or more statements, run in one transaction with the record
};

std::span<const Migration> sqlite_migrations();
std::span<const Migration> postgres_migrations();

// Given the highest applied version, returns the migrations still to apply (possibly none), or
// FailedPrecondition when the database was written by a newer Atrium than this binary.
core::Result<std::span<const Migration>> pending_migrations(std::span<const Migration> all, std::int64_t applied,
                                                            std::string_view backend);

}  // namespace atrium::storage
