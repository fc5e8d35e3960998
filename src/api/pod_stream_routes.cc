#include "api/pod_stream_routes.h"

#include <atomic>
#include <cctype>
#include <charconv>
#include <chrono>
#include <functional>
#include <list>
#include <mutex>
#include <thread>
#include <utility>

#include <fmt/format.h>

#include "api/api_handler.h"
#include "api/responses.h"
#include "core/log.h"
#include "core/validation.h"

namespace atrium::api {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kChannelProtocol = "v4.channel.k8s.io";
constexpr std::int64_t kMaxTailLines = 1'000'000;
constexpr std::int64_t kMaxSinceSeconds = 10LL * 366 * 24 * 3600;
constexpr std::int64_t kMaxLimitBytes = 1LL << 30;
constexpr std::int64_t kPlainLogLimitBytes = 16LL << 20;  // a plain HTTP log answer is held in memory
constexpr std::size_t kMaxCommandArgs = 64;
constexpr std::size_t kMaxCommandArgBytes = 4096;

// A bad query parameter is a bad request (400); the message names the parameter.
core::Error invalid(std::string_view param, std::string message) {
  return core::Error(core::ErrorCode::InvalidArgument, fmt::format("query parameter {}: {}", param, message));
}

// The single value of a parameter; a repeated one is refused (which one would the apiserver take?).
core::Result<std::optional<std::string>> single(const net::QueryParams& q, std::string_view name) {
  auto [begin, end] = q.equal_range(name);
  if (begin == end) return std::optional<std::string>();
  if (std::next(begin) != end) return core::fail(invalid(name, "given more than once"));
  return std::optional<std::string>(begin->second);
}

core::Result<bool> flag(const net::QueryParams& q, std::string_view name, bool fallback) {
  auto v = single(q, name);
  if (!v) return tl::unexpected(v.error());
  if (!*v) return fallback;
  if (**v == "true" || **v == "1") return true;
  if (**v == "false" || **v == "0") return false;
  return core::fail(invalid(name, "must be true or false"));
}

core::Result<std::optional<std::int64_t>> number(const net::QueryParams& q, std::string_view name, std::int64_t min,
                                                 std::int64_t max) {
  auto v = single(q, name);
  if (!v) return tl::unexpected(v.error());
  if (!*v) return std::optional<std::int64_t>();
  const std::string& s = **v;
  std::int64_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() || n < min || n > max) {
    return core::fail(invalid(name, fmt::format("must be a whole number from {} to {}", min, max)));
  }
  return std::optional<std::int64_t>(n);
}

core::Result<std::string> container(const net::QueryParams& q) {
  auto v = single(q, "container");
  if (!v) return tl::unexpected(v.error());
  if (!*v) return std::string();
  if (auto m = core::validate_dns1123_label(**v); !m.empty()) return core::fail(invalid("container", m));
  return std::move(**v);
}

void append_param(std::string& out, std::string_view name, std::string_view value) {
  out += out.empty() ? '?' : '&';
  out += name;
  out += '=';
  out += net::percent_encode(value);
}

core::Status check_path(const RouteContext& ctx) {
  if (auto m = core::validate_dns1123_label(ctx.param("namespace")); !m.empty()) {
    return core::fail(core::ErrorCode::InvalidArgument, "invalid namespace in the path: " + m);
  }
  if (auto m = core::validate_dns1123_subdomain(ctx.param("name")); !m.empty()) {
    return core::fail(core::ErrorCode::InvalidArgument, "invalid pod name in the path: " + m);
  }
  return {};
}

std::string pod_path(const RouteContext& ctx) {
  return fmt::format("/api/v1/namespaces/{}/pods/{}", ctx.param("namespace"), ctx.param("name"));
}

// Whether the caller offered `protocol` in Sec-WebSocket-Protocol.
bool offered(const net::HttpRequest& request, std::string_view protocol) {
  auto h = request.header("Sec-WebSocket-Protocol");
  if (!h) return false;
  std::string_view rest = *h;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item == protocol) return true;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return false;
}

// The close reason of a WebSocket frame holds at most 123 bytes.
std::string close_reason(std::string message) {
  if (message.size() > 120) message.resize(120);
  std::string pending = std::move(message);
  return take_utf8(pending, true);
}

