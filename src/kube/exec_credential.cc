#include "kube/exec_credential.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <new>
#include <thread>
#include <utility>

#include <fmt/format.h>

#include "core/json.h"
#include "net/tls_pem.h"

extern char** environ;

namespace atrium::kube {
namespace {

using core::ErrorCode;
namespace json = core::json;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxStderr = 4096;

core::Error invalid(std::string field, const std::string& message) {
  std::string text = "invalid ExecCredential: " + (field.empty() ? message : field + ": " + message);
  return core::Error(ErrorCode::InvalidArgument, std::move(text), {core::Cause{std::move(field), message}});
}

bool has_control(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7F) return true;
  }
  return false;
}

int digits(std::string_view s, std::size_t at, std::size_t n, bool& ok) {
  int v = 0;
  if (at + n > s.size()) {
    ok = false;
    return 0;
  }
  for (std::size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') ok = false;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

// RFC 3339: 2006-01-02T15:04:05[.fraction](Z|+hh:mm|-hh:mm). Times system_clock cannot hold clamp to its
// min/max (9999-12-31 means "does not expire").
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view s) {
  using namespace std::chrono;
  bool ok =
      s.size() >= 20 && s[4] == '-' && s[7] == '-' && (s[10] == 'T' || s[10] == 't') && s[13] == ':' && s[16] == ':';
  if (!ok) return std::nullopt;
  int y = digits(s, 0, 4, ok), mo = digits(s, 5, 2, ok), d = digits(s, 8, 2, ok);
  int h = digits(s, 11, 2, ok), mi = digits(s, 14, 2, ok), se = digits(s, 17, 2, ok);
  std::size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    std::size_t start = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start) return std::nullopt;
  }
  int offset = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i + 6 == s.size() && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
    int oh = digits(s, i + 1, 2, ok), om = digits(s, i + 4, 2, ok);
    if (oh > 23 || om > 59) return std::nullopt;
    offset = (s[i] == '-' ? -1 : 1) * (oh * 60 + om);
    i += 6;
  } else {
    return std::nullopt;
  }
  if (!ok || i != s.size()) return std::nullopt;
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || se > 60) return std::nullopt;
  if (se == 60) se = 59;  // a leap second
  // In seconds first: system_clock counts nanoseconds and holds only the years 1678 to 2261.
  const sys_seconds at = sys_days(ymd) + hours(h) + minutes(mi) + seconds(se) - minutes(offset);
  const auto limit = duration_cast<seconds>(system_clock::duration::max()) - seconds(1);
  if (at.time_since_epoch() >= limit) return system_clock::time_point::max();
  if (at.time_since_epoch() <= -limit) return system_clock::time_point::min();
  return time_point_cast<system_clock::duration>(at);
}

std::string first_line(std::string_view s) {
  auto start = s.find_first_not_of(" \t\r\n");
  if (start == std::string_view::npos) return {};
  s = s.substr(start);
  s = s.substr(0, s.find_first_of("\r\n"));
  std::string out(s.substr(0, 300));
  for (auto& c : out) {
    if (static_cast<unsigned char>(c) < 0x20) c = ' ';
  }
  return out;
}

// The child's environment: ours, then the plugin's entries (which win), then KUBERNETES_EXEC_INFO.
std::vector<std::string> child_environment(const ExecPlugin& plugin) {
  std::map<std::string, std::string> vars;
  std::vector<std::string> order;
  auto put = [&](const std::string& name, std::string value) {
    if (vars.find(name) == vars.end()) order.push_back(name);
    vars[name] = std::move(value);
  };
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    auto eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    put(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  for (const auto& [k, v] : plugin.env) put(k, v);
  // client.authentication.k8s.io: the plugin learns the API version it must answer in and that no terminal is
  // attached (stdin is /dev/null).
  json::object info{
      {"apiVersion", plugin.api_version}, {"kind", "ExecCredential"}, {"spec", json::object{{"interactive", false}}}};
  put("KUBERNETES_EXEC_INFO", json::serialize(info));
  std::vector<std::string> out;
  out.reserve(order.size());
  for (const auto& name : order) out.push_back(name + "=" + vars[name]);
  return out;
}

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

struct Spawned {
  pid_t pid = -1;
  Fd out, err;
};

core::Result<Spawned> spawn(const ExecPlugin& plugin) {
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    return core::fail(ErrorCode::Unavailable, std::string("exec plugin: pipe: ") + std::strerror(errno));
  }
  Fd out_r(out_pipe[0]), out_w(out_pipe[1]);
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    return core::fail(ErrorCode::Unavailable, std::string("exec plugin: pipe: ") + std::strerror(errno));
  }
  Fd err_r(err_pipe[0]), err_w(err_pipe[1]);

  std::vector<std::string> args{plugin.command};
  args.insert(args.end(), plugin.args.begin(), plugin.args.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env = child_environment(plugin);
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out_w.get(), 1);
  posix_spawn_file_actions_adddup2(&actions, err_w.get(), 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own process group, so a time limit kills what the plugin started too; default signal handling and an
  // empty mask whatever this process uses (servers ignore SIGPIPE).
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGINT);
  sigaddset(&defaults, SIGTERM);
  sigaddset(&defaults, SIGHUP);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  int rc = ::posix_spawnp(&pid, plugin.command.c_str(), &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    return core::fail(ErrorCode::Unavailable,
                      fmt::format("cannot start exec plugin \"{}\": {}", plugin.command, std::strerror(rc)));
  }
  Spawned s;
  s.pid = pid;
  s.out = std::move(out_r);
  s.err = std::move(err_r);
  return s;
}

