#include "storage/sqlite_store.h"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdint>
#include <functional>
#include <random>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>

#include "storage/audit_table.h"
#include "storage/connection_pool.h"
#include "storage/list_query.h"
#include "storage/migrations.h"
#include "storage/object_rules.h"

namespace atrium::storage {
namespace {

core::Error sqlite_error(sqlite3* db, int rc, std::string_view what) {
  std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  core::ErrorCode code = core::ErrorCode::Internal;
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      code = core::ErrorCode::Unavailable;
      detail += " (another writer kept the database locked for longer than the busy timeout)";
      break;
    case SQLITE_FULL:
      code = core::ErrorCode::ResourceExhausted;
      break;
    case SQLITE_CANTOPEN:
    case SQLITE_NOTADB:
    case SQLITE_IOERR:
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_CORRUPT:
      code = core::ErrorCode::Unavailable;
      break;
    default:
      break;
  }
  return core::Error(code, fmt::format("SQLite: {}: {}", what, detail));
}

// A cached prepared statement in use; resets it (keeping it cached) when it goes out of scope.
class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(Statement&& other) noexcept : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)) {}
  Statement& operator=(Statement&&) = delete;
  ~Statement() {
    if (stmt_ != nullptr) {
      sqlite3_reset(stmt_);
      sqlite3_clear_bindings(stmt_);
    }
  }

  void bind(int index, std::string_view text) {
    sqlite3_bind_text64(stmt_, index, text.empty() ? "" : text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
  }
  void bind(int index, std::int64_t value) { sqlite3_bind_int64(stmt_, index, value); }

  // SQLITE_ROW, SQLITE_DONE or an error code.
  int step() { return sqlite3_step(stmt_); }
  core::Error error(int rc, std::string_view what) const { return sqlite_error(db_, rc, what); }

  std::string text(int column) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    if (p == nullptr) return {};
    return std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
  }
  std::string_view text_view(int column) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    if (p == nullptr) return {};
    return std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
  }
  std::int64_t int64(int column) const { return sqlite3_column_int64(stmt_, column); }

  // Reads the kObjectColumns of the current row.
  StoredObject object() const {
    StoredObject o;
    o.kind = text(0);
    o.scope = text(1);
    o.name = text(2);
    o.uid = text(3);
    o.resource_version = int64(4);
    o.created_at_ms = int64(5);
    o.labels = text(6);
    o.data = text(7);
    return o;
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

class SqliteStore::Connection {
 public:
  enum class Role { Writer, Reader };

  static core::Result<std::unique_ptr<Connection>> open(const std::string& path, const Options& options, Role role) {
    sqlite3* db = nullptr;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (role == Role::Writer ? SQLITE_OPEN_CREATE : 0);
    int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
    auto connection = std::unique_ptr<Connection>(new Connection(db));  // owns db even when open failed
    if (rc != SQLITE_OK) return core::fail(sqlite_error(db, rc, fmt::format("cannot open database {}", path)));
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, static_cast<int>(std::min<std::int64_t>(options.busy_timeout.count(), INT_MAX)));
    if (role == Role::Writer) {
      // WAL is a property of the file; switching it needs a moment of exclusive access. The busy handler waits for
      // most locks, but where waiting could deadlock (two connections opening a fresh file, each holding a shared
      // lock and wanting it exclusive) SQLite answers SQLITE_BUSY at once; that is retried here, jittered, within
      // the same busy timeout.
      const auto deadline = std::chrono::steady_clock::now() + options.busy_timeout;
      std::minstd_rand jitter(static_cast<std::uint_fast32_t>(reinterpret_cast<std::uintptr_t>(db)));
      while (true) {
        int wal = sqlite3_exec(db, "PRAGMA journal_mode = WAL", nullptr, nullptr, nullptr);
        if (wal == SQLITE_OK) break;
        if ((wal & 0xff) != SQLITE_BUSY || std::chrono::steady_clock::now() >= deadline) {
          return core::fail(sqlite_error(db, wal, "enable WAL"));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1 + jitter() % 20));
      }
    } else {
      if (auto s = connection->exec("PRAGMA query_only = ON", "configure reader"); !s) return core::fail(s.error());
    }
    if (auto s = connection->exec("PRAGMA synchronous = NORMAL", "configure"); !s) return core::fail(s.error());
    return connection;
  }

  ~Connection() {
    for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // The cached statement for `sql`, prepared on first use.
  core::Result<Statement> prepare(std::string_view sql) {
    auto it = statements_.find(sql);
    if (it == statements_.end()) {
      sqlite3_stmt* stmt = nullptr;
      int rc =
          sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
      if (rc != SQLITE_OK) return core::fail(sqlite_error(db_, rc, "prepare statement"));
      it = statements_.emplace(std::string(sql), stmt).first;
    }
    return Statement(db_, it->second);
  }

  // Runs SQL text (possibly several statements) without caching.
  core::Status exec(const std::string& sql, std::string_view what) {
    int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return core::fail(sqlite_error(db_, rc, what));
    return {};
  }

  bool in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }

 private:
  explicit Connection(sqlite3* db) : db_(db) {}

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*, StringHash, std::equal_to<>> statements_;
};

