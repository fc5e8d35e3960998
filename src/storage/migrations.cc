#include "storage/migrations.h"

#include <fmt/format.h>

#include <array>

namespace atrium::storage {
namespace {

// Keys compare byte-wise on both backends (SQLite's BINARY, PostgreSQL's "C"), so sort order is identical.
// created_at_ms/name/scope indexes serve the list queries of list_query.cc for one scope and across scopes.
constexpr std::array kSqlite = {
    Migration{1, "objects, resource version counter", R"sql(
CREATE TABLE objects (
  kind TEXT NOT NULL,
  scope TEXT NOT NULL,
  name TEXT NOT NULL,
  uid TEXT NOT NULL,
  resource_version INTEGER NOT NULL,
  created_at_ms INTEGER NOT NULL,
  labels TEXT NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (kind, scope, name)
);
CREATE INDEX objects_by_created ON objects (kind, scope, created_at_ms, name);
CREATE INDEX objects_all_by_name ON objects (kind, name, scope);
CREATE INDEX objects_all_by_created ON objects (kind, created_at_ms, name, scope);
CREATE TABLE resource_version (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL);
INSERT INTO resource_version (id, value) VALUES (1, 0);
)sql"},
};

constexpr std::array kPostgres = {
    Migration{1, "objects, resource version sequence", R"sql(
CREATE TABLE objects (
  kind TEXT COLLATE "C" NOT NULL,
  scope TEXT COLLATE "C" NOT NULL,
  name TEXT COLLATE "C" NOT NULL,
  uid TEXT NOT NULL,
  resource_version BIGINT NOT NULL,
  created_at_ms BIGINT NOT NULL,
  labels TEXT NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (kind, scope, name)
);
CREATE INDEX objects_by_created ON objects (kind, scope, created_at_ms, name);
CREATE INDEX objects_all_by_name ON objects (kind, name, scope);
CREATE INDEX objects_all_by_created ON objects (kind, created_at_ms, name, scope);
CREATE SEQUENCE resource_version_seq AS BIGINT;
)sql"},
};

}  // namespace

std::span<const Migration> sqlite_migrations() { return kSqlite; }
std::span<const Migration> postgres_migrations() { return kPostgres; }

core::Result<std::span<const Migration>> pending_migrations(std::span<const Migration> all, std::int64_t applied,
                                                            std::string_view backend) {
  std::int64_t latest = all.empty() ? 0 : all.back().version;
  if (applied > latest) {
    return core::fail(core::ErrorCode::FailedPrecondition,
                      fmt::format("the {} database has schema version {} but this Atrium knows only up to {}: "
                                  "it was written by a newer release; upgrade Atrium instead of downgrading",
                                  backend, applied, latest));
  }
  std::size_t first = 0;
  while (first < all.size() && all[first].version <= applied) ++first;
  return all.subspan(first);
}

}  // namespace atrium::storage
