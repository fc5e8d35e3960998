#include "api/api_handler.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "api/openapi.h"
#include "api/testing/test_requests.h"

namespace atrium::api {
namespace {

using testing::make_request;

class NobodyAuthenticator : public core::Authenticator {
 public:
  core::Result<core::Principal> authenticate(const core::Credentials&) override {
    return core::fail(core::ErrorCode::Unauthenticated, "nobody gets in");
  }
};

ApiOptions options_with_proxies(std::vector<std::string> proxies) {
  ApiOptions o;
  o.trusted_proxies = *AddressMatcher::parse(proxies);
  o.metrics_token = "scrape-me";
  return o;
}

TEST(AddressMatcherTest, MatchesAddressesAndBlocks) {
  auto m = AddressMatcher::parse({"10.0.0.0/8", "127.0.0.1", "::1", "fd00::/8"});
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->matches("10.1.2.3"));
  EXPECT_TRUE(m->matches("127.0.0.1"));
  EXPECT_FALSE(m->matches("127.0.0.2"));
  EXPECT_TRUE(m->matches("::1"));
  EXPECT_TRUE(m->matches("fd12::5"));
  EXPECT_FALSE(m->matches("11.0.0.1"));
  EXPECT_FALSE(m->matches("garbage"));
  for (std::vector<std::string> bad :
       {std::vector<std::string>{"10.0.0.0/33"}, {"10.0.0.0/-1"}, {"x"}, {"1.2.3.4/"}, {"::1/129"}, {"1.2.3.4/8x"}}) {
    EXPECT_FALSE(AddressMatcher::parse(bad)) << bad[0];
  }
}

TEST(ApiHandlerTest, ForwardedForIsBelievedOnlyFromTrustedProxies) {
  Router router;
  NobodyAuthenticator authn;
  core::MetricsRegistry metrics;
  ApiHandler h(router, authn, metrics, options_with_proxies({"127.0.0.1", "10.0.0.0/8"}));
  auto req = make_request("GET", "/healthz");
  req.headers.add("X-Forwarded-For", "203.0.113.7, 10.1.1.1");
  EXPECT_EQ(h.client_address(req), "203.0.113.7");
  req.peer_address = "192.0.2.9";  // not a proxy: header ignored
  EXPECT_EQ(h.client_address(req), "192.0.2.9");
  auto spoof = make_request("GET", "/healthz");
  spoof.headers.add("X-Forwarded-For", "not-an-ip, 198.51.100.1");
  EXPECT_EQ(h.client_address(spoof), "198.51.100.1");
  auto garbage = make_request("GET", "/healthz");
  garbage.headers.add("X-Forwarded-For", "<script>");
  EXPECT_EQ(h.client_address(garbage), "127.0.0.1");
}

TEST(ApiHandlerTest, HealthReadinessMetricsAndRequestIds) {
  Router router;
  NobodyAuthenticator authn;
  core::MetricsRegistry metrics;
  bool ready = false;
  ApiOptions o = options_with_proxies({});
  o.ready = [&] { return ready; };
  ApiHandler h(router, authn, metrics, o);

  auto health = make_request("GET", "/healthz", "", "");
  auto r = h.handle(health);
  EXPECT_EQ(r.status, 200);
  ASSERT_TRUE(r.headers.get("X-Request-Id"));
  EXPECT_EQ(r.headers.get("X-Request-Id")->size(), 16u);

  auto readyz = make_request("GET", "/readyz", "", "");
  EXPECT_EQ(h.handle(readyz).status, 503);
  ready = true;
  EXPECT_EQ(h.handle(readyz).status, 200);

  auto mine = make_request("GET", "/healthz", "", "");
  mine.headers.add("X-Request-Id", "abc-123");
  EXPECT_EQ(h.handle(mine).headers.get("X-Request-Id").value_or(""), "abc-123");
  auto evil = make_request("GET", "/healthz", "", "");
  evil.headers.add("X-Request-Id", "a\"b\nc");
  EXPECT_NE(h.handle(evil).headers.get("X-Request-Id").value_or(""), "a\"b\nc");

  auto anon = make_request("GET", "/metrics", "", "");
  EXPECT_EQ(h.handle(anon).status, 401);
  auto wrong = make_request("GET", "/metrics", "", "scrape-mx");
  EXPECT_EQ(h.handle(wrong).status, 401);
  auto scrape = make_request("GET", "/metrics", "", "scrape-me");
  auto m = h.handle(scrape);
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(m.body.find("atrium_http_requests_total{route=\"/healthz\",method=\"GET\",code=\"200\"}"),
            std::string::npos)
      << m.body;
}

TEST(ApiHandlerTest, ConsoleFilesWithSpaFallback) {
  auto dir = std::filesystem::temp_directory_path() / ("atrium-console-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "assets");
  std::ofstream(dir / "index.html") << "<html>console</html>";
  std::ofstream(dir / "assets" / "app-1234.js") << "console.log(1)";
  auto files = StaticFiles::load(dir.string());
  ASSERT_TRUE(files) << files.error().message;
  Router router;
  NobodyAuthenticator authn;
  core::MetricsRegistry metrics;
  ApiHandler h(router, authn, metrics, ApiOptions{}, *files);

  auto root = make_request("GET", "/", "", "");
  EXPECT_EQ(h.handle(root).body_view(), "<html>console</html>");
  auto deep = make_request("GET", "/workspaces/merchant-platform/projects", "", "");
  auto d = h.handle(deep);
  EXPECT_EQ(d.status, 200);
  EXPECT_EQ(d.body_view(), "<html>console</html>");
  auto js = make_request("GET", "/assets/app-1234.js", "", "");
  auto j = h.handle(js);
  EXPECT_EQ(j.headers.get("Content-Type").value_or(""), "text/javascript; charset=utf-8");
  EXPECT_NE(j.headers.get("Cache-Control").value_or("").find("immutable"), std::string::npos);
  auto missing = make_request("GET", "/assets/missing.js", "", "");
  EXPECT_EQ(h.handle(missing).status, 404);
  auto post = make_request("POST", "/index.html", "x", "");
  EXPECT_EQ(h.handle(post).status, 405);
  auto api404 = make_request("GET", "/api/v1/unknown", "", "");
  EXPECT_EQ(h.handle(api404).status, 404);
  std::filesystem::remove_all(dir);
}

TEST(OpenApiTest, DocumentListsRoutesAndSchemas) {
  Router router;
  router.add(Route{.method = "GET", .pattern = "/api/v1/things", .handler = {}, .verb = "list", .resource = "x"});
  router.add(Route{.method = "GET", .pattern = "/healthz", .handler = {}, .access = Access::Public});
  auto doc = build_openapi(router, {}, "0.1.0");
  EXPECT_EQ(doc.at("openapi").as_string(), "3.0.3");
  EXPECT_TRUE(doc.at("paths").at("/api/v1/things").as_object().contains("get"));
  auto& params = doc.at("paths").at("/api/v1/things").at("get").at("parameters").as_array();
  EXPECT_EQ(params.size(), 6u);
  EXPECT_FALSE(doc.at("paths").at("/healthz").at("get").as_object().contains("security"));
  EXPECT_TRUE(doc.at("components").at("schemas").as_object().contains("Status"));
}

}  // namespace
}  // namespace atrium::api
