#include "identity/token_store.h"

#include <algorithm>
#include <thread>

#include <gtest/gtest.h>

#include "core/testing/fake_clock.h"
#include "crypto/random.h"
#include "identity/session_sweeper.h"
#include "identity/user.h"
#include "storage/testing/temp_store.h"

namespace atrium::identity {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

class TokenStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(store_.ok()); }

  // The sessions actually stored (what a database dump would show), by digest.
  std::vector<std::string> stored_sessions() {
    core::ListOptions opts;
    opts.limit = core::ListOptions::kMaxLimit;
    opts.sort_by = "name";
    auto page = store_->list(std::string(kSessionKind), "", storage::Store::ScopeMatch::Exact, opts);
    EXPECT_TRUE(page);
    std::vector<std::string> names;
    if (page) {
      for (const auto& o : page->items) names.push_back(o.name);
    }
    return names;
  }
  static std::string digest(const IssuedToken& t) { return crypto::sha256_hex(t.token); }

  core::FakeClock clock_;
  storage::testing::TempStore store_;
  TokenLifetimes lifetimes_{.session_idle = minutes(30), .session_absolute = hours(2), .touch_interval = minutes(1)};
  TokenStore tokens_{*store_, clock_, lifetimes_};
};

TEST_F(TokenStoreTest, SweepDeletesIdleAndOverAgeSessionsAndNothingElse) {
  auto idle = tokens_.create_session("alice");  // never used again
  auto old = tokens_.create_session("alice");   // used every 20 minutes until its absolute lifetime ends
  ASSERT_TRUE(idle && old);
  auto api = tokens_.create_api_token("alice", "ci", minutes(10));
  ASSERT_TRUE(api);
  clock_.advance(minutes(20));
  auto live = tokens_.create_session("bob");
  ASSERT_TRUE(live);
  ASSERT_TRUE(tokens_.resolve(old->token));

  // Nothing has expired yet: a sweep deletes nothing.
  auto none = tokens_.sweep_expired(clock_.now());
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_EQ(*none, 0u);
  EXPECT_EQ(stored_sessions().size(), 3u);

  clock_.advance(minutes(15));  // idle: 35 min unused; old and live used 15 min ago
  auto first = tokens_.sweep_expired(clock_.now());
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(*first, 1u);
  auto left = stored_sessions();
  EXPECT_EQ(left.size(), 2u);
  EXPECT_EQ(std::count(left.begin(), left.end(), digest(*idle)), 0) << "the idle session is gone from the store";
  EXPECT_TRUE(tokens_.resolve(old->token));
  EXPECT_TRUE(tokens_.resolve(live->token));
  auto listed = tokens_.list_api_tokens("alice");
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->size(), 1u) << "an expired API token stays listed for its owner";

  // Keep `old` and `live` busy until `old` reaches its absolute lifetime (2 h after its creation).
  for (int i = 0; i < 4; ++i) {
    clock_.advance(minutes(20));
    ASSERT_TRUE(tokens_.resolve(old->token)) << i;
    ASSERT_TRUE(tokens_.resolve(live->token)) << i;
  }
  clock_.advance(minutes(5));  // 2 h since `old` was issued, 1 h 40 min since `live`
  auto second = tokens_.sweep_expired(clock_.now());
  ASSERT_TRUE(second);
  EXPECT_EQ(*second, 1u);
  EXPECT_EQ(stored_sessions(), std::vector<std::string>{digest(*live)});
}

TEST_F(TokenStoreTest, SweepJudgesByTheGivenTimeAndToleratesAConcurrentLogout) {
  auto s = tokens_.create_session("alice");
  ASSERT_TRUE(s);
  clock_.advance(minutes(40));
  // A sweep that judges by an earlier time than the store's clock deletes nothing it should not...
  auto early = tokens_.sweep_expired(clock_.now() - minutes(20));
  ASSERT_TRUE(early);
  EXPECT_EQ(*early, 0u);
  // ...and a session already gone (logged out by another replica) is not an error.
  ASSERT_TRUE(tokens_.revoke_session(s->token));
  auto after = tokens_.sweep_expired(clock_.now());
  ASSERT_TRUE(after) << after.error().message;
  EXPECT_EQ(*after, 0u);
}

TEST_F(TokenStoreTest, SweeperDeletesExpiredSessionsOnATimer) {
  auto expired = tokens_.create_session("alice");
  ASSERT_TRUE(expired);
  clock_.advance(minutes(31));
  auto fresh = tokens_.create_session("bob");
  ASSERT_TRUE(fresh);
  {
    SessionSweeper sweeper(tokens_, clock_, std::chrono::milliseconds(10));
    auto deadline = std::chrono::steady_clock::now() + seconds(10);
    while (sweeper.deleted() < 1 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    EXPECT_EQ(sweeper.deleted(), 1u);
    EXPECT_EQ(stored_sessions(), std::vector<std::string>{digest(*fresh)});

    // The timer keeps running: a session that expires later is swept without anyone presenting it.
    auto sweeps_before = sweeper.sweeps();
    clock_.advance(minutes(31));
    while (sweeper.deleted() < 2 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    EXPECT_GT(sweeper.sweeps(), sweeps_before);
    EXPECT_EQ(sweeper.deleted(), 2u);
    EXPECT_TRUE(stored_sessions().empty());
  }
  // Stopped: nothing sweeps any more.
  auto late = tokens_.create_session("carol");
  ASSERT_TRUE(late);
  clock_.advance(minutes(31));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(stored_sessions(), std::vector<std::string>{digest(*late)});
}

}  // namespace
}  // namespace atrium::identity
