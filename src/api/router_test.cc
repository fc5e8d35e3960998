#include "api/router.h"

#include <gtest/gtest.h>

namespace atrium::api {
namespace {

RouteHandler named(std::string name) {
  return [name](RouteContext&) -> core::Result<net::HttpResponse> {
    net::HttpResponse r;
    r.body = name;
    return r;
  };
}

Router sample() {
  Router r;
  r.add(Route{.method = "GET", .pattern = "/api/v1/workspaces", .handler = named("list")});
  r.add(Route{.method = "POST", .pattern = "/api/v1/workspaces", .handler = named("create")});
  r.add(Route{.method = "GET", .pattern = "/api/v1/workspaces/{workspace}", .handler = named("get")});
  r.add(Route{.method = "DELETE", .pattern = "/api/v1/workspaces/{workspace}", .handler = named("delete")});
  r.add(Route{.method = "GET", .pattern = "/api/v1/workspaces/{workspace}/projects/{project}", .handler = named("p")});
  r.add(Route{.method = "GET", .pattern = "/api/v1/workspaces/special", .handler = named("special")});
  return r;
}

TEST(RouterTest, MatchesPatternsAndDecodesParameters) {
  Router r = sample();
  auto m = r.match("GET", "/api/v1/workspaces/merchant-platform/projects/merchant%2Dsandbox");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->route->pattern, "/api/v1/workspaces/{workspace}/projects/{project}");
  EXPECT_EQ(m->params.at("workspace"), "merchant-platform");
  EXPECT_EQ(m->params.at("project"), "merchant-sandbox");
  EXPECT_TRUE(r.match("GET", "/api/v1/workspaces/"));  // one trailing slash tolerated
  EXPECT_TRUE(r.match("HEAD", "/api/v1/workspaces"));
}

TEST(RouterTest, LiteralSegmentsWinOverParameters) {
  Router r = sample();
  auto m = r.match("GET", "/api/v1/workspaces/special");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->route->pattern, "/api/v1/workspaces/special");
}

TEST(RouterTest, UnknownPathIs404AndWrongMethodIs405) {
  Router r = sample();
  auto nf = r.match("GET", "/api/v1/nothing");
  ASSERT_FALSE(nf);
  EXPECT_EQ(nf.error().code, core::ErrorCode::NotFound);
  auto na = r.match("PUT", "/api/v1/workspaces/x");
  ASSERT_FALSE(na);
  EXPECT_EQ(na.error().code, core::ErrorCode::MethodNotAllowed);
  EXPECT_NE(na.error().message.find("GET, DELETE"), std::string::npos) << na.error().message;
}

TEST(RouterTest, RefusesPathTricks) {
  Router r = sample();
  for (const char* bad :
       {"/api/v1/workspaces/a%2Fb", "/api/v1/workspaces/..", "/api/v1/workspaces/.", "/api/v1//workspaces",
        "/api/v1/workspaces/%2e%2e", "/api/v1/workspaces/a%00", "/api/v1/workspaces/a%zz", "api/v1/workspaces", "",
        "/api/v1/workspaces//", "/api/v1/workspaces/x/../y/projects/p"}) {
    auto m = r.match("GET", bad);
    EXPECT_FALSE(m) << "matched: " << bad;
  }
}

TEST(RouterTest, RestParameterTakesTheRemainingSegments) {
  Router r;
  r.add(Route{.method = "GET", .pattern = "/clusters/{cluster}/api", .handler = named("root")});
  r.add(Route{.method = "GET", .pattern = "/clusters/{cluster}/api/{rest*}", .handler = named("rest")});
  auto root = r.match("GET", "/clusters/local/api");
  ASSERT_TRUE(root);
  EXPECT_EQ(root->route->pattern, "/clusters/{cluster}/api");
  auto deep = r.match("GET", "/clusters/local/api/v1/namespaces/a%2Db/pods/p");
  ASSERT_TRUE(deep);
  EXPECT_EQ(deep->params.at("cluster"), "local");
  EXPECT_EQ(deep->params.at("rest"), "v1/namespaces/a-b/pods/p");
  for (const char* bad : {"/clusters/local/api/v1/namespaces%2Fx/pods", "/clusters/local/api/v1//pods",
                          "/clusters/local/api/v1/../../x", "/clusters/local/api/%2e%2e/x"}) {
    EXPECT_FALSE(r.match("GET", bad)) << "matched: " << bad;
  }
}

}  // namespace
}  // namespace atrium::api