// Checks that the pod exists and, when given, has the container (a clear 404/400 before a WebSocket opens).
core::Status check_container(kube::Client& client, const RouteContext& ctx, const std::string& container) {
  auto pod = client.get(pod_path(ctx));
  if (!pod) return core::fail(pod.error());
  if (container.empty()) return {};
  auto v = core::parse_json(*pod);
  if (!v || !v->is_object()) return core::fail(core::ErrorCode::Internal, "the cluster sent an unreadable pod");
  const auto* spec = v->as_object().if_contains("spec");
  if (spec && spec->is_object()) {
    for (const char* list : {"containers", "initContainers", "ephemeralContainers"}) {
      const auto* items = spec->as_object().if_contains(list);
      if (!items || !items->is_array()) continue;
      for (const auto& c : items->as_array()) {
        if (!c.is_object()) continue;
        const auto* name = c.as_object().if_contains("name");
        if (name && name->is_string() && name->as_string() == container) return {};
      }
    }
  }
  return core::fail(invalid("container", fmt::format("pod {} has no container \"{}\"", ctx.param("name"), container)));
}

}  // namespace

core::Result<LogOptions> parse_log_options(const net::QueryParams& q) {
  LogOptions o;
  auto c = container(q);
  if (!c) return tl::unexpected(c.error());
  o.container = std::move(*c);
  for (auto [name, field] :
       {std::pair{"follow", &o.follow}, std::pair{"previous", &o.previous}, std::pair{"timestamps", &o.timestamps}}) {
    auto f = flag(q, name, false);
    if (!f) return tl::unexpected(f.error());
    *field = *f;
  }
  auto tail = number(q, "tailLines", 0, kMaxTailLines);
  if (!tail) return tl::unexpected(tail.error());
  o.tail_lines = *tail;
  auto since = number(q, "sinceSeconds", 1, kMaxSinceSeconds);
  if (!since) return tl::unexpected(since.error());
  o.since_seconds = *since;
  auto limit = number(q, "limitBytes", 1, kMaxLimitBytes);
  if (!limit) return tl::unexpected(limit.error());
  o.limit_bytes = *limit;
  return o;
}

std::string log_query(const LogOptions& o) {
  std::string q;
  if (!o.container.empty()) append_param(q, "container", o.container);
  if (o.follow) append_param(q, "follow", "true");
  if (o.previous) append_param(q, "previous", "true");
  if (o.timestamps) append_param(q, "timestamps", "true");
  if (o.tail_lines) append_param(q, "tailLines", std::to_string(*o.tail_lines));
  if (o.since_seconds) append_param(q, "sinceSeconds", std::to_string(*o.since_seconds));
  if (o.limit_bytes) append_param(q, "limitBytes", std::to_string(*o.limit_bytes));
  return q;
}

core::Result<ExecOptions> parse_exec_options(const net::QueryParams& q) {
  ExecOptions o;
  auto c = container(q);
  if (!c) return tl::unexpected(c.error());
  o.container = std::move(*c);
  auto tty = flag(q, "tty", true);
  if (!tty) return tl::unexpected(tty.error());
  o.tty = *tty;
  auto [begin, end] = q.equal_range("command");
  for (auto it = begin; it != end; ++it) {
    const std::string& arg = it->second;
    if (o.command.size() == kMaxCommandArgs) {
      return core::fail(invalid("command", fmt::format("at most {} arguments", kMaxCommandArgs)));
    }
    if (arg.size() > kMaxCommandArgBytes) {
      return core::fail(invalid("command", fmt::format("an argument is longer than {} bytes", kMaxCommandArgBytes)));
    }
    if (arg.find('\0') != std::string::npos) return core::fail(invalid("command", "an argument holds a NUL byte"));
    o.command.push_back(arg);
  }
  if (o.command.empty()) o.command = {"sh"};
  if (o.command.front().empty()) return core::fail(invalid("command", "the program name is empty"));
  return o;
}

std::string exec_query(const ExecOptions& o) {
  std::string q;
  for (const auto& arg : o.command) append_param(q, "command", arg);
  append_param(q, "stdin", "true");
  append_param(q, "stdout", "true");
  // With a TTY the terminal merges stderr into stdout; the apiserver refuses both.
  if (!o.tty) append_param(q, "stderr", "true");
  append_param(q, "tty", o.tty ? "true" : "false");
  if (!o.container.empty()) append_param(q, "container", o.container);
  return q;
}

core::Result<std::string> terminal_frame_to_cluster(std::string_view frame, bool binary) {
  if (!binary) return std::string(1, '\0') + std::string(frame);
  if (frame.empty()) return core::fail(core::ErrorCode::InvalidArgument, "empty terminal frame");
  const char channel = frame.front();
  if (channel == 0) return std::string(frame);
  if (channel != 4) {
    return core::fail(core::ErrorCode::InvalidArgument,
                      fmt::format("terminal frames use channel 0 (stdin) or 4 (resize), not {}", int(channel)));
  }
  auto v = core::parse_json(frame.substr(1));
  auto size = [&](const char* key) -> std::int64_t {
    if (!v || !v->is_object()) return -1;
    const auto* n = v->as_object().if_contains(key);
    return n && n->is_int64() ? n->as_int64() : -1;
  };
  std::int64_t width = size("Width"), height = size("Height");
  if (width < 1 || width > 10'000 || height < 1 || height > 10'000) {
    return core::fail(core::ErrorCode::InvalidArgument,
                      "a resize frame is {\"Width\":W,\"Height\":H} with whole numbers from 1 to 10000");
  }
  return fmt::format("\x04{{\"Width\":{},\"Height\":{}}}", width, height);
}

