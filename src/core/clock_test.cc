#include "core/clock.h"

#include <gtest/gtest.h>

#include "core/json.h"
#include "core/log.h"
#include "core/testing/fake_clock.h"
#include "core/uid.h"

namespace atrium::core {
namespace {

TEST(ClockTest, Rfc3339RoundTrip) {
  TimePoint t = TimePoint(std::chrono::seconds(1'795'653'532));
  std::string s = format_rfc3339(t);
  EXPECT_EQ(s, "2026-11-26T00:38:52Z");
  TimePoint back;
  ASSERT_TRUE(parse_rfc3339(s, back));
  EXPECT_EQ(back, t);
  ASSERT_TRUE(parse_rfc3339("2026-11-26T00:38:52.5Z", back));
  EXPECT_EQ(back, t + std::chrono::milliseconds(500));
}

TEST(ClockTest, Rfc3339RejectsGarbage) {
  TimePoint t;
  for (const char* bad :
       {"", "2026-11-26", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-11-26T25:00:00Z", "2026-11-26T00:00:00",
        "2026-11-26T00:00:00.Z", "2026-11-26T00:00:00+01:00", "2026-11-26T00:00:00.12aZ"}) {
    EXPECT_FALSE(parse_rfc3339(bad, t)) << bad;
  }
}

TEST(ClockTest, FakeClockAdvances) {
  FakeClock c;
  TimePoint a = c.now();
  c.advance(std::chrono::minutes(5));
  EXPECT_EQ(c.now() - a, std::chrono::minutes(5));
}

TEST(UidTest, UidsAreV4AndDistinct) {
  std::string a = new_uid(), b = new_uid();
  EXPECT_NE(a, b);
  ASSERT_EQ(a.size(), 36u);
  EXPECT_EQ(a[14], '4');
  EXPECT_TRUE(a[19] == '8' || a[19] == '9' || a[19] == 'a' || a[19] == 'b');
  EXPECT_EQ(new_request_id().size(), 16u);
}

TEST(LogTest, LinesAreValidJsonWithEscapedFields) {
  std::string line = format_log_line(LogLevel::Warn, "login \"failed\"",
                                     {{"user", std::string_view("a\nb")}, {"status", 401LL}, {"ok", false}});
  auto v = parse_json(line);
  ASSERT_TRUE(v) << line;
  EXPECT_EQ(v->at("level").as_string(), "warn");
  EXPECT_EQ(v->at("user").as_string(), "a\nb");
  EXPECT_EQ(v->at("status").as_int64(), 401);
}

}  // namespace
}  // namespace atrium::core
