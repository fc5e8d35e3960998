// Time source for everything that depends on time (token expiry, timeouts, creation timestamps), injected
// so tests can control it. SystemClock is thread-safe; FakeClock (core/testing/fake_clock.h) is too.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace atrium::core {

using TimePoint = std::chrono::system_clock::time_point;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::system_clock::now(); }
};

// RFC 3339 in UTC with second precision, as Kubernetes writes timestamps: "2026-11-26T00:38:52Z".
std::string format_rfc3339(TimePoint t);
// RFC 3339 with a trailing Z and optional fractional seconds; nullopt-like error on anything else.
bool parse_rfc3339(std::string_view s, TimePoint& out);

}  // namespace atrium::core
