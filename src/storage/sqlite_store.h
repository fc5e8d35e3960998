// The embedded Store: one SQLite database file in WAL mode. Reads run concurrently on a small pool of
// connections; writes go through one connection, serialised in-process by a mutex and across processes by
// BEGIN IMMEDIATE. Every connection caches its prepared statements. All methods are thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/list_options.h"
#include "storage/store.h"

namespace atrium::storage {

template <class Connection>
class ConnectionPool;

class SqliteStore final : public Store {
 public:
  struct Options {
    std::size_t read_connections = 4;
    // How long a writer waits for another process holding the write lock before Unavailable.
    std::chrono::milliseconds busy_timeout{5000};
  };

  // Opens (creating if needed) the database at `path` and applies pending migrations.
  // Errors: Unavailable when the file cannot be opened; FailedPrecondition when its schema is newer.
  static core::Result<std::unique_ptr<SqliteStore>> open(const std::string& path, const Options& options);
  static core::Result<std::unique_ptr<SqliteStore>> open(const std::string& path) { return open(path, Options()); }

  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  core::Result<StoredObject> create(const StoredObject& object) override;
  core::Result<StoredObject> get(const std::string& kind, const std::string& scope, const std::string& name) override;
  core::Result<StoredObject> update(const StoredObject& object, std::int64_t expected_version) override;
  core::Status remove(const std::string& kind, const std::string& scope, const std::string& name,
                      std::int64_t expected_version) override;
  core::Result<ListResult> list(const std::string& kind, const std::string& scope, ScopeMatch match,
                                const core::ListOptions& options) override;
  core::Result<std::vector<StoredObject>> commit(const std::vector<Mutation>& mutations) override;
  core::Status append_audit(const std::vector<AuditRecord>& records) override;
  core::Result<AuditPage> query_audit(const AuditFilter& filter) override;
  core::Result<std::int64_t> current_version() override;
  std::string_view backend() const override { return "sqlite"; }

  class Connection;  // one sqlite3 handle and its statement cache; defined in sqlite_store.cc

 private:
  SqliteStore(std::string path, std::unique_ptr<Connection> writer,
              std::unique_ptr<ConnectionPool<Connection>> readers);

  // Runs `apply` inside BEGIN IMMEDIATE ... COMMIT on the writer; rolls back when it fails.
  template <class T, class Fn>
  core::Result<T> write_transaction(Fn&& apply);

  const std::string path_;
  std::mutex write_mu_;
  std::unique_ptr<Connection> writer_;  // guarded by write_mu_
  std::unique_ptr<ConnectionPool<Connection>> readers_;
};

}  // namespace atrium::storage
