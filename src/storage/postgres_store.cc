#include "storage/postgres_store.h"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <algorithm>
#include <charconv>
#include <functional>
#include <span>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "storage/audit_table.h"
#include "storage/connection_pool.h"
#include "storage/list_query.h"
#include "storage/migrations.h"
#include "storage/object_rules.h"
#include "storage/store_url.h"

namespace atrium::storage {
namespace {

// Key of the session-level advisory lock held while checking and applying migrations ("atrium01").
constexpr std::int64_t kMigrationLock = 0x61747269756d3031;

std::string trimmed(const char* message) {
  std::string s = message != nullptr ? message : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

core::ErrorCode code_for_sqlstate(std::string_view state) {
  if (state == "23505") return core::ErrorCode::AlreadyExists;
  if (state == "40001" || state == "40P01") return core::ErrorCode::Conflict;  // retryable by the caller
  if (state == "22021" || state == "22P05") return core::ErrorCode::InvalidArgument;
  if (state == "57014") return core::ErrorCode::DeadlineExceeded;
  if (state.starts_with("08") || state.starts_with("57P")) return core::ErrorCode::Unavailable;
  if (state.starts_with("53")) return core::ErrorCode::ResourceExhausted;
  return core::ErrorCode::Internal;
}

// Rows of a successful query; frees the PGresult.
class Rows {
 public:
  explicit Rows(PGresult* result) : result_(result) {}
  Rows(Rows&& other) noexcept : result_(std::exchange(other.result_, nullptr)) {}
  Rows& operator=(Rows&&) = delete;
  ~Rows() { PQclear(result_); }

  int size() const { return PQntuples(result_); }
  std::string_view text(int row, int column) const {
    return std::string_view(PQgetvalue(result_, row, column),
                            static_cast<std::size_t>(PQgetlength(result_, row, column)));
  }
  std::int64_t int64(int row, int column) const {
    std::string_view s = text(row, column);
    std::int64_t v = 0;
    std::from_chars(s.data(), s.data() + s.size(), v);
    return v;
  }
  // Reads the kObjectColumns of a row.
  StoredObject object(int row) const {
    StoredObject o;
    o.kind = text(row, 0);
    o.scope = text(row, 1);
    o.name = text(row, 2);
    o.uid = text(row, 3);
    o.resource_version = int64(row, 4);
    o.created_at_ms = int64(row, 5);
    o.labels = text(row, 6);
    o.data = text(row, 7);
    return o;
  }

 private:
  PGresult* result_;
};

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};

}  // namespace

class PostgresStore::Connection {
 public:
  static core::Result<std::unique_ptr<Connection>> connect(const std::string& url, const Options& options) {
    std::string timeout = std::to_string(options.connect_timeout.count());
    // Keywords before "dbname" are defaults the URL may override.
    const char* keys[] = {"connect_timeout", "application_name", "dbname", nullptr};
    const char* values[] = {timeout.c_str(), "atrium", url.c_str(), nullptr};
    PGconn* conn = PQconnectdbParams(keys, values, 1);
    if (conn == nullptr) return core::fail(core::ErrorCode::ResourceExhausted, "libpq could not allocate a connection");
    if (PQstatus(conn) != CONNECTION_OK) {
      std::string reason = scrub_password(trimmed(PQerrorMessage(conn)), url);
      PQfinish(conn);
      return core::fail(core::ErrorCode::Unavailable,
                        fmt::format("cannot connect to PostgreSQL at {}: {}", redact_url(url), reason));
    }
    PQsetNoticeProcessor(
        conn, [](void*, const char*) {}, nullptr);  // "already exists, skipping" etc.
    return std::unique_ptr<Connection>(new Connection(conn));
  }

