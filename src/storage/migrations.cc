#include "storage/migrations.h"

#include <fmt/format.h>

#include <array>

namespace atrium::storage {
namespace {

// Keys compare byte-wise on both backends (SQLite's BINARY, PostgreSQL's "C"), so sort order is identical.
// created_at_ms/name/scope indexes serve the list queries of list_query.cc for one scope and across scopes.
// Migration 2 gives the audit log a table of its own (audit_table.h) and moves the AuditEvent objects that
// earlier releases kept among the objects into it.
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
    Migration{2, "audit_events: the audit log's own indexed table", R"sql(
CREATE TABLE audit_events (
  id TEXT NOT NULL PRIMARY KEY,
  time_ms INTEGER NOT NULL,
  user_name TEXT NOT NULL,
  verb TEXT NOT NULL,
  resource TEXT NOT NULL,
  outcome TEXT NOT NULL,
  workspace TEXT NOT NULL,
  project TEXT NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX audit_by_time ON audit_events (time_ms, id);
CREATE INDEX audit_by_user ON audit_events (user_name, time_ms, id);
CREATE INDEX audit_by_verb ON audit_events (verb, time_ms, id);
CREATE INDEX audit_by_resource ON audit_events (resource, time_ms, id);
CREATE INDEX audit_by_outcome ON audit_events (outcome, time_ms, id);
CREATE INDEX audit_by_workspace ON audit_events (workspace, time_ms, id);
CREATE INDEX audit_by_project ON audit_events (project, time_ms, id);
INSERT INTO audit_events (id, time_ms, user_name, verb, resource, outcome, workspace, project, data)
  SELECT name, created_at_ms, coalesce(json_extract(data, '$.user'), ''), coalesce(json_extract(data, '$.verb'), ''),
         coalesce(json_extract(data, '$.resource'), ''), coalesce(json_extract(data, '$.outcome'), ''),
         coalesce(json_extract(data, '$.scope.workspace'), ''), coalesce(json_extract(data, '$.scope.project'), ''),
         data
  FROM objects WHERE kind = 'AuditEvent' AND json_valid(data);
DELETE FROM objects WHERE kind = 'AuditEvent';
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
    Migration{2, "audit_events: the audit log's own indexed table", R"sql(
CREATE TABLE audit_events (
  id TEXT COLLATE "C" NOT NULL PRIMARY KEY,
  time_ms BIGINT NOT NULL,
  user_name TEXT COLLATE "C" NOT NULL,
  verb TEXT COLLATE "C" NOT NULL,
  resource TEXT COLLATE "C" NOT NULL,
  outcome TEXT COLLATE "C" NOT NULL,
  workspace TEXT COLLATE "C" NOT NULL,
  project TEXT COLLATE "C" NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX audit_by_time ON audit_events (time_ms, id);
CREATE INDEX audit_by_user ON audit_events (user_name, time_ms, id);
CREATE INDEX audit_by_verb ON audit_events (verb, time_ms, id);
CREATE INDEX audit_by_resource ON audit_events (resource, time_ms, id);
CREATE INDEX audit_by_outcome ON audit_events (outcome, time_ms, id);
CREATE INDEX audit_by_workspace ON audit_events (workspace, time_ms, id);
CREATE INDEX audit_by_project ON audit_events (project, time_ms, id);
INSERT INTO audit_events (id, time_ms, user_name, verb, resource, outcome, workspace, project, data)
  SELECT name, created_at_ms, coalesce(data::json->>'user', ''), coalesce(data::json->>'verb', ''),
         coalesce(data::json->>'resource', ''), coalesce(data::json->>'outcome', ''),
         coalesce(data::json->'scope'->>'workspace', ''), coalesce(data::json->'scope'->>'project', ''), data
  FROM objects WHERE kind = 'AuditEvent';
DELETE FROM objects WHERE kind = 'AuditEvent';
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
