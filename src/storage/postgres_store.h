// The Store on PostgreSQL (libpq), for replicated deployments. A bounded pool of connections, made on demand,
// each with its own prepared statements; resource versions come from one sequence; conditional writes are
// compare-and-set UPDATE/DELETE statements. All methods are thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/list_options.h"
#include "storage/store.h"

namespace atrium::storage {

template <class Connection>
class ConnectionPool;

class PostgresStore final : public Store {
 public:
  struct Options {
    std::size_t max_connections = 8;
    // Used unless the URL sets connect_timeout itself.
    std::chrono::seconds connect_timeout{10};
  };

  // Connects to the database named by a libpq URL ("postgres://user:password@host:port/db?sslmode=...") and
  // applies pending migrations under an advisory lock. Errors: Unavailable when it cannot connect (the message
  // names the URL with its password masked); FailedPrecondition when the schema is newer than this binary.
  static core::Result<std::unique_ptr<PostgresStore>> open(const std::string& url, const Options& options);
  static core::Result<std::unique_ptr<PostgresStore>> open(const std::string& url) { return open(url, Options()); }

  ~PostgresStore() override;
  PostgresStore(const PostgresStore&) = delete;
  PostgresStore& operator=(const PostgresStore&) = delete;

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
  std::string_view backend() const override { return "postgres"; }

  class Connection;  // one PGconn and its prepared statements; defined in postgres_store.cc

 private:
  explicit PostgresStore(std::unique_ptr<ConnectionPool<Connection>> pool);

  // Runs `use` on a pooled connection; drops the connection instead of reusing it when its link broke.
  template <class T, class Fn>
  core::Result<T> with_connection(Fn&& use);

  std::unique_ptr<ConnectionPool<Connection>> pool_;
};

}  // namespace atrium::storage