  ~Connection() { PQfinish(conn_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs `sql` as a prepared statement (prepared on first use on this connection) with text parameters.
  core::Result<Rows> run(std::string_view sql, std::span<const char* const> params, std::string_view what) {
    auto it = statements_.find(sql);
    if (it == statements_.end()) {
      std::string name = fmt::format("atrium_{}", statements_.size() + 1);
      PGresult* prepared = PQprepare(conn_, name.c_str(), std::string(sql).c_str(), 0, nullptr);
      if (auto s = check(prepared, what); !s) return core::fail(s.error());
      it = statements_.emplace(std::string(sql), std::move(name)).first;
    }
    PGresult* result =
        PQexecPrepared(conn_, it->second.c_str(), static_cast<int>(params.size()), params.data(), nullptr, nullptr, 0);
    Rows rows(result);
    if (auto s = check_status(result, what); !s) return core::fail(s.error());
    return rows;
  }
  core::Result<Rows> run(std::string_view sql, std::initializer_list<const char*> params, std::string_view what) {
    return run(sql, std::span<const char* const>(params.begin(), params.size()), what);
  }

  // Runs SQL text (possibly several statements) without preparing it.
  core::Status exec(const std::string& sql, std::string_view what) { return check(PQexec(conn_, sql.c_str()), what); }

  // True when the connection must not go back to the pool: its link broke or a transaction is left open.
  bool unusable() const { return PQstatus(conn_) != CONNECTION_OK || PQtransactionStatus(conn_) != PQTRANS_IDLE; }

 private:
  explicit Connection(PGconn* conn) : conn_(conn) {}

  // Frees `result` and turns a failure into an Error.
  core::Status check(PGresult* result, std::string_view what) {
    Rows owner(result);
    return check_status(result, what);
  }

  core::Status check_status(const PGresult* result, std::string_view what) {
    ExecStatusType status = result != nullptr ? PQresultStatus(result) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return {};
    const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    std::string message = trimmed(result != nullptr ? PQresultErrorMessage(result) : PQerrorMessage(conn_));
    if (message.empty()) message = trimmed(PQerrorMessage(conn_));
    core::ErrorCode code = state != nullptr ? code_for_sqlstate(state) : core::ErrorCode::Unavailable;
    if (PQstatus(conn_) != CONNECTION_OK) code = core::ErrorCode::Unavailable;
    return core::fail(code, fmt::format("PostgreSQL: {}: {}", what, message));
  }

  PGconn* conn_;
  std::unordered_map<std::string, std::string, StringHash, std::equal_to<>> statements_;
};

namespace {

using Connection = PostgresStore::Connection;

core::Status migrate(Connection& c) {
  const std::string lock = fmt::format("SELECT pg_advisory_lock({})", kMigrationLock);
  if (auto s = c.exec(lock, "take the migration lock"); !s) return s;
  auto run = [&]() -> core::Status {
    if (auto s = c.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, "
                        "description TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
                        "create schema_migrations");
        !s) {
      return s;
    }
    auto applied = c.run("SELECT coalesce(max(version), 0) FROM schema_migrations", {}, "read schema version");
    if (!applied) return core::fail(applied.error());
    auto pending = pending_migrations(postgres_migrations(), applied->int64(0, 0), "PostgreSQL");
    if (!pending) return core::fail(pending.error());
    for (const Migration& m : *pending) {
      std::string what = fmt::format("apply migration {} ({})", m.version, m.description);
      std::string version = std::to_string(m.version);
      std::string description(m.description);
      if (auto s = c.exec("BEGIN", what); !s) return s;
      if (auto s = c.exec(std::string(m.sql), what); !s) return s;
      auto recorded = c.run("INSERT INTO schema_migrations (version, description) VALUES ($1::bigint, $2)",
                            {version.c_str(), description.c_str()}, "record migration");
      if (!recorded) return core::fail(recorded.error());
      if (auto s = c.exec("COMMIT", what); !s) return s;
    }
    return {};
  };
  auto s = run();
  if (!s) (void)c.exec("ROLLBACK", "roll back migration");
  // Closing the connection would release the lock too; unlock explicitly because the connection is reused.
  auto unlocked = c.exec(fmt::format("SELECT pg_advisory_unlock({})", kMigrationLock), "release the migration lock");
  if (!s) return s;
  return unlocked;
}

// After a conditional write matched no row: NotFound or Conflict.
core::Error explain_miss(Connection& c, const std::string& kind, const std::string& scope, const std::string& name,
                         std::int64_t expected) {
  if (expected == 0) return not_found(kind, scope, name);
  auto rows = c.run("SELECT resource_version FROM objects WHERE kind = $1 AND scope = $2 AND name = $3",
                    {kind.c_str(), scope.c_str(), name.c_str()}, "read object version");
  if (!rows) return rows.error();
  if (rows->size() == 0) return not_found(kind, scope, name);
  return version_conflict(kind, scope, name, rows->int64(0, 0), expected);
}

core::Result<StoredObject> insert_object(Connection& c, const StoredObject& object, const std::string& labels) {
  std::string created = std::to_string(object.created_at_ms);
  // ON CONFLICT DO NOTHING also settles concurrent creates of one key without an error that aborts a batch.
  auto rows = c.run(
      "INSERT INTO objects (kind, scope, name, uid, resource_version, created_at_ms, labels, data) "
      "VALUES ($1, $2, $3, $4, nextval('resource_version_seq'), $5::bigint, $6, $7) "
      "ON CONFLICT (kind, scope, name) DO NOTHING RETURNING resource_version",
      {object.kind.c_str(), object.scope.c_str(), object.name.c_str(), object.uid.c_str(), created.c_str(),
       labels.c_str(), object.data.c_str()},
      "insert object");
  if (!rows) {
    if (rows.error().code == core::ErrorCode::AlreadyExists) {
      return core::fail(already_exists(object.kind, object.scope, object.name));
    }
    return core::fail(rows.error());
  }
  if (rows->size() == 0) return core::fail(already_exists(object.kind, object.scope, object.name));
  StoredObject out = object;
  out.labels = labels;
  out.resource_version = rows->int64(0, 0);
  return out;
}

core::Result<StoredObject> update_object(Connection& c, const StoredObject& object, const std::string& labels,
                                         std::int64_t expected) {
  std::string version = std::to_string(expected);
  // Under READ COMMITTED a concurrent writer's row is re-checked after its commit, so the version comparison is a
  // compare-and-set: of N writers holding the same version exactly one matches.
  auto rows = c.run(
      "UPDATE objects SET labels = $4, data = $5, resource_version = nextval('resource_version_seq') "
      "WHERE kind = $1 AND scope = $2 AND name = $3 AND ($6::bigint = 0 OR resource_version = $6::bigint) "
      "RETURNING uid, resource_version, created_at_ms",
      {object.kind.c_str(), object.scope.c_str(), object.name.c_str(), labels.c_str(), object.data.c_str(),
       version.c_str()},
      "update object");
  if (!rows) return core::fail(rows.error());
  if (rows->size() == 0) return core::fail(explain_miss(c, object.kind, object.scope, object.name, expected));
  StoredObject out = object;
  out.uid = rows->text(0, 0);
  out.resource_version = rows->int64(0, 1);
  out.created_at_ms = rows->int64(0, 2);
  out.labels = labels;
  return out;
}

core::Result<StoredObject> delete_object(Connection& c, const std::string& kind, const std::string& scope,
                                         const std::string& name, std::int64_t expected) {
  std::string version = std::to_string(expected);
  auto rows = c.run(
      "WITH deleted AS (DELETE FROM objects WHERE kind = $1 AND scope = $2 AND name = $3 "
      "AND ($4::bigint = 0 OR resource_version = $4::bigint) RETURNING 1) "
      "SELECT nextval('resource_version_seq') FROM deleted",
      {kind.c_str(), scope.c_str(), name.c_str(), version.c_str()}, "delete object");
  if (!rows) return core::fail(rows.error());
  if (rows->size() == 0) return core::fail(explain_miss(c, kind, scope, name, expected));
  StoredObject out;
  out.kind = kind;
  out.scope = scope;
  out.name = name;
  out.resource_version = rows->int64(0, 0);
  return out;
}

}  // namespace

PostgresStore::PostgresStore(std::unique_ptr<ConnectionPool<Connection>> pool) : pool_(std::move(pool)) {}

PostgresStore::~PostgresStore() = default;

core::Result<std::unique_ptr<PostgresStore>> PostgresStore::open(const std::string& url, const Options& options) {
  auto first = Connection::connect(url, options);
  if (!first) return core::fail(first.error());
  if (auto s = migrate(**first); !s) return core::fail(s.error());
  auto pool = std::make_unique<ConnectionPool<Connection>>(
      std::max<std::size_t>(1, options.max_connections), [url, options] { return Connection::connect(url, options); });
  pool->adopt(std::move(*first));
  return std::unique_ptr<PostgresStore>(new PostgresStore(std::move(pool)));
}

template <class T, class Fn>
core::Result<T> PostgresStore::with_connection(Fn&& use) {
  auto lease = pool_->acquire();
  if (!lease) return core::fail(lease.error());
  core::Result<T> result = use(**lease);
  if ((*lease)->unusable()) lease->discard();
  return result;
}

core::Result<StoredObject> PostgresStore::create(const StoredObject& object) {
  auto labels = validate_object(object);
  if (!labels) return core::fail(labels.error());
  return with_connection<StoredObject>([&](Connection& c) { return insert_object(c, object, *labels); });
}

core::Result<StoredObject> PostgresStore::get(const std::string& kind, const std::string& scope,
                                              const std::string& name) {
  if (auto s = validate_key(kind, scope, name); !s) return core::fail(s.error());
  static const std::string kSql =
      fmt::format("SELECT {} FROM objects WHERE kind = $1 AND scope = $2 AND name = $3", kObjectColumns);
  return with_connection<StoredObject>([&](Connection& c) -> core::Result<StoredObject> {
    auto rows = c.run(kSql, {kind.c_str(), scope.c_str(), name.c_str()}, "read object");
    if (!rows) return core::fail(rows.error());
    if (rows->size() == 0) return core::fail(not_found(kind, scope, name));
    return rows->object(0);
  });
}

core::Result<StoredObject> PostgresStore::update(const StoredObject& object, std::int64_t expected_version) {
  auto labels = validate_object(object);
  if (!labels) return core::fail(labels.error());
  return with_connection<StoredObject>(
      [&](Connection& c) { return update_object(c, object, *labels, expected_version); });
}

core::Status PostgresStore::remove(const std::string& kind, const std::string& scope, const std::string& name,
                                   std::int64_t expected_version) {
  if (auto s = validate_key(kind, scope, name); !s) return s;
  return with_connection<void>([&](Connection& c) -> core::Status {
    auto deleted = delete_object(c, kind, scope, name, expected_version);
    if (!deleted) return core::fail(deleted.error());
    return {};
  });
}

core::Result<ListResult> PostgresStore::list(const std::string& kind, const std::string& scope, ScopeMatch match,
                                             const core::ListOptions& options) {
  if (auto s = validate_list_options(options); !s) return core::fail(s.error());
  const ListPlan& plan = list_plan(SqlDialect::Postgres, match, options);
  std::string limit = std::to_string(options.limit);
  std::string offset = std::to_string(options.offset());
  auto params_for = [&](const ListStatement& spec) {
    std::vector<const char*> params;
    params.reserve(spec.params.size());
    for (auto p : spec.params) {
      switch (p) {
        case ListStatement::Param::Kind:
          params.push_back(kind.c_str());
          break;
        case ListStatement::Param::Scope:
          params.push_back(scope.c_str());
          break;
        case ListStatement::Param::NameSubstring:
          params.push_back(options.name.c_str());
          break;
        case ListStatement::Param::Limit:
          params.push_back(limit.c_str());
          break;
        case ListStatement::Param::Offset:
          params.push_back(offset.c_str());
          break;
      }
    }
    return params;
  };
  return with_connection<ListResult>([&](Connection& c) -> core::Result<ListResult> {
    ListResult out;
    auto rows = c.run(plan.page.sql, params_for(plan.page), "list objects");
    if (!rows) return core::fail(rows.error());
    if (!plan.filter_in_process) {
      out.items.reserve(static_cast<std::size_t>(rows->size()));
      for (int i = 0; i < rows->size(); ++i) out.items.push_back(rows->object(i));
      if (rows->size() > 0) {
        out.total = rows->int64(0, 8);
      } else {
        auto count = c.run(plan.count.sql, params_for(plan.count), "count objects");
        if (!count) return core::fail(count.error());
        out.total = count->int64(0, 0);
      }
      return out;
    }
    SelectorPager pager(options.label_selector, options.offset(), options.limit);
    for (int i = 0; i < rows->size(); ++i) {
      auto admitted = pager.admit(rows->text(i, 6));
      if (!admitted) return core::fail(admitted.error());
      if (*admitted) out.items.push_back(rows->object(i));
    }
    out.total = pager.total();
    return out;
  });
}

core::Result<std::vector<StoredObject>> PostgresStore::commit(const std::vector<Mutation>& mutations) {
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
  return with_connection<std::vector<StoredObject>>([&](Connection& c) -> core::Result<std::vector<StoredObject>> {
    if (auto s = c.exec("BEGIN", "begin a transaction"); !s) return core::fail(s.error());
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
      if (!r) {
        (void)c.exec("ROLLBACK", "roll back");
        return core::fail(r.error().with_context(fmt::format("mutation {}", i)));
      }
      written.push_back(std::move(*r));
    }
    if (auto s = c.exec("COMMIT", "commit"); !s) {
      (void)c.exec("ROLLBACK", "roll back");
      return core::fail(s.error());
    }
    return written;
  });
}

core::Status PostgresStore::append_audit(const std::vector<AuditRecord>& records) {
  for (std::size_t i = 0; i < records.size(); ++i) {
    if (auto s = validate_audit_record(records[i]); !s) {
      return core::fail(s.error().with_context(fmt::format("audit record {}", i)));
    }
  }
  if (records.empty()) return {};
  return with_connection<void>([&](Connection& c) -> core::Status {
    static const std::string kSql = fmt::format(
        "INSERT INTO audit_events ({}) VALUES ($1, $2::bigint, $3, $4, $5, $6, $7, $8, $9)", kAuditInsertColumns);
    if (auto s = c.exec("BEGIN", "begin a transaction"); !s) return s;
    for (const AuditRecord& r : records) {
      std::string time = std::to_string(r.time_ms);
      auto rows = c.run(kSql,
                        {r.id.c_str(), time.c_str(), r.user.c_str(), r.verb.c_str(), r.resource.c_str(),
                         r.outcome.c_str(), r.workspace.c_str(), r.project.c_str(), r.data.c_str()},
                        "append audit record");
      if (!rows) {
        (void)c.exec("ROLLBACK", "roll back");
        if (rows.error().code == core::ErrorCode::AlreadyExists) {
          return core::fail(core::ErrorCode::AlreadyExists,
                            fmt::format("audit record \"{}\" already exists", r.id.substr(0, 64)));
        }
        return core::fail(rows.error());
      }
    }
    if (auto s = c.exec("COMMIT", "commit"); !s) {
      (void)c.exec("ROLLBACK", "roll back");
      return s;
    }
    return {};
  });
}

core::Result<AuditPage> PostgresStore::query_audit(const AuditFilter& filter) {
  if (auto s = validate_audit_filter(filter); !s) return core::fail(s.error());
  const AuditPlan plan = audit_plan(SqlDialect::Postgres, filter);
  auto run = [](Connection& c, const AuditStatement& spec, std::string_view what) {
    std::vector<std::string> numbers(spec.params.size());
    std::vector<const char*> params;
    params.reserve(spec.params.size());
    for (std::size_t i = 0; i < spec.params.size(); ++i) {
      if (spec.params[i].is_int) {
        numbers[i] = std::to_string(spec.params[i].value);
        params.push_back(numbers[i].c_str());
      } else {
        params.push_back(spec.params[i].text.c_str());
      }
    }
    return c.run(spec.sql, std::span<const char* const>(params.data(), params.size()), what);
  };
  return with_connection<AuditPage>([&](Connection& c) -> core::Result<AuditPage> {
    AuditPage out;
    auto rows = run(c, plan.page, "query the audit log");
    if (!rows) return core::fail(rows.error());
    out.items.reserve(static_cast<std::size_t>(rows->size()));
    for (int i = 0; i < rows->size(); ++i) out.items.emplace_back(rows->text(i, 0));
    if (rows->size() > 0) {
      out.total = rows->int64(0, 1);
    } else {
      auto count = run(c, plan.count, "count audit records");
      if (!count) return core::fail(count.error());
      out.total = count->int64(0, 0);
    }
    return out;
  });
}

core::Result<std::int64_t> PostgresStore::current_version() {
  return with_connection<std::int64_t>([&](Connection& c) -> core::Result<std::int64_t> {
    auto rows = c.run("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM resource_version_seq", {},
                      "read the resource version");
    if (!rows) return core::fail(rows.error());
    return rows->int64(0, 0);
  });
}

}  // namespace atrium::storage
