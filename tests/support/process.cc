#include "support/process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>

extern char** environ;

namespace atrium::testing {

core::Result<int> free_loopback_port() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return core::fail(core::ErrorCode::Unavailable, fmt::format("socket: {}", std::strerror(errno)));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    int err = errno;
    close(fd);
    return core::fail(core::ErrorCode::Unavailable, fmt::format("cannot find a free port: {}", std::strerror(err)));
  }
  close(fd);
  return ntohs(addr.sin_port);
}

core::Result<std::unique_ptr<ChildProcess>> ChildProcess::start(const std::vector<std::string>& argv,
                                                                const std::map<std::string, std::string>& env,
                                                                const std::string& log_file) {
  std::map<std::string, std::string> merged;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv = *e;
    auto eq = kv.find('=');
    if (eq != std::string_view::npos) merged[std::string(kv.substr(0, eq))] = std::string(kv.substr(eq + 1));
  }
  for (const auto& [k, v] : env) merged[k] = v;
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : merged) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp, args;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_copy = argv;
  for (auto& a : argv_copy) args.push_back(a.data());
  args.push_back(nullptr);

  // fork + exec rather than posix_spawn: the child asks to be killed when the test process dies, so a test that
  // crashes (an ASan abort, say) leaves no server running behind it.
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) {
    return core::fail(core::ErrorCode::Unavailable, fmt::format("cannot run {}: {}", argv[0], std::strerror(errno)));
  }
  if (pid == 0) {  // only async-signal-safe calls from here to exec
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    int in = ::open("/dev/null", O_RDONLY);
    int out = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || out < 0) ::_exit(127);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(out, 2);
    ::execve(args[0], args.data(), envp.data());
    ::_exit(127);
  }
  auto p = std::unique_ptr<ChildProcess>(new ChildProcess());
  p->pid_ = pid;
  p->log_file_ = log_file;
  return p;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !status_) {
    if (!signal_and_wait(SIGTERM, std::chrono::seconds(10))) signal_and_wait(SIGKILL, std::chrono::seconds(5));
  }
}

std::optional<int> ChildProcess::wait(std::chrono::milliseconds timeout) {
  if (status_) return status_;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int st = 0;
    pid_t r = waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
      status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
      return status_;
    }
    if (r < 0) {
      status_ = -1;
      return status_;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

bool ChildProcess::running() { return !wait(std::chrono::milliseconds(0)).has_value(); }

std::optional<int> ChildProcess::signal_and_wait(int signal, std::chrono::milliseconds timeout) {
  if (status_) return status_;
  ::kill(pid_, signal);
  return wait(timeout);
}

std::string ChildProcess::log() const {
  std::ifstream in(log_file_, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

core::Result<CommandResult> run_command(const std::vector<std::string>& argv,
                                        const std::map<std::string, std::string>& env,
                                        std::chrono::milliseconds timeout) {
  auto log =
      std::filesystem::temp_directory_path() /
      fmt::format("atrium-cmd-{}-{}.log", ::getpid(), std::chrono::steady_clock::now().time_since_epoch().count());
  auto p = ChildProcess::start(argv, env, log.string());
  if (!p) return core::fail(p.error());
  auto st = (*p)->wait(timeout);
  CommandResult r;
  r.output = (*p)->log();
  std::filesystem::remove(log);
  if (!st) return core::fail(core::ErrorCode::DeadlineExceeded, fmt::format("{} did not finish", argv[0]));
  r.status = *st;
  return r;
}

}  // namespace atrium::testing
