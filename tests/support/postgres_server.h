// A throw-away PostgreSQL 15 server for tests: its own temporary data and socket directories, a free loopback
// port, fsync off. Stopped and deleted by the destructor, and by a watchdog process if the test process dies
// first (crash, sanitizer abort, Ctrl-C). Thread-safe after start().
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"

namespace atrium::testing {

class PostgresServer {
 public:
  struct Options {
    std::string bin_dir = "/usr/lib/postgresql/15/bin";
    std::string database = "atrium_test";  // created empty at start
    std::chrono::seconds ready_timeout{60};
  };

  // initdb + start + wait until it accepts connections + create `database`. Runs the server as the `postgres`
  // OS user when called as root (initdb refuses root). Errors carry the server's log tail.
  static core::Result<std::unique_ptr<PostgresServer>> start(const Options& options);
  static core::Result<std::unique_ptr<PostgresServer>> start() { return start(Options()); }

  ~PostgresServer();  // pg_ctl stop -m immediate, then removes the directory
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  int port() const { return port_; }
  const std::string& directory() const { return dir_; }
  // postgres://postgres@127.0.0.1:PORT/<options.database>
  const std::string& url() const { return url_; }
  std::string url_for(const std::string& database) const;
  // Creates an empty database and returns its URL. Errors: AlreadyExists, Unavailable.
  core::Result<std::string> create_database(const std::string& name);
  // Runs SQL (one or more statements) on `database` as the superuser.
  core::Status execute(const std::string& database, const std::string& sql);

 private:
  PostgresServer() = default;

  core::Status spawn_watchdog();
  core::Status init_cluster();
  core::Status launch(int port);
  core::Status wait_until_ready(std::chrono::steady_clock::time_point deadline);
  std::string log_tail() const;
  // Runs a program (as the postgres user when we are root), output appended to commands.log; returns its exit code.
  core::Result<int> run(std::vector<std::string> argv) const;

  Options options_;
  std::string dir_;
  std::string data_dir_;
  std::string socket_dir_;
  int port_ = 0;
  std::string url_;
  bool as_postgres_user_ = false;
  int watchdog_pipe_ = -1;  // write end; the watchdog cleans up when it closes
  int watchdog_pid_ = -1;
};

}  // namespace atrium::testing