void kill_group(pid_t pid) {
  ::kill(-pid, SIGKILL);
  ::kill(pid, SIGKILL);
}

// Reaps the child; one that outlives the deadline (it closed its pipes but went on running) is killed.
int reap(pid_t pid, Clock::time_point deadline, bool& timed_out) {
  int status = 0;
  for (;;) {
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid || (r < 0 && errno != EINTR)) return status;
    if (Clock::now() >= deadline) {
      timed_out = true;
      kill_group(pid);
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      return status;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace

core::Result<ExecCredentialResult> run_exec_plugin(const ExecPlugin& plugin, const ExecRunOptions& options) {
  try {
    if (plugin.command.empty()) return core::fail(ErrorCode::InvalidArgument, "exec plugin has no command");
    auto child = spawn(plugin);
    if (!child) return tl::unexpected(child.error());
    const pid_t pid = child->pid;
    const auto deadline = Clock::now() + options.timeout;
    std::string out, err;
    bool out_open = true, err_open = true, exited = false, too_much = false, timed_out = false;
    int status = 0;
    char buf[16384];
    while (out_open || err_open) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) {
        timed_out = true;
        break;
      }
      pollfd fds[2] = {{out_open ? child->out.get() : -1, POLLIN, 0}, {err_open ? child->err.get() : -1, POLLIN, 0}};
      // Wake up now and then: a plugin that exited may have left a background process holding the pipes.
      int n = ::poll(fds, 2, static_cast<int>(std::min<long long>(left.count(), 50)));
      if (n < 0 && errno != EINTR) break;
      for (int i = 0; i < 2 && n > 0; ++i) {
        if (fds[i].revents == 0) continue;
        ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
        if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        if (got <= 0) {
          (i == 0 ? out_open : err_open) = false;
          continue;
        }
        if (i == 0) {
          out.append(buf, static_cast<std::size_t>(got));
          if (out.size() > options.max_output) {
            too_much = true;
            break;
          }
        } else if (err.size() < kMaxStderr) {
          err.append(buf, std::min(static_cast<std::size_t>(got), kMaxStderr - err.size()));
        }
      }
      if (too_much) break;
      if (!exited && (out_open || err_open) && ::waitpid(pid, &status, WNOHANG) == pid) {
        exited = true;
        // Whatever it wrote before exiting is already in the pipes: take it, without waiting for EOF.
        for (Fd* fd : {&child->out, &child->err}) ::fcntl(fd->get(), F_SETFL, O_NONBLOCK);
        for (int i = 0; i < 2; ++i) {
          Fd& fd = i == 0 ? child->out : child->err;
          ssize_t got;
          while ((got = ::read(fd.get(), buf, sizeof buf)) > 0) {
            if (i == 0) {
              out.append(buf, static_cast<std::size_t>(got));
              if (out.size() > options.max_output) too_much = true;
              if (too_much) break;
            } else if (err.size() < kMaxStderr) {
              err.append(buf, std::min(static_cast<std::size_t>(got), kMaxStderr - err.size()));
            }
          }
        }
        break;
      }
    }
    if (timed_out || too_much) kill_group(pid);
    if (!exited) status = reap(pid, deadline, timed_out);
    child->out.reset();
    child->err.reset();

    std::string what = fmt::format("exec plugin \"{}\"", plugin.command);
    std::string said = first_line(err);
    if (timed_out) {
      return core::fail(ErrorCode::Unavailable, fmt::format("{} did not finish within {} ms{}", what,
                                                            options.timeout.count(), said.empty() ? "" : ": " + said));
    }
    if (too_much) {
      return core::fail(ErrorCode::InvalidArgument,
                        fmt::format("{} printed more than {} bytes", what, options.max_output));
    }
    if (WIFSIGNALED(status)) {
      return core::fail(ErrorCode::Unavailable, fmt::format("{} was killed by signal {}{}", what, WTERMSIG(status),
                                                            said.empty() ? "" : ": " + said));
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      return core::fail(ErrorCode::Unavailable,
                        fmt::format("{} exited with status {}{}", what, WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                                    said.empty() ? "" : ": " + said));
    }
    auto credential = parse_exec_credential(out);
    if (!credential) return tl::unexpected(credential.error().with_context(what));
    // The plugin must answer in the version it was asked for.
    auto doc = core::parse_json(out);
    if (doc && doc->is_object()) {
      auto* v = doc->as_object().if_contains("apiVersion");
      if (v && v->is_string() && v->get_string() != plugin.api_version) {
        return tl::unexpected(invalid("apiVersion", fmt::format("is {}, but the kubeconfig asked for {}",
                                                                std::string_view(v->get_string()), plugin.api_version))
                                  .with_context(what));
      }
    }
    return credential;
  } catch (const std::bad_alloc&) {
    return core::fail(ErrorCode::ResourceExhausted, "exec plugin: out of memory");
  } catch (const std::exception& e) {
    return core::fail(ErrorCode::Internal, std::string("exec plugin: ") + e.what());
  }
}

