// Rules both store backends apply to objects: which keys and documents are accepted, the columns every object
// query selects, and the errors a user sees (NotFound, AlreadyExists, Conflict) worded the same way.
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"
#include "storage/store.h"

namespace atrium::storage {

// Longest key parts accepted, in bytes. They keep a (kind, scope, name) index entry within PostgreSQL's
// B-tree limit, so both backends accept exactly the same keys.
inline constexpr std::size_t kMaxKindBytes = 128;
inline constexpr std::size_t kMaxScopeBytes = 512;
inline constexpr std::size_t kMaxNameBytes = 1024;
inline constexpr std::size_t kMaxUidBytes = 256;

// Columns every object query selects, in this order.
inline constexpr std::string_view kObjectColumns =
    "kind, scope, name, uid, resource_version, created_at_ms, labels, data";

enum class SqlDialect { Sqlite, Postgres };

// Strict UTF-8 (no overlongs, no surrogates, at most U+10FFFF) without NUL bytes.
bool is_clean_utf8(std::string_view s);

// InvalidArgument unless kind and name are non-empty, every part is valid UTF-8 without NUL and within the
// limits above.
core::Status validate_key(std::string_view kind, std::string_view scope, std::string_view name);
// Validates an object for create/update and returns its labels normalised: "" becomes "{}"; anything but a JSON
// object of string values is InvalidArgument. uid and data must be valid UTF-8 without NUL.
core::Result<std::string> validate_object(const StoredObject& object);

core::Error not_found(std::string_view kind, std::string_view scope, std::string_view name);
core::Error already_exists(std::string_view kind, std::string_view scope, std::string_view name);
core::Error version_conflict(std::string_view kind, std::string_view scope, std::string_view name, std::int64_t stored,
                             std::int64_t expected);

}  // namespace atrium::storage
