#include "identity/login_throttle.h"

#include <gtest/gtest.h>

#include "core/testing/fake_clock.h"

namespace atrium::identity {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

TEST(LoginThrottleTest, DelaysGrowAfterFreeFailuresThenLockout) {
  core::FakeClock clock;
  LoginThrottle t(clock);
  for (int i = 0; i < 4; ++i) {
    EXPECT_FALSE(t.retry_after("alice", "10.0.0.1")) << i;
    t.record_failure("alice", "10.0.0.1");
  }
  EXPECT_FALSE(t.retry_after("alice", "10.0.0.1"));
  t.record_failure("alice", "10.0.0.1");  // 5th
  EXPECT_EQ(t.retry_after("alice", "10.0.0.1"), seconds(1));
  clock.advance(seconds(1));
  EXPECT_FALSE(t.retry_after("alice", "10.0.0.1"));
  t.record_failure("alice", "10.0.0.1");  // 6th
  EXPECT_EQ(t.retry_after("alice", "10.0.0.1"), seconds(2));
  clock.advance(seconds(2));
  t.record_failure("alice", "10.0.0.1");  // 7th
  EXPECT_EQ(t.retry_after("alice", "10.0.0.1"), seconds(4));
  // The user name is throttled from any address; the address for any user name.
  EXPECT_EQ(t.retry_after("alice", "192.0.2.9"), seconds(4));
  EXPECT_EQ(t.retry_after("bob", "10.0.0.1"), seconds(4));
  EXPECT_FALSE(t.retry_after("bob", "192.0.2.9"));
  for (int i = 8; i <= 10; ++i) {
    clock.advance(minutes(2));
    t.record_failure("alice", "10.0.0.1");
  }
  EXPECT_EQ(t.retry_after("alice", "192.0.2.9"), seconds(15 * 60));
}

TEST(LoginThrottleTest, LockoutExpiresAndCountingStartsAgain) {
  core::FakeClock clock;
  LoginThrottle t(clock);
  for (int i = 0; i < 10; ++i) {
    clock.advance(minutes(2));
    t.record_failure("admin", "203.0.113." + std::to_string(i));  // spread over addresses
  }
  EXPECT_EQ(t.retry_after("admin", "127.0.0.1"), seconds(15 * 60));
  clock.advance(minutes(15));
  EXPECT_FALSE(t.retry_after("admin", "127.0.0.1")) << "a lockout must expire";
  t.record_failure("admin", "203.0.113.99");
  EXPECT_FALSE(t.retry_after("admin", "127.0.0.1")) << "after a lockout the count restarts";
}

TEST(LoginThrottleTest, SuccessForgetsTheUserButNotTheAddress) {
  core::FakeClock clock;
  LoginThrottle t(clock);
  for (int i = 0; i < 6; ++i) t.record_failure("alice", "10.0.0.1");
  t.record_success("alice");
  EXPECT_FALSE(t.retry_after("alice", "10.0.0.2"));
  EXPECT_TRUE(t.retry_after("alice", "10.0.0.1"));
}

TEST(LoginThrottleTest, MemoryIsBoundedUnderAFloodOfNames) {
  core::FakeClock clock;
  LoginThrottle t(clock, ThrottleOptions{.max_keys = 100});
  for (int i = 0; i < 1000; ++i) t.record_failure("user" + std::to_string(i), "10.0.0.1");
  // The flood address has its own key; it is locked and so survives pruning.
  EXPECT_TRUE(t.retry_after("nobody", "10.0.0.1"));
}

}  // namespace
}  // namespace atrium::identity
