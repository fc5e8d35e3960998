#include "support/postgres_server.h"
#include "support/process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pwd.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

extern char** environ;

namespace atrium::testing {
namespace {

namespace fs = std::filesystem;

core::Error failure(std::string message) { return core::Error(core::ErrorCode::Unavailable, std::move(message)); }

std::string read_tail(const std::string& path, std::size_t bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  return s.size() > bytes ? "..." + s.substr(s.size() - bytes) : s;
}

bool file_contains(const std::string& path, std::string_view needle) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str().find(needle) != std::string::npos;
}

core::Result<pid_t> spawn(const std::vector<std::string>& argv, posix_spawn_file_actions_t* actions,
                          posix_spawnattr_t* attr) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, args[0], actions, attr, args.data(), environ);
  if (rc != 0) return core::fail(failure(fmt::format("cannot run {}: {}", argv[0], std::strerror(rc))));
  return pid;
}

std::string conninfo(int port, const std::string& database) {
  return fmt::format("host=127.0.0.1 port={} user=postgres dbname={} connect_timeout=5", port, database);
}

}  // namespace

core::Result<std::unique_ptr<PostgresServer>> PostgresServer::start(const Options& options) {
  auto server = std::unique_ptr<PostgresServer>(new PostgresServer());
  server->options_ = options;
  if (!fs::exists(options.bin_dir + "/initdb")) {
    return core::fail(
        failure(fmt::format("PostgreSQL binaries not found in {} (scripts/setup.sh installs "
                            "postgresql-15)",
                            options.bin_dir)));
  }
  char tmpl[] = "/tmp/atrium-pg-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return core::fail(failure(fmt::format("mkdtemp: {}", std::strerror(errno))));
  server->dir_ = tmpl;
  server->data_dir_ = server->dir_ + "/data";
  server->socket_dir_ = server->dir_ + "/socket";
  if (auto s = server->spawn_watchdog(); !s) return core::fail(s.error());
  if (auto s = server->init_cluster(); !s) return core::fail(s.error());

  auto deadline = std::chrono::steady_clock::now() + options.ready_timeout;
  core::Status started = core::fail(failure("not started"));
  for (int attempt = 0; attempt < 5 && !started; ++attempt) {
    auto port = free_loopback_port();
    if (!port) return core::fail(port.error());
    started = server->launch(*port);
    if (started) started = server->wait_until_ready(deadline);
    if (!started && !file_contains(server->dir_ + "/server.log", "could not bind")) break;
  }
  if (!started) return core::fail(started.error());
  server->url_ = server->url_for(options.database);
  auto created = server->create_database(options.database);
  if (!created) return core::fail(created.error());
  return server;
}

core::Status PostgresServer::spawn_watchdog() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return core::fail(failure(fmt::format("pipe: {}", std::strerror(errno))));
  watchdog_pipe_ = fds[1];
  std::vector<std::string> argv = {"/bin/sh",
                                   "-c",
                                   "trap '' INT TERM HUP\n"
                                   "pg_ctl=$1 data=$2 dir=$3; shift 3\n"
                                   "cat >/dev/null\n"  // returns when the test process closes the pipe or dies
                                   "if [ -f \"$data/postmaster.pid\" ]; then\n"
                                   "  \"$@\" \"$pg_ctl\" stop -D \"$data\" -m immediate -w >/dev/null 2>&1\n"
                                   "fi\n"
                                   "rm -rf \"$dir\"\n",
                                   "watchdog",
                                   options_.bin_dir + "/pg_ctl",
                                   data_dir_,
                                   dir_};
  if (geteuid() == 0) {
    as_postgres_user_ = true;
    argv.insert(argv.end(), {"/usr/sbin/runuser", "-u", "postgres", "--"});
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[0], 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);  // out of the terminal's process group: survives Ctrl-C
  auto pid = spawn(argv, &actions, &attr);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(fds[0]);
  if (!pid) return core::fail(pid.error());
  watchdog_pid_ = *pid;
  return {};
}

