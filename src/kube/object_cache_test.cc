#include "kube/object_cache.h"

#include <atomic>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/json.h"

namespace atrium::kube {
namespace {

std::string pod(std::string_view ns, std::string_view name, std::string_view rv = "1",
                std::string_view created = "2026-12-01T10:00:00Z", std::string_view labels = R"({"app":"api"})") {
  return fmt::format(
      R"({{"apiVersion":"v1","kind":"Pod","metadata":{{"name":"{}","namespace":"{}","resourceVersion":"{}",)"
      R"("creationTimestamp":"{}","labels":{},"managedFields":[{{"manager":"kubectl","operation":"Update"}}]}},)"
      R"("spec":{{"containers":[{{"name":"c","image":"127.0.0.1:25000/atrium/busybox:1"}}]}}}})",
      name, ns, rv, created, labels);
}

core::ListOptions options(std::string_view sort_by = "name", core::SortOrder order = core::SortOrder::Ascending) {
  core::ListOptions o;
  o.sort_by = std::string(sort_by);
  o.order = order;
  return o;
}

std::vector<std::string> names(const core::Page<std::string>& page) {
  std::vector<std::string> out;
  for (const auto& item : page.items) {
    auto v = core::parse_json(item);
    out.emplace_back(v->at("metadata").at("name").as_string());
  }
  return out;
}

TEST(ObjectCache, UpsertReportsAddedModifiedUnchangedAndFindReturnsTheObject) {
  ObjectCache cache;
  EXPECT_EQ(cache.upsert(pod("a", "p1", "5")).value(), CacheChange::Added);
  EXPECT_EQ(cache.upsert(pod("a", "p1", "5")).value(), CacheChange::Unchanged);
  EXPECT_EQ(cache.upsert(pod("a", "p1", "6")).value(), CacheChange::Modified);
  auto text = cache.find("a", "p1");
  ASSERT_TRUE(text);
  auto v = core::parse_json(*text);
  EXPECT_EQ(v->at("metadata").at("resourceVersion").as_string(), "6");
  EXPECT_EQ(v->at("spec").at("containers").as_array().size(), 1u);
  EXPECT_FALSE(cache.find("a", "p2"));
  EXPECT_FALSE(cache.find("b", "p1"));
  EXPECT_EQ(cache.find_meta("a", "p1")->resource_version, "6");
  EXPECT_EQ(cache.size(), 1u);
}

TEST(ObjectCache, DropsManagedFieldsUnlessAskedToKeepThem) {
  ObjectCache dropping;
  ASSERT_TRUE(dropping.upsert(pod("a", "p")));
  EXPECT_EQ(dropping.find("a", "p")->find("managedFields"), std::string::npos);
  ObjectCacheOptions keep;
  keep.managed_fields = ManagedFields::Keep;
  ObjectCache keeping(keep);
  ASSERT_TRUE(keeping.upsert(pod("a", "p")));
  EXPECT_NE(keeping.find("a", "p")->find("managedFields"), std::string::npos);
}

TEST(ObjectCache, ClusterScopedObjectsHaveAnEmptyNamespace) {
  ObjectCache cache;
  ASSERT_TRUE(cache.upsert(R"({"metadata":{"name":"node-1","resourceVersion":"3"}})"));
  EXPECT_TRUE(cache.find("", "node-1"));
  EXPECT_EQ(cache.list("", options()).total, 1);
}

TEST(ObjectCache, RefusesHostileOrMalformedObjectsAndKeepsWhatItHad) {
  ObjectCache cache;
  ASSERT_TRUE(cache.upsert(pod("a", "keep")));
  std::string deep(10'000, '[');
  for (std::string_view bad : {std::string_view("not json"), std::string_view("[]"), std::string_view("{}"),
                               std::string_view(R"({"metadata":{"name":42}})"),
                               std::string_view(R"({"metadata":{"name":""}})"), std::string_view(R"({"metadata":"x"})"),
                               std::string_view(R"({"metadata":{"name":"x")"), std::string_view(deep)}) {
    auto r = cache.upsert(bad);
    ASSERT_FALSE(r) << bad.substr(0, 40);
    EXPECT_EQ(r.error().code, core::ErrorCode::InvalidArgument);
  }
  // Wrong types in optional fields are ignored, not fatal: labels that are not strings, an unparsable timestamp.
  ASSERT_TRUE(cache.upsert(
      R"({"metadata":{"name":"odd","namespace":"a","labels":{"n":1,"ok":"y"},"creationTimestamp":"yesterday"}})"));
  core::ListOptions o = options();
  o.label_selector = core::LabelSelector::parse("ok=y").value();
  EXPECT_EQ(names(cache.list("a", o)), std::vector<std::string>{"odd"});
  o.label_selector = core::LabelSelector::parse("n").value();
  EXPECT_EQ(cache.list("a", o).total, 0);
  EXPECT_EQ(cache.size(), 2u);
}

TEST(ObjectCache, ListsFilterByNamespaceNameAndLabelsThenSortAndPage) {
  ObjectCache cache;
  ASSERT_TRUE(cache.upsert(pod("shop", "web-2", "1", "2026-12-01T10:00:03Z", R"({"app":"web","tier":"front"})")));
  ASSERT_TRUE(cache.upsert(pod("shop", "web-1", "1", "2026-12-01T10:00:01Z", R"({"app":"web","tier":"front"})")));
  ASSERT_TRUE(cache.upsert(pod("shop", "db-1", "1", "2026-12-01T10:00:02Z", R"({"app":"db"})")));
  ASSERT_TRUE(cache.upsert(pod("shop-2", "web-9", "1", "2026-12-01T10:00:00Z", R"({"app":"web"})")));
  ASSERT_TRUE(cache.upsert(pod("other", "web-0", "1", "2026-12-01T10:00:00Z", R"({"app":"web"})")));

  EXPECT_EQ(names(cache.list("shop", options())), (std::vector<std::string>{"db-1", "web-1", "web-2"}));
  EXPECT_EQ(names(cache.list("shop", options("name", core::SortOrder::Descending))),
            (std::vector<std::string>{"web-2", "web-1", "db-1"}));
  EXPECT_EQ(names(cache.list("shop", options("creationTimestamp", core::SortOrder::Ascending))),
            (std::vector<std::string>{"web-1", "db-1", "web-2"}));
  EXPECT_EQ(names(cache.list("shop", options("creationTimestamp", core::SortOrder::Descending))),
            (std::vector<std::string>{"web-2", "db-1", "web-1"}));
  EXPECT_EQ(cache.list("nowhere", options()).total, 0);

  auto o = options();
  o.name = "web";
  EXPECT_EQ(names(cache.list("shop", o)), (std::vector<std::string>{"web-1", "web-2"}));
  o.name.clear();
  for (auto [selector, want] :
       std::vector<std::pair<std::string, std::vector<std::string>>>{{"app=web", {"web-1", "web-2"}},
                                                                     {"app!=web", {"db-1"}},
                                                                     {"app in (db,cache)", {"db-1"}},
                                                                     {"app notin (db)", {"web-1", "web-2"}},
                                                                     {"tier", {"web-1", "web-2"}},
                                                                     {"!tier", {"db-1"}},
                                                                     {"app=web,tier=back", {}}}) {
    o.label_selector = core::LabelSelector::parse(selector).value();
    EXPECT_EQ(names(cache.list("shop", o)), want) << selector;
  }

  // All namespaces: ties on the sort key are broken by namespace, then name.
  auto all = cache.list("", options("creationTimestamp", core::SortOrder::Ascending));
  EXPECT_EQ(names(all), (std::vector<std::string>{"web-0", "web-9", "web-1", "db-1", "web-2"}));

  auto paged = options();
  paged.limit = 2;
  paged.page = 2;
  auto page = cache.list("", paged);
  EXPECT_EQ(page.total, 5);
  EXPECT_EQ(names(page), (std::vector<std::string>{"web-1", "web-2"}));
  paged.page = 9;
  EXPECT_TRUE(cache.list("", paged).items.empty());
}

TEST(ObjectCache, ReplaceSwapsTheWholeSetAndReportsWhatDisappeared) {
  ObjectCache cache;
  ASSERT_TRUE(cache.upsert(pod("a", "stays")));
  ASSERT_TRUE(cache.upsert(pod("a", "goes")));
  ASSERT_TRUE(cache.upsert(pod("b", "goes-too")));
  auto gone = cache.replace({pod("a", "stays", "9"), pod("c", "new")});
  ASSERT_TRUE(gone);
  std::sort(gone->begin(), gone->end());
  EXPECT_EQ(*gone, (std::vector<std::string>{"a/goes", "b/goes-too"}));
  EXPECT_EQ(cache.keys(), (std::vector<std::string>{"a/stays", "c/new"}));
  EXPECT_EQ(cache.find_meta("a", "stays")->resource_version, "9");

  // One bad object: nothing is replaced.
  auto bad = cache.replace({pod("z", "z"), "{"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(cache.keys(), (std::vector<std::string>{"a/stays", "c/new"}));
}

TEST(ObjectCache, AReplacementFedObjectByObjectIsInvisibleUntilCommitted) {
  ObjectCache cache;
  ASSERT_TRUE(cache.upsert(pod("old", "x")));
  auto r = cache.begin_replace();
  std::vector<std::string> originals;
  for (int i = 0; i < 1500; ++i) {  // past the dictionary sample size, so some objects are stored as they come
    originals.push_back(pod("shop", fmt::format("api-{:05d}", i), std::to_string(10 + i)));
    ASSERT_TRUE(r.add(originals.back()));
    if (i == 1200) {
      EXPECT_EQ(cache.keys(), (std::vector<std::string>{"old/x"}));  // nothing visible yet
    }
  }
  EXPECT_EQ(r.size(), 1500u);
  auto gone = cache.commit(std::move(r));
  ASSERT_TRUE(gone);
  EXPECT_EQ(*gone, (std::vector<std::string>{"old/x"}));
  EXPECT_EQ(cache.size(), 1500u);
  for (int i : {0, 999, 1000, 1499}) {
    auto got = core::parse_json(*cache.find("shop", fmt::format("api-{:05d}", i)));
    auto want = core::parse_json(originals[i]);
    want->as_object()["metadata"].as_object().erase("managedFields");
    EXPECT_EQ(*got, *want) << i;
  }

  // A bad object: add() says so and commit() refuses, leaving the cache as it was.
  auto bad = cache.begin_replace();
  ASSERT_TRUE(bad.add(pod("z", "z")));
  EXPECT_FALSE(bad.add(R"({"metadata":{}})"));
  EXPECT_FALSE(bad.add("not json"));
  EXPECT_FALSE(cache.commit(std::move(bad)));
  EXPECT_EQ(cache.size(), 1500u);
}

TEST(ObjectCache, RemoveForgetsTheObjectAndItsInternedStrings) {
  ObjectCache cache;
  auto empty = cache.memory_bytes();
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(cache.upsert(pod(fmt::format("ns-{}", i), "p", "1", "2026-12-01T10:00:00Z",
                                 fmt::format(R"({{"unique-{}":"value-{}-with-a-long-tail"}})", i, i))));
  }
  EXPECT_GT(cache.memory_bytes(), empty);
  EXPECT_FALSE(cache.remove("ns-0", "nope"));
  EXPECT_FALSE(cache.remove("no-such-ns", "p"));
  for (int i = 0; i < 50; ++i) EXPECT_TRUE(cache.remove(fmt::format("ns-{}", i), "p"));
  EXPECT_EQ(cache.size(), 0u);
  // Interned namespaces and labels are released with their last user; only hash buckets may remain.
  EXPECT_LT(cache.memory_bytes(), empty + 8192);
}

TEST(ObjectCache, ADictionaryTrainedOnTheObjectsShrinksThemAndEveryObjectStillReadsBack) {
  ObjectCacheOptions with;
  with.dictionary_threshold = 64;
  ObjectCacheOptions without;
  without.dictionary_threshold = 1'000'000;
  ObjectCache cache(with), plain(without);
  std::vector<std::string> originals;
  for (int i = 0; i < 2000; ++i) {
    originals.push_back(pod("shop", fmt::format("api-7d9f8-{:05d}", i), std::to_string(100 + i)));
    ASSERT_TRUE(cache.upsert(originals.back()));
    ASSERT_TRUE(plain.upsert(originals.back()));
  }
  EXPECT_LT(cache.memory_bytes(), plain.memory_bytes() * 85 / 100)
      << "a dictionary (its own size included) should make many small similar objects smaller";
  for (int i = 0; i < 2000; i += 7) {
    auto got = core::parse_json(*cache.find("shop", fmt::format("api-7d9f8-{:05d}", i)));
    auto want = core::parse_json(originals[i]);
    want->as_object()["metadata"].as_object().erase("managedFields");
    EXPECT_EQ(*got, *want) << i;
  }
  // A relist trains again on the new set and still round-trips.
  std::vector<std::string> relist(originals.begin(), originals.begin() + 150);
  ASSERT_TRUE(cache.replace(relist));
  EXPECT_EQ(cache.size(), 150u);
  EXPECT_TRUE(cache.find("shop", "api-7d9f8-00149"));
  EXPECT_FALSE(cache.find("shop", "api-7d9f8-00150"));
}

TEST(ObjectCache, ReadersRunWhileAWriterChangesTheCache) {
  ObjectCache cache;
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 0; i < 400; ++i) {
      (void)cache.upsert(pod("shop", fmt::format("p-{}", i % 150), std::to_string(i)));
      if (i % 7 == 0) cache.remove("shop", fmt::format("p-{}", (i / 7) % 150));
      if (i == 200) (void)cache.replace({pod("shop", "p-0"), pod("other", "x")});
    }
    done = true;
  });
  std::size_t lists = 0;
  while (!done) {
    auto page = cache.list("shop", options());
    for (const auto& item : page.items) ASSERT_TRUE(core::parse_json(item)) << item;
    ++lists;
  }
  writer.join();
  EXPECT_GT(lists, 0u);
}

}  // namespace
}  // namespace atrium::kube
