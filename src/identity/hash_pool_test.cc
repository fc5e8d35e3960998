#include "identity/hash_pool.h"

#include <atomic>
#include <future>
#include <thread>

#include <gtest/gtest.h>

namespace atrium::identity {
namespace {

TEST(HashPoolTest, RunsJobsAndReturnsTheirResults) {
  HashPool pool(HashPoolOptions{.workers = 2, .queue_capacity = 1});
  auto yes = pool.run([] { return true; });
  ASSERT_TRUE(yes);
  EXPECT_TRUE(*yes);
  auto s = pool.run([]() -> core::Result<std::string> { return std::string("hashed"); });
  ASSERT_TRUE(s);
  EXPECT_EQ(*s, "hashed");
  EXPECT_EQ(pool.in_flight(), 0u);
}

TEST(HashPoolTest, BackToBackJobsOnAOneSlotPoolAreNeverRefused) {
  HashPool pool(HashPoolOptions{.workers = 1, .queue_capacity = 0});
  for (int i = 0; i < 500; ++i) ASSERT_TRUE(pool.run([] { return true; })) << i;
}

TEST(HashPoolTest, FullPoolRefusesAtOnceWithoutRunningTheJob) {
  HashPool pool(HashPoolOptions{.workers = 1, .queue_capacity = 1});
  std::promise<void> release;
  std::shared_future<void> gate = release.get_future().share();
  std::atomic<int> started{0};
  auto blocker = [&] {
    started++;
    gate.wait();
    return true;
  };
  auto a = std::async(std::launch::async, [&] { return pool.run(blocker); });
  while (pool.in_flight() < 1) std::this_thread::yield();
  auto b = std::async(std::launch::async, [&] { return pool.run(blocker); });
  while (pool.in_flight() < 2) std::this_thread::yield();

  std::atomic<bool> ran{false};
  auto refused = pool.run([&] {
    ran = true;
    return true;
  });
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::ErrorCode::ResourceExhausted);
  EXPECT_FALSE(ran);

  release.set_value();
  EXPECT_TRUE(a.get());
  EXPECT_TRUE(b.get());
  EXPECT_EQ(started, 2);
  EXPECT_TRUE(pool.run([] { return true; })) << "capacity comes back when jobs finish";
}

}  // namespace
}  // namespace atrium::identity
