#include "api/iam_routes.h"

#include <gtest/gtest.h>

#include "api/testing/test_requests.h"

namespace atrium::api {
namespace {

TEST(TemplateRoutes, ListEveryTemplateWithItsLevelAndRules) {
  iam::TemplateRegistry templates;
  ASSERT_TRUE(iam::register_templates(templates));
  Router router;
  register_template_routes(router, templates);
  auto run = [&](const std::string& target) {
    auto req = testing::make_request("GET", target);
    auto m = router.match("GET", req.raw_path);
    EXPECT_TRUE(m);
    RouteContext ctx{req, m->params, core::Principal{"dev", {}, "session"}, "127.0.0.1"};
    auto r = m->route->handler(ctx);
    EXPECT_TRUE(r);
    return core::parse_json(r->body).value();
  };
  auto all = run("/api/v1/templates");
  const auto& items = all.at("items").as_array();
  EXPECT_EQ(all.at("total").as_int64(), static_cast<std::int64_t>(templates.all().size()));
  bool seen = false;
  for (const auto& t : items) {
    if (t.at("name").as_string() != "kube-read") continue;
    seen = true;
    EXPECT_EQ(t.at("level").as_string(), "project");
    const auto& rules = t.at("rules").as_array();
    ASSERT_FALSE(rules.empty());
    EXPECT_TRUE(rules[0].as_object().contains("verbs")) << core::json::serialize(rules[0]);
  }
  EXPECT_TRUE(seen);
  auto some = run("/api/v1/templates?name=kube-");
  for (const auto& t : some.at("items").as_array()) {
    EXPECT_NE(std::string(t.at("name").as_string()).find("kube-"), std::string::npos);
  }
  EXPECT_LT(some.at("total").as_int64(), all.at("total").as_int64());
}

}  // namespace
}  // namespace atrium::api