core::Status PostgresServer::init_cluster() {
  if (mkdir(socket_dir_.c_str(), 0700) != 0) {
    return core::fail(failure(fmt::format("mkdir {}: {}", socket_dir_, std::strerror(errno))));
  }
  if (as_postgres_user_) {
    passwd* pw = getpwnam("postgres");
    if (pw == nullptr) {
      return core::fail(
          failure("running as root but there is no postgres user to run PostgreSQL as "
                  "(scripts/setup.sh installs postgresql-15, which creates it)"));
    }
    for (const std::string& d : {dir_, socket_dir_}) {
      if (chown(d.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
        return core::fail(failure(fmt::format("chown {}: {}", d, std::strerror(errno))));
      }
    }
  }
  auto rc = run({options_.bin_dir + "/initdb", "-D", data_dir_, "-U", "postgres", "-A", "trust", "-E", "UTF8",
                 "--no-locale", "--no-sync", "--no-instructions"});
  if (!rc) return core::fail(rc.error());
  if (*rc != 0) return core::fail(failure(fmt::format("initdb failed (exit {}):\n{}", *rc, log_tail())));
  std::ofstream conf(data_dir_ + "/postgresql.conf", std::ios::app);
  conf << "\n# atrium test server\n"
       << "listen_addresses = '127.0.0.1'\n"
       << "unix_socket_directories = '" << socket_dir_ << "'\n"
       << "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
       << "max_connections = 300\nshared_buffers = 32MB\n";
  if (!conf) return core::fail(failure("cannot write postgresql.conf"));
  return {};
}

core::Status PostgresServer::launch(int port) {
  port_ = port;
  auto rc = run({options_.bin_dir + "/pg_ctl", "start", "-D", data_dir_, "-l", dir_ + "/server.log", "-W", "-o",
                 fmt::format("-p {}", port)});
  if (!rc) return core::fail(rc.error());
  if (*rc != 0) return core::fail(failure(fmt::format("pg_ctl start failed (exit {}):\n{}", *rc, log_tail())));
  return {};
}

core::Status PostgresServer::wait_until_ready(std::chrono::steady_clock::time_point deadline) {
  const std::string info = conninfo(port_, "postgres");
  const std::string log = dir_ + "/server.log";
  while (true) {
    if (PQping(info.c_str()) == PQPING_OK) return {};
    if (file_contains(log, "database system is shut down") || file_contains(log, "could not bind")) {
      return core::fail(failure(fmt::format("PostgreSQL on port {} exited during start-up:\n{}", port_, log_tail())));
    }
    if (std::chrono::steady_clock::now() > deadline) {
      return core::fail(failure(fmt::format("PostgreSQL on port {} was not ready within {} s:\n{}", port_,
                                            options_.ready_timeout.count(), log_tail())));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // poll interval, not a readiness guess
  }
}

PostgresServer::~PostgresServer() {
  // The watchdog stops the server (pg_ctl stop -m immediate) and removes the directory once the pipe closes.
  if (watchdog_pipe_ >= 0) close(watchdog_pipe_);
  if (watchdog_pid_ > 0) {
    int status = 0;
    while (waitpid(watchdog_pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

std::string PostgresServer::url_for(const std::string& database) const {
  return fmt::format("postgres://postgres@127.0.0.1:{}/{}", port_, database);
}

core::Status PostgresServer::execute(const std::string& database, const std::string& sql) {
  PGconn* conn = PQconnectdb(conninfo(port_, database).c_str());
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn);
    PQfinish(conn);
    return core::fail(failure(fmt::format("cannot connect to the test server: {}", message)));
  }
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  PGresult* result = PQexec(conn, sql.c_str());
  ExecStatusType status = PQresultStatus(result);
  std::string message = PQresultErrorMessage(result);
  const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  bool duplicate = state != nullptr && (std::string_view(state) == "42P04" || std::string_view(state) == "23505");
  PQclear(result);
  PQfinish(conn);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    return core::fail(core::Error(duplicate ? core::ErrorCode::AlreadyExists : core::ErrorCode::Internal,
                                  fmt::format("{}: {}", sql.substr(0, 200), message)));
  }
  return {};
}

core::Result<std::string> PostgresServer::create_database(const std::string& name) {
  std::string quoted = "\"";
  for (char c : name) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  quoted += '"';
  if (auto s = execute("postgres", "CREATE DATABASE " + quoted); !s) return core::fail(s.error());
  return url_for(name);
}

std::string PostgresServer::log_tail() const {
  return read_tail(dir_ + "/commands.log", 2000) + read_tail(dir_ + "/server.log", 3000);
}

core::Result<int> PostgresServer::run(std::vector<std::string> argv) const {
  if (as_postgres_user_) argv.insert(argv.begin(), {"/usr/sbin/runuser", "-u", "postgres", "--"});
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  const std::string log = dir_ + "/commands.log";
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  auto pid = spawn(argv, &actions, nullptr);
  posix_spawn_file_actions_destroy(&actions);
  if (!pid) return core::fail(pid.error());
  int status = 0;
  while (waitpid(*pid, &status, 0) < 0) {
    if (errno != EINTR) return core::fail(failure(fmt::format("waitpid: {}", std::strerror(errno))));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace atrium::testing
