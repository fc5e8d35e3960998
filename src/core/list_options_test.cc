#include "core/list_options.h"

#include <gtest/gtest.h>

namespace atrium::core {
namespace {

using Labels = std::map<std::string, std::string, std::less<>>;
using Query = std::multimap<std::string, std::string, std::less<>>;

TEST(LabelSelectorTest, ParsesAllOperators) {
  auto s = LabelSelector::parse("app=api, tier!=db,env in (sandbox, prod),!legacy,team,zone notin (a)");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->requirements().size(), 6u);
  EXPECT_TRUE(s->matches(Labels{{"app", "api"}, {"env", "prod"}, {"team", "m"}, {"zone", "b"}}));
  EXPECT_FALSE(s->matches(Labels{{"app", "api"}, {"env", "prod"}, {"team", "m"}, {"legacy", "1"}}));
  EXPECT_FALSE(s->matches(Labels{{"app", "api"}, {"env", "dev"}, {"team", "m"}}));
  EXPECT_FALSE(s->matches(Labels{{"app", "api"}, {"tier", "db"}, {"env", "prod"}, {"team", "m"}}));
  EXPECT_FALSE(s->matches(Labels{{"app", "api"}, {"env", "prod"}, {"team", "m"}, {"zone", "a"}}));
  EXPECT_FALSE(s->matches(Labels{{"app", "api"}, {"env", "prod"}}));
}

TEST(LabelSelectorTest, EmptySelectorMatchesEverything) {
  auto s = LabelSelector::parse("  ");
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->empty());
  EXPECT_TRUE(s->matches(Labels{}));
}

TEST(LabelSelectorTest, RejectsHostileSelectors) {
  for (const char* bad : {",", "a=b,,c", "a in (x", "a in x)", "a in ((x))", "a in ()", "a foo (x)", "=x", "a=b=c",
                          "-a=b", "a=-b-", "a b", "!", "a in (x,,y)", "k=\x01", ")("}) {
    auto s = LabelSelector::parse(bad);
    EXPECT_FALSE(s) << "accepted: " << bad;
    if (!s) {
      EXPECT_EQ(s.error().code, ErrorCode::InvalidArgument);
    }
  }
}

TEST(ListOptionsTest, DefaultsAndOverrides) {
  auto d = parse_list_options({});
  ASSERT_TRUE(d);
  EXPECT_EQ(d->page, 1);
  EXPECT_EQ(d->limit, ListOptions::kDefaultLimit);
  EXPECT_EQ(d->order, SortOrder::Descending);
  auto o = parse_list_options(Query{{"page", "3"},
                                    {"limit", "20"},
                                    {"sortBy", "name"},
                                    {"ascending", "true"},
                                    {"name", "merch"},
                                    {"labelSelector", "a=b"},
                                    {"other", "ignored"}});
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->offset(), 40);
  EXPECT_EQ(o->sort_by, "name");
  EXPECT_EQ(o->order, SortOrder::Ascending);
  EXPECT_EQ(o->name, "merch");
  EXPECT_FALSE(o->label_selector.empty());
}

TEST(ListOptionsTest, RejectsBadParametersNamingThem) {
  for (auto [k, v] : std::vector<std::pair<std::string, std::string>>{{"page", "0"},
                                                                      {"page", "-1"},
                                                                      {"page", "1x"},
                                                                      {"page", "99999999999999999999"},
                                                                      {"limit", "1001"},
                                                                      {"limit", ""},
                                                                      {"sortBy", "password"},
                                                                      {"ascending", "yes"},
                                                                      {"labelSelector", "a in ("}}) {
    auto o = parse_list_options(Query{{k, v}});
    ASSERT_FALSE(o) << k << "=" << v;
    EXPECT_EQ(core::http_status(o.error()), 400);
    EXPECT_NE(o.error().message.find("query parameter " + k), std::string::npos) << o.error().message;
  }
}

}  // namespace
}  // namespace atrium::core
