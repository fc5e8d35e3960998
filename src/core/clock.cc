#include "core/clock.h"

#include <ctime>

#include <fmt/format.h>

namespace atrium::core {

std::string format_rfc3339(TimePoint t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                     tm.tm_min, tm.tm_sec);
}

bool parse_rfc3339(std::string_view s, TimePoint& out) {
  // YYYY-MM-DDTHH:MM:SS[.frac]Z
  if (s.size() < 20 || s.back() != 'Z') return false;
  auto digits = [&](size_t pos, size_t n, int& v) {
    v = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      v = v * 10 + (s[i] - '0');
    }
    return true;
  };
  int Y, M, D, h, m, sec;
  if (!digits(0, 4, Y) || s[4] != '-' || !digits(5, 2, M) || s[7] != '-' || !digits(8, 2, D) ||
      (s[10] != 'T' && s[10] != 't') || !digits(11, 2, h) || s[13] != ':' || !digits(14, 2, m) || s[16] != ':' ||
      !digits(17, 2, sec)) {
    return false;
  }
  if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60) return false;
  std::chrono::nanoseconds frac{0};
  size_t i = 19;
  if (s[i] == '.') {
    ++i;
    int64_t scale = 100'000'000;
    size_t start = i;
    while (i < s.size() - 1 && s[i] >= '0' && s[i] <= '9') {
      frac += std::chrono::nanoseconds((s[i] - '0') * scale);
      scale /= 10;
      ++i;
    }
    if (i == start) return false;
  }
  if (i != s.size() - 1) return false;
  std::chrono::year_month_day ymd{std::chrono::year(Y), std::chrono::month(M), std::chrono::day(D)};
  if (!ymd.ok()) return false;
  auto days = std::chrono::sys_days(ymd);
  out = std::chrono::time_point_cast<TimePoint::duration>(days + std::chrono::hours(h) + std::chrono::minutes(m) +
                                                          std::chrono::seconds(sec) + frac);
  return true;
}

}  // namespace atrium::core