std::string take_utf8(std::string& pending, bool final) {
  std::string out;
  out.reserve(pending.size());
  std::size_t i = 0;
  const std::size_t n = pending.size();
  while (i < n) {
    auto c = static_cast<unsigned char>(pending[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    if (i + len > n) {
      // Possibly a sequence cut by the chunk boundary: keep it for the next chunk when its bytes so far fit.
      bool fits = true;
      for (std::size_t k = i + 1; k < n; ++k) fits = fits && (static_cast<unsigned char>(pending[k]) >> 6) == 0x2;
      if (!final && fits) break;
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    bool ok = true;
    for (std::size_t k = 1; k < len; ++k) ok = ok && (static_cast<unsigned char>(pending[i + k]) >> 6) == 0x2;
    if (ok && len > 1) {
      std::uint32_t cp = c & (0x7F >> len);
      for (std::size_t k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(pending[i + k]) & 0x3F);
      static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
      ok = cp >= kMin[len] && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
    }
    if (!ok) {
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    out.append(pending, i, len);
    i += len;
  }
  pending.erase(0, i);
  return out;
}

PodStreamRoutes::PodStreamRoutes(kube::ClusterConnections& clusters, audit::AuditLog* audit, PreflightGate preflight)
    : clusters_(clusters),
      audit_(audit),
      preflight_(std::move(preflight)),
      streams_(std::make_shared<StreamThreads>()) {}

PodStreamRoutes::~PodStreamRoutes() { streams_->stop(); }

void PodStreamRoutes::register_routes(Router& router) const {
  const std::string pod = "/api/v1/clusters/{cluster}/namespaces/{namespace}/pods/{name}";
  router.add(Route{.method = "GET",
                   .pattern = pod + "/log",
                   .handler = [this](RouteContext& ctx) { return log(ctx); },
                   .verb = "get",
                   .resource = "pods",
                   .summary = "A container's log: the body, or text frames over a WebSocket (needed for follow=true)",
                   .subresource = "log"});
  router.add(
      Route{.method = "GET",
            .pattern = pod + "/exec",
            .handler = [this](RouteContext& ctx) { return exec(ctx); },
            .verb = "create",
            .resource = "pods",
            .summary = "A terminal in a container over a WebSocket (channel-byte frames, see docs/design/kube.md)",
            .subresource = "exec"});
}

core::Result<net::HttpResponse> PodStreamRoutes::log(RouteContext& ctx) const {
  if (auto s = check_path(ctx); !s) return core::fail(s.error());
  auto options = parse_log_options(ctx.request.query);
  if (!options) return core::fail(options.error());
  auto client = clusters_.client(ctx.param("cluster"));
  if (!client) return core::fail(client.error());
  if (!ctx.request.websocket_upgrade) {
    if (options->follow) {
      return core::fail(invalid("follow", "a followed log is streamed over a WebSocket: send an upgrade request"));
    }
    if (!options->limit_bytes) options->limit_bytes = kPlainLogLimitBytes;
    kube::Request request{"GET", pod_path(ctx) + "/log" + log_query(*options)};
    request.accept = "*/*";
    auto body = (*client)->call(request);
    if (!body) return core::fail(body.error());
    net::HttpResponse r;
    r.headers.set("Content-Type", "text/plain; charset=utf-8");
    r.body = std::move(*body);
    return r;
  }
  if (auto s = check_container(**client, ctx, options->container); !s) return core::fail(s.error());

  struct LogStream {
    std::shared_ptr<kube::Client> client;
    kube::Request request;
    bool follow = false;
    std::atomic<bool> closed{false};
  };
  auto state = std::make_shared<LogStream>();
  state->client = *client;
  state->request = kube::Request{"GET", pod_path(ctx) + "/log" + log_query(*options)};
  state->request.accept = "*/*";
  state->follow = options->follow;
  net::HttpResponse r;
  r.websocket = std::make_shared<net::WebSocketHandler>();
  r.websocket->on_open = [state, streams = streams_](std::shared_ptr<net::WebSocketSession> session) {
    bool started = streams->start([state, session, streams = streams.get()] {
      std::string pending;
      auto result = state->client->stream(
          state->request,
          [&](std::string_view chunk) {
            if (streams->stopping || state->closed) return false;
            if (chunk.empty()) return true;
            pending.append(chunk);
            std::string text = take_utf8(pending, false);
            return text.empty() || session->send_text(std::move(text));
          },
          state->follow ? std::chrono::hours(24 * 365) : std::chrono::minutes(5));
      if (std::string rest = take_utf8(pending, true); !rest.empty()) session->send_text(std::move(rest));
      if (streams->stopping) {
        session->close(1001, "server going away");
      } else if (!result && !state->closed) {
        session->close(1011, close_reason(result.error().message));
      } else {
        session->close(1000, "end of log");
      }
    });
    if (!started) session->close(1001, "server going away");
  };
  r.websocket->on_message = [](std::string_view, bool) {};
  r.websocket->on_close = [state](std::uint16_t) { state->closed = true; };
  return r;
}

core::Result<net::HttpResponse> PodStreamRoutes::exec(RouteContext& ctx) const {
  if (auto s = check_path(ctx); !s) return core::fail(s.error());
  auto options = parse_exec_options(ctx.request.query);
  if (!options) return core::fail(options.error());
  net::HttpResponse r;
  r.websocket = std::make_shared<net::WebSocketHandler>();
  auto client = clusters_.client(ctx.param("cluster"));
  if (!client) return core::fail(client.error());
  // Known defects of the cluster's version with exec (CVE-2018-1002105, CVE-2020-8559) refuse the terminal.
  if (preflight_) {
    if (auto s = preflight_(ctx.param("cluster"), "exec-terminal"); !s) return core::fail(s.error());
  }
  // A plain GET learns what the upgrade would meet (browsers cannot read a refused upgrade's Status): the pod and
  // container are checked, then the server answers 426 Upgrade Required.
  if (!ctx.request.websocket_upgrade) {
    if (auto s = check_container(**client, ctx, options->container); !s) return core::fail(s.error());
    return r;
  }
  kube::Request request{"GET", pod_path(ctx) + "/exec" + exec_query(*options)};
  auto upstream = (*client)->open_websocket(request, {std::string(kChannelProtocol)});
  if (!upstream) {
    audit_exec(ctx, *options, core::http_status(upstream.error()), upstream.error().message);
    return core::fail(upstream.error());
  }
  audit_exec(ctx, *options, 101, {});

  struct Terminal {
    std::unique_ptr<net::WebSocketClient> upstream;
    std::shared_ptr<net::WebSocketSession> session;  // set by on_open, before any message
    std::atomic<bool> closed{false};
  };
  auto state = std::make_shared<Terminal>();
  state->upstream = std::move(*upstream);
  if (offered(ctx.request, kChannelProtocol)) r.websocket->subprotocol = std::string(kChannelProtocol);
  r.websocket->on_open = [state, streams = streams_](std::shared_ptr<net::WebSocketSession> session) {
    state->session = session;
    bool started = streams->start([state, session, streams = streams.get()] {
      bool upstream_ended = false;
      while (!streams->stopping && !state->closed) {
        auto m = state->upstream->receive(500ms);
        if (!m) {
          if (m.error().code == core::ErrorCode::DeadlineExceeded) continue;
          upstream_ended = true;
          break;
        }
        // stdout, stderr and the final status go to the caller as they are; nothing else is expected.
        if (!m->binary || m->data.empty() || m->data[0] < 1 || m->data[0] > 3) continue;
        if (!session->send_binary(std::move(m->data))) break;
      }
      state->upstream->close(1000, {});
      if (streams->stopping) {
        session->close(1001, "server going away");
      } else if (upstream_ended) {
        session->close(1000, "session ended");
      }
    });
    if (!started) session->close(1001, "server going away");
  };
  r.websocket->on_message = [state](std::string_view message, bool binary) {
    auto frame = terminal_frame_to_cluster(message, binary);
    if (!frame) {
      if (state->session) state->session->close(1008, close_reason(frame.error().message));
      return;
    }
    (void)state->upstream->send_binary(std::move(*frame));
  };
  r.websocket->on_close = [state](std::uint16_t) {
    state->closed = true;
    state->upstream->close(1000, {});
  };
  return r;
}

void PodStreamRoutes::audit_exec(const RouteContext& ctx, const ExecOptions& options, int status,
                                 const std::string& error) const {
  if (!audit_) return;
  audit::AuditEvent e = route_audit_event(ctx, status);
  e.verb = "create";
  e.resource = "pods/exec";
  e.name = ctx.param("name");
  std::string command;
  for (const auto& arg : options.command) command += (command.empty() ? "" : " ") + arg;
  if (command.size() > 512) command.resize(512);
  e.message = fmt::format("exec in namespace {} container \"{}\" command \"{}\" tty={}", ctx.param("namespace"),
                          options.container, command, options.tty);
  if (!error.empty()) e.message += ": " + error;
  e.message = take_utf8(e.message, true);
  audit_->record(std::move(e));
}

}  // namespace atrium::api
