#include "storage/caching_store.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "core/testing/fake_clock.h"

namespace atrium::storage {
namespace {

class CachingStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("atrium-cache-test-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    url_ = "sqlite://" + (dir_ / "a.db").string();
    auto inner = open_store(url_);
    ASSERT_TRUE(inner) << inner.error().message;
    store_ = std::make_unique<CachingStore>(std::move(*inner), clock_);
    auto other = open_store(url_);
    ASSERT_TRUE(other);
    other_replica_ = std::move(*other);
  }
  void TearDown() override {
    store_.reset();
    other_replica_.reset();
    std::filesystem::remove_all(dir_);
  }
  static StoredObject obj(std::string name) {
    StoredObject o;
    o.kind = "Widget";
    o.name = std::move(name);
    o.uid = "uid-" + o.name;
    o.created_at_ms = 1;
    o.labels = "{}";
    o.data = R"({"metadata":{"name":")" + o.name + R"("}})";
    return o;
  }
  std::int64_t total() {
    auto r = store_->list("Widget", "", Store::ScopeMatch::Exact, core::ListOptions{});
    EXPECT_TRUE(r) << r.error().message;
    return r ? r->total : -1;
  }

  std::filesystem::path dir_;
  std::string url_;
  core::FakeClock clock_;
  std::unique_ptr<CachingStore> store_;
  std::unique_ptr<Store> other_replica_;
};

TEST_F(CachingStoreTest, RepeatedListsAreServedFromCache) {
  ASSERT_TRUE(store_->create(obj("a")));
  EXPECT_EQ(total(), 1);
  auto misses = store_->misses();
  EXPECT_EQ(total(), 1);
  EXPECT_EQ(total(), 1);
  EXPECT_EQ(store_->misses(), misses);
  EXPECT_GE(store_->hits(), 2u);
}

TEST_F(CachingStoreTest, OwnWritesAreVisibleImmediately) {
  EXPECT_EQ(total(), 0);
  auto a = store_->create(obj("a"));
  ASSERT_TRUE(a);
  EXPECT_EQ(total(), 1);
  ASSERT_TRUE(store_->remove("Widget", "", "a", a->resource_version));
  EXPECT_EQ(total(), 0);
  ASSERT_TRUE(store_->commit({Mutation{Mutation::Op::Create, obj("b")}, Mutation{Mutation::Op::Create, obj("c")}}));
  EXPECT_EQ(total(), 2);
  auto failed = store_->create(obj("b"));  // AlreadyExists: still consistent afterwards
  EXPECT_FALSE(failed);
  EXPECT_EQ(total(), 2);
}

TEST_F(CachingStoreTest, OtherReplicasWritesAppearWithinTheRefreshInterval) {
  EXPECT_EQ(total(), 0);
  ASSERT_TRUE(other_replica_->create(obj("remote")));
  EXPECT_EQ(total(), 0) << "served from cache before the refresh interval";
  clock_.advance(std::chrono::milliseconds(300));
  EXPECT_EQ(total(), 1);
}

TEST_F(CachingStoreTest, KeysDistinguishEveryListOption) {
  core::ListOptions a, b;
  b.name = "x";
  EXPECT_NE(list_cache_key("K", "", Store::ScopeMatch::Exact, a), list_cache_key("K", "", Store::ScopeMatch::Exact, b));
  EXPECT_NE(list_cache_key("K", "s", Store::ScopeMatch::Exact, a),
            list_cache_key("Ks", "", Store::ScopeMatch::Exact, a));
  auto s1 = core::LabelSelector::parse("a=b");
  auto s2 = core::LabelSelector::parse("a!=b");
  core::ListOptions c, d;
  c.label_selector = *s1;
  d.label_selector = *s2;
  EXPECT_NE(list_cache_key("K", "", Store::ScopeMatch::Exact, c), list_cache_key("K", "", Store::ScopeMatch::Exact, d));
  core::ListOptions e = a;
  e.page = 2;
  EXPECT_NE(list_cache_key("K", "", Store::ScopeMatch::Exact, a), list_cache_key("K", "", Store::ScopeMatch::Exact, e));
  EXPECT_NE(list_cache_key("K", "", Store::ScopeMatch::Exact, a), list_cache_key("K", "", Store::ScopeMatch::All, a));
}

}  // namespace
}  // namespace atrium::storage
