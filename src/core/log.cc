#include "core/log.h"

#include <atomic>
#include <chrono>

#include <fmt/format.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "core/clock.h"
#include "core/json.h"

namespace atrium::core {
namespace {

std::atomic<LogLevel> g_level{LogLevel::Info};

spdlog::logger& logger() {
  static auto l = [] {
    auto lg = std::make_shared<spdlog::logger>("atrium", std::make_shared<spdlog::sinks::stderr_sink_mt>());
    lg->set_pattern("%v");
    lg->set_level(spdlog::level::trace);
    lg->flush_on(spdlog::level::trace);
    return lg;
  }();
  return *l;
}

std::string_view level_name(LogLevel l) {
  switch (l) {
    case LogLevel::Debug:
      return "debug";
    case LogLevel::Info:
      return "info";
    case LogLevel::Warn:
      return "warn";
    case LogLevel::Error:
      return "error";
  }
  return "info";
}

}  // namespace

void set_log_level(LogLevel level) { g_level.store(level); }

bool parse_log_level(std::string_view s, LogLevel& out) {
  if (s == "debug")
    out = LogLevel::Debug;
  else if (s == "info")
    out = LogLevel::Info;
  else if (s == "warn")
    out = LogLevel::Warn;
  else if (s == "error")
    out = LogLevel::Error;
  else
    return false;
  return true;
}

std::string format_log_line(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields) {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::string ts = format_rfc3339(now);
  ts.insert(ts.size() - 1, fmt::format(".{:03}", ms));
  std::string out = "{\"ts\":\"" + ts + "\",\"level\":\"" + std::string(level_name(level)) + "\",\"msg\":";
  append_json_string(out, msg);
  for (const auto& [k, v] : fields) {
    out += ',';
    append_json_string(out, k);
    out += ':';
    std::visit(
        [&](const auto& x) {
          using T = std::decay_t<decltype(x)>;
          if constexpr (std::is_same_v<T, std::string_view>)
            append_json_string(out, x);
          else if constexpr (std::is_same_v<T, bool>)
            out += x ? "true" : "false";
          else
            out += fmt::format("{}", x);
        },
        v);
  }
  out += '}';
  return out;
}

void log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields) {
  if (level < g_level.load(std::memory_order_relaxed)) return;
  logger().info(format_log_line(level, msg, fields));
}

}  // namespace atrium::core