namespace {

using Connection = SqliteStore::Connection;

// Runs `sql` (one statement expecting one integer row) and returns the integer.
core::Result<std::int64_t> query_int(Connection& c, std::string_view sql, std::string_view what) {
  auto st = c.prepare(sql);
  if (!st) return core::fail(st.error());
  int rc = st->step();
  if (rc != SQLITE_ROW) return core::fail(st->error(rc, what));
  return st->int64(0);
}

core::Status migrate(Connection& c) {
  // EXCLUSIVE: a second process opening the same file waits here, then finds the migrations applied.
  if (auto s = c.exec("BEGIN EXCLUSIVE", "lock the database for migrations"); !s) return s;
  auto run = [&]() -> core::Status {
    if (auto s = c.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                        "description TEXT NOT NULL, applied_at_ms INTEGER NOT NULL)",
                        "create schema_migrations");
        !s) {
      return s;
    }
    auto applied = query_int(c, "SELECT coalesce(max(version), 0) FROM schema_migrations", "read schema version");
    if (!applied) return core::fail(applied.error());
    auto pending = pending_migrations(sqlite_migrations(), *applied, "SQLite");
    if (!pending) return core::fail(pending.error());
    for (const Migration& m : *pending) {
      if (auto s = c.exec(std::string(m.sql), fmt::format("apply migration {} ({})", m.version, m.description)); !s) {
        return s;
      }
      auto st = c.prepare("INSERT INTO schema_migrations (version, description, applied_at_ms) VALUES (?1, ?2, ?3)");
      if (!st) return core::fail(st.error());
      st->bind(1, m.version);
      st->bind(2, m.description);
      st->bind(3, now_ms());
      if (int rc = st->step(); rc != SQLITE_DONE) return core::fail(st->error(rc, "record migration"));
    }
    return c.exec("COMMIT", "commit migrations");
  };
  auto s = run();
  if (!s && c.in_transaction()) (void)c.exec("ROLLBACK", "roll back migrations");
  return s;
}

core::Result<std::int64_t> next_version(Connection& c) {
  return query_int(c, "UPDATE resource_version SET value = value + 1 WHERE id = 1 RETURNING value",
                   "advance the resource version");
}

core::Result<StoredObject> insert_object(Connection& c, const StoredObject& object, const std::string& labels) {
  auto version = next_version(c);
  if (!version) return core::fail(version.error());
  auto st = c.prepare(
      "INSERT INTO objects (kind, scope, name, uid, resource_version, created_at_ms, labels, data) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (!st) return core::fail(st.error());
  st->bind(1, object.kind);
  st->bind(2, object.scope);
  st->bind(3, object.name);
  st->bind(4, object.uid);
  st->bind(5, *version);
  st->bind(6, object.created_at_ms);
  st->bind(7, labels);
  st->bind(8, object.data);
  int rc = st->step();
  if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE) {
    return core::fail(already_exists(object.kind, object.scope, object.name));
  }
  if (rc != SQLITE_DONE) return core::fail(st->error(rc, "insert object"));
  StoredObject out = object;
  out.labels = labels;
  out.resource_version = *version;
  return out;
}

// After a conditional write matched no row: NotFound or Conflict.
core::Error explain_miss(Connection& c, std::string_view kind, std::string_view scope, std::string_view name,
                         std::int64_t expected) {
  if (expected == 0) return not_found(kind, scope, name);
  auto st = c.prepare("SELECT resource_version FROM objects WHERE kind = ?1 AND scope = ?2 AND name = ?3");
  if (!st) return st.error();
  st->bind(1, kind);
  st->bind(2, scope);
  st->bind(3, name);
  int rc = st->step();
  if (rc == SQLITE_DONE) return not_found(kind, scope, name);
  if (rc != SQLITE_ROW) return st->error(rc, "read object version");
  return version_conflict(kind, scope, name, st->int64(0), expected);
}

