// Structured JSON logs, one object per line on stderr: {"ts":...,"level":...,"msg":...,<fields>}.
// The one logging call of Atrium. Thread-safe (spdlog's multi-threaded sink underneath).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace atrium::core {

enum class LogLevel { Debug, Info, Warn, Error };

using LogValue = std::variant<std::string_view, long long, double, bool>;
using LogField = std::pair<std::string_view, LogValue>;

// Sets the minimum level; default Info. Safe to call at any time.
void set_log_level(LogLevel level);
bool parse_log_level(std::string_view s, LogLevel& out);

void log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields = {});
inline void log_debug(std::string_view m, std::initializer_list<LogField> f = {}) { log(LogLevel::Debug, m, f); }
inline void log_info(std::string_view m, std::initializer_list<LogField> f = {}) { log(LogLevel::Info, m, f); }
inline void log_warn(std::string_view m, std::initializer_list<LogField> f = {}) { log(LogLevel::Warn, m, f); }
inline void log_error(std::string_view m, std::initializer_list<LogField> f = {}) { log(LogLevel::Error, m, f); }

// Formats one log line (without newline); exposed for tests.
std::string format_log_line(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields);

}  // namespace atrium::core