core::Result<ExecCredentialResult> parse_exec_credential(std::string_view text) {
  try {
    auto doc = core::parse_json(text);
    if (!doc) return tl::unexpected(invalid("", doc.error().message));
    if (!doc->is_object()) return tl::unexpected(invalid("", "must be a JSON object"));
    const auto& o = doc->as_object();
    auto str = [](const json::object& obj, std::string_view key) -> std::optional<std::string_view> {
      auto* v = obj.if_contains(key);
      if (!v || !v->is_string()) return std::nullopt;
      return std::string_view(v->get_string());
    };
    auto kind = str(o, "kind");
    if (!kind || *kind != "ExecCredential") return tl::unexpected(invalid("kind", "must be ExecCredential"));
    auto api = str(o, "apiVersion");
    if (!api || (*api != "client.authentication.k8s.io/v1" && *api != "client.authentication.k8s.io/v1beta1")) {
      return tl::unexpected(invalid("apiVersion", "must be client.authentication.k8s.io/v1 or v1beta1"));
    }
    auto* status_v = o.if_contains("status");
    if (!status_v || !status_v->is_object()) return tl::unexpected(invalid("status", "is missing"));
    const auto& status = status_v->as_object();
    for (const char* key : {"token", "clientCertificateData", "clientKeyData", "expirationTimestamp"}) {
      auto* v = status.if_contains(key);
      if (v && !v->is_string() && !v->is_null()) {
        return tl::unexpected(invalid(std::string("status.") + key, "must be a string"));
      }
    }

    ExecCredentialResult r;
    r.token = std::string(str(status, "token").value_or(""));
    r.client_certificate_pem = std::string(str(status, "clientCertificateData").value_or(""));
    r.client_key_pem = std::string(str(status, "clientKeyData").value_or(""));
    if (has_control(r.token)) return tl::unexpected(invalid("status.token", "contains a control character"));
    if (r.client_certificate_pem.empty() != r.client_key_pem.empty()) {
      return tl::unexpected(invalid(r.client_key_pem.empty() ? "status.clientKeyData" : "status.clientCertificateData",
                                    "clientCertificateData and clientKeyData come together"));
    }
    if (r.token.empty() && r.client_certificate_pem.empty()) {
      return tl::unexpected(invalid("status", "has neither token nor clientCertificateData and clientKeyData"));
    }
    if (!r.client_certificate_pem.empty()) {
      if (auto info = net::inspect_certificate_pem(r.client_certificate_pem); !info) {
        return tl::unexpected(invalid("status.clientCertificateData", info.error().message));
      }
      if (auto s = net::check_key_matches_certificate_pem(r.client_certificate_pem, r.client_key_pem); !s) {
        return tl::unexpected(invalid("status.clientKeyData", s.error().message));
      }
    }
    if (auto ts = str(status, "expirationTimestamp"); ts && !ts->empty()) {
      r.expiry = parse_rfc3339(*ts);
      if (!r.expiry) {
        return tl::unexpected(
            invalid("status.expirationTimestamp", "must be an RFC 3339 time such as 2006-01-02T15:04:05Z"));
      }
    }
    return r;
  } catch (const std::bad_alloc&) {
    return core::fail(ErrorCode::ResourceExhausted, "ExecCredential: out of memory");
  } catch (const std::exception& e) {
    return tl::unexpected(invalid("", e.what()));
  }
}

}  // namespace atrium::kube