core::Result<StoredObject> update_object(Connection& c, const StoredObject& object, const std::string& labels,
                                         std::int64_t expected) {
  auto version = next_version(c);
  if (!version) return core::fail(version.error());
  StoredObject out = object;
  {
    auto st = c.prepare(
        "UPDATE objects SET labels = ?4, data = ?5, resource_version = ?6 "
        "WHERE kind = ?1 AND scope = ?2 AND name = ?3 AND (?7 = 0 OR resource_version = ?7) "
        "RETURNING uid, created_at_ms");
    if (!st) return core::fail(st.error());
    st->bind(1, object.kind);
    st->bind(2, object.scope);
    st->bind(3, object.name);
    st->bind(4, labels);
    st->bind(5, object.data);
    st->bind(6, *version);
    st->bind(7, expected);
    int rc = st->step();
    if (rc == SQLITE_DONE) return core::fail(explain_miss(c, object.kind, object.scope, object.name, expected));
    if (rc != SQLITE_ROW) return core::fail(st->error(rc, "update object"));
    out.uid = st->text(0);
    out.created_at_ms = st->int64(1);
  }
  out.labels = labels;
  out.resource_version = *version;
  return out;
}

core::Result<StoredObject> delete_object(Connection& c, const std::string& kind, const std::string& scope,
                                         const std::string& name, std::int64_t expected) {
  {
    auto st = c.prepare(
        "DELETE FROM objects WHERE kind = ?1 AND scope = ?2 AND name = ?3 AND (?4 = 0 OR resource_version = ?4) "
        "RETURNING 1");
    if (!st) return core::fail(st.error());
    st->bind(1, kind);
    st->bind(2, scope);
    st->bind(3, name);
    st->bind(4, expected);
    int rc = st->step();
    if (rc == SQLITE_DONE) return core::fail(explain_miss(c, kind, scope, name, expected));
    if (rc != SQLITE_ROW) return core::fail(st->error(rc, "delete object"));
  }
  auto version = next_version(c);  // a delete is a write: watchers see the version move
  if (!version) return core::fail(version.error());
  StoredObject out;
  out.kind = kind;
  out.scope = scope;
  out.name = name;
  out.resource_version = *version;
  return out;
}

void bind_list(Statement& st, const ListStatement& spec, const std::string& kind, const std::string& scope,
               const core::ListOptions& options) {
  for (std::size_t i = 0; i < spec.params.size(); ++i) {
    int index = static_cast<int>(i + 1);
    switch (spec.params[i]) {
      case ListStatement::Param::Kind:
        st.bind(index, kind);
        break;
      case ListStatement::Param::Scope:
        st.bind(index, scope);
        break;
      case ListStatement::Param::NameSubstring:
        st.bind(index, options.name);
        break;
      case ListStatement::Param::Limit:
        st.bind(index, options.limit);
        break;
      case ListStatement::Param::Offset:
        st.bind(index, options.offset());
        break;
    }
  }
}

}  // namespace

SqliteStore::SqliteStore(std::string path, std::unique_ptr<Connection> writer,
                         std::unique_ptr<ConnectionPool<Connection>> readers)
    : path_(std::move(path)), writer_(std::move(writer)), readers_(std::move(readers)) {}

SqliteStore::~SqliteStore() = default;

core::Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path, const Options& options) {
  if (path.empty()) return core::fail(core::ErrorCode::InvalidArgument, "SQLite database path is empty");
  auto writer = Connection::open(path, options, Connection::Role::Writer);
  if (!writer) return core::fail(writer.error());
  if (auto s = migrate(**writer); !s) return core::fail(s.error());
  auto readers = std::make_unique<ConnectionPool<Connection>>(
      std::max<std::size_t>(1, options.read_connections),
      [path, options] { return Connection::open(path, options, Connection::Role::Reader); });
  return std::unique_ptr<SqliteStore>(new SqliteStore(path, std::move(*writer), std::move(readers)));
}

