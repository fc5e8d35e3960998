// Child processes and loopback ports for integration tests: start a real binary with arguments and
// environment, capture its output to a file, wait with a deadline, stop it (SIGTERM, then SIGKILL).
// The destructor always stops the child, so a failing test leaves nothing running. Not thread-safe.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"

namespace atrium::testing {

// A port on 127.0.0.1 that was free a moment ago (another process may still take it).
core::Result<int> free_loopback_port();

class ChildProcess {
 public:
  // Runs argv[0] (a path) with the current environment plus `env`; stdout and stderr go to `log_file`.
  static core::Result<std::unique_ptr<ChildProcess>> start(const std::vector<std::string>& argv,
                                                           const std::map<std::string, std::string>& env,
                                                           const std::string& log_file);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  // Sends `signal` and waits up to `timeout` for the exit; nullopt when it did not exit in time.
  std::optional<int> signal_and_wait(int signal, std::chrono::milliseconds timeout);
  // Waits for exit; returns the exit status (128+signal when killed), nullopt on timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  std::string log() const;

 private:
  ChildProcess() = default;
  pid_t pid_ = -1;
  std::optional<int> status_;
  std::string log_file_;
};

// Runs a command to completion (for CLI tests): exit status and combined output.
struct CommandResult {
  int status = -1;
  std::string output;
};
core::Result<CommandResult> run_command(const std::vector<std::string>& argv,
                                        const std::map<std::string, std::string>& env,
                                        std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace atrium::testing