template <class T, class Fn>
core::Result<T> SqliteStore::write_transaction(Fn&& apply) {
  std::lock_guard lock(write_mu_);
  Connection& c = *writer_;
  if (auto s = c.exec("BEGIN IMMEDIATE", "begin a write transaction"); !s) return core::fail(s.error());
  core::Result<T> result = apply(c);
  if (result) {
    if (auto s = c.exec("COMMIT", "commit"); !s) result = core::fail(s.error());
  }
  if (c.in_transaction()) (void)c.exec("ROLLBACK", "roll back");
  return result;
}

core::Result<StoredObject> SqliteStore::create(const StoredObject& object) {
  auto labels = validate_object(object);
  if (!labels) return core::fail(labels.error());
  return write_transaction<StoredObject>([&](Connection& c) { return insert_object(c, object, *labels); });
}

core::Result<StoredObject> SqliteStore::get(const std::string& kind, const std::string& scope,
                                            const std::string& name) {
  if (auto s = validate_key(kind, scope, name); !s) return core::fail(s.error());
  auto lease = readers_->acquire();
  if (!lease) return core::fail(lease.error());
  static const std::string kSql =
      fmt::format("SELECT {} FROM objects WHERE kind = ?1 AND scope = ?2 AND name = ?3", kObjectColumns);
  auto st = (*lease)->prepare(kSql);
  if (!st) return core::fail(st.error());
  st->bind(1, kind);
  st->bind(2, scope);
  st->bind(3, name);
  int rc = st->step();
  if (rc == SQLITE_DONE) return core::fail(not_found(kind, scope, name));
  if (rc != SQLITE_ROW) return core::fail(st->error(rc, "read object"));
  return st->object();
}

core::Result<StoredObject> SqliteStore::update(const StoredObject& object, std::int64_t expected_version) {
  auto labels = validate_object(object);
  if (!labels) return core::fail(labels.error());
  return write_transaction<StoredObject>(
      [&](Connection& c) { return update_object(c, object, *labels, expected_version); });
}

core::Status SqliteStore::remove(const std::string& kind, const std::string& scope, const std::string& name,
                                 std::int64_t expected_version) {
  if (auto s = validate_key(kind, scope, name); !s) return s;
  return write_transaction<void>([&](Connection& c) -> core::Status {
    auto deleted = delete_object(c, kind, scope, name, expected_version);
    if (!deleted) return core::fail(deleted.error());
    return {};
  });
}

core::Result<ListResult> SqliteStore::list(const std::string& kind, const std::string& scope, ScopeMatch match,
                                           const core::ListOptions& options) {
  if (auto s = validate_list_options(options); !s) return core::fail(s.error());
  const ListPlan& plan = list_plan(SqlDialect::Sqlite, match, options);
  auto lease = readers_->acquire();
  if (!lease) return core::fail(lease.error());
  Connection& c = **lease;
  ListResult out;
  {
    auto st = c.prepare(plan.page.sql);
    if (!st) return core::fail(st.error());
    bind_list(*st, plan.page, kind, scope, options);
    int rc;
    if (!plan.filter_in_process) {
      out.items.reserve(static_cast<std::size_t>(std::min<std::int64_t>(options.limit, 1000)));
      while ((rc = st->step()) == SQLITE_ROW) {
        out.items.push_back(st->object());
        out.total = st->int64(8);
      }
    } else {
      SelectorPager pager(options.label_selector, options.offset(), options.limit);
      while ((rc = st->step()) == SQLITE_ROW) {
        auto admitted = pager.admit(st->text_view(6));
        if (!admitted) return core::fail(admitted.error());
        if (*admitted) out.items.push_back(st->object());
      }
      out.total = pager.total();
    }
    if (rc != SQLITE_DONE) return core::fail(st->error(rc, "list objects"));
  }
  if (!plan.filter_in_process && out.items.empty()) {
    auto st = c.prepare(plan.count.sql);
    if (!st) return core::fail(st.error());
    bind_list(*st, plan.count, kind, scope, options);
    int rc = st->step();
    if (rc != SQLITE_ROW) return core::fail(st->error(rc, "count objects"));
    out.total = st->int64(0);
  }
  return out;
}

core::Result<std::vector<StoredObject>> SqliteStore::commit(const std::vector<Mutation>& mutations) {
  std::vector<std::string> labels(mutations.size());
  for (std::size_t i = 0; i < mutations.size(); ++i) {
    const Mutation& m = mutations[i];
    if (m.op == Mutation::Op::Delete) {
      if (auto s = validate_key(m.object.kind, m.object.scope, m.object.name); !s) {
        return core::fail(s.error().with_context(fmt::format("mutation {}", i)));
      }
      continue;
    }
    auto l = validate_object(m.object);
    if (!l) return core::fail(l.error().with_context(fmt::format("mutation {}", i)));
    labels[i] = std::move(*l);
  }
  return write_transaction<std::vector<StoredObject>>([&](Connection& c) -> core::Result<std::vector<StoredObject>> {
    std::vector<StoredObject> written;
    written.reserve(mutations.size());
    for (std::size_t i = 0; i < mutations.size(); ++i) {
      const Mutation& m = mutations[i];
      core::Result<StoredObject> r;
      switch (m.op) {
        case Mutation::Op::Create:
          r = insert_object(c, m.object, labels[i]);
          break;
        case Mutation::Op::Update:
          r = update_object(c, m.object, labels[i], m.expected_version);
          break;
        case Mutation::Op::Delete:
          r = delete_object(c, m.object.kind, m.object.scope, m.object.name, m.expected_version);
          break;
      }
      if (!r) return core::fail(r.error().with_context(fmt::format("mutation {}", i)));
      written.push_back(std::move(*r));
    }
    return written;
  });
}

core::Status SqliteStore::append_audit(const std::vector<AuditRecord>& records) {
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (auto s = validate_audit_record(records[i]); !s) {
      return core::fail(s.error().with_context(fmt::format("audit record {}", i)));
    }
  }
  if (records.empty()) return {};
  return write_transaction<void>([&](Connection& c) -> core::Status {
    static const std::string kSql =
        fmt::format("INSERT INTO audit_events ({}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", kAuditInsertColumns);
    for (const AuditRecord& r : records) {
      auto st = c.prepare(kSql);
      if (!st) return core::fail(st.error());
      st->bind(1, r.id);
      st->bind(2, r.time_ms);
      st->bind(3, r.user);
      st->bind(4, r.verb);
      st->bind(5, r.resource);
      st->bind(6, r.outcome);
      st->bind(7, r.workspace);
      st->bind(8, r.project);
      st->bind(9, r.data);
      int rc = st->step();
      if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE) {
        return core::fail(core::ErrorCode::AlreadyExists,
                          fmt::format("audit record \"{}\" already exists", r.id.substr(0, 64)));
      }
      if (rc != SQLITE_DONE) return core::fail(st->error(rc, "append audit record"));
    }
    return {};
  });
}

core::Result<AuditPage> SqliteStore::query_audit(const AuditFilter& filter) {
  if (auto s = validate_audit_filter(filter); !s) return core::fail(s.error());
  const AuditPlan plan = audit_plan(SqlDialect::Sqlite, filter);
  auto bind = [](Statement& st, const AuditStatement& spec) {
    for (std::size_t i = 0; i < spec.params.size(); ++i) {
      const AuditParam& p = spec.params[i];
      if (p.is_int)
        st.bind(static_cast<int>(i + 1), p.value);
      else
        st.bind(static_cast<int>(i + 1), p.text);
    }
  };
  auto lease = readers_->acquire();
  if (!lease) return core::fail(lease.error());
  Connection& c = **lease;
  AuditPage out;
  {
    auto st = c.prepare(plan.page.sql);
    if (!st) return core::fail(st.error());
    bind(*st, plan.page);
    int rc;
    while ((rc = st->step()) == SQLITE_ROW) {
      out.items.push_back(st->text(0));
      out.total = st->int64(1);
    }
    if (rc != SQLITE_DONE) return core::fail(st->error(rc, "query the audit log"));
  }
  if (out.items.empty()) {
    auto st = c.prepare(plan.count.sql);
    if (!st) return core::fail(st.error());
    bind(*st, plan.count);
    int rc = st->step();
    if (rc != SQLITE_ROW) return core::fail(st->error(rc, "count audit records"));
    out.total = st->int64(0);
  }
  return out;
}

core::Result<std::int64_t> SqliteStore::current_version() {
  auto lease = readers_->acquire();
  if (!lease) return core::fail(lease.error());
  return query_int(**lease, "SELECT value FROM resource_version WHERE id = 1", "read the resource version");
}

}  // namespace atrium::storage
