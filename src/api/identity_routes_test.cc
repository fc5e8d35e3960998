#include "api/identity_routes.h"

#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "api/api_handler.h"
#include "api/testing/test_requests.h"
#include "core/testing/fake_clock.h"
#include "identity/identity_authenticator.h"
#include "storage/testing/temp_store.h"

namespace atrium::api {
namespace {

using testing::make_request;
const std::string kPassword = "Tr0ub4dor&3-horse";

class IdentityRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.ok());
    identity::IdentityOptions o;
    o.hash_cost = crypto::PasswordHashCost::minimum();
    service_ = std::make_unique<identity::IdentityService>(*store_, clock_, o);
    authn_ = std::make_unique<identity::IdentityAuthenticator>(*service_);
    routes_ = std::make_unique<IdentityRoutes>(*service_, *store_, clock_,
                                               IdentityRoutesOptions{.public_url = "https://atrium.example.com"});
    routes_->register_routes(router_);
    handler_ = std::make_unique<ApiHandler>(router_, *authn_, metrics_, ApiOptions{});
    auto admin = service_->ensure_bootstrap_admin(kPassword);
    ASSERT_TRUE(admin) << admin.error().message;
    token_ = login("admin", kPassword).second;
    ASSERT_FALSE(token_.empty());
  }
  void TearDown() override {
    handler_.reset();
    routes_.reset();
    authn_.reset();
    service_.reset();
  }
  net::HttpResponse call(std::string method, std::string target, std::string body = {}, std::string token = {}) {
    auto req = make_request(std::move(method), std::move(target), std::move(body), token.empty() ? token_ : token);
    return handler_->handle(req);
  }
  std::pair<net::HttpResponse, std::string> login(const std::string& user, const std::string& password,
                                                  std::string peer = "127.0.0.1") {
    core::json::object body{{"username", user}, {"password", password}};
    auto req = make_request("POST", "/api/v1/login", core::json::serialize(body), "");
    req.peer_address = std::move(peer);
    auto r = handler_->handle(req);
    std::string token;
    if (r.status == 200) token = std::string(parse(r).at("token").as_string());
    return {r, token};
  }
  static core::json::value parse(const net::HttpResponse& r) {
    auto v = core::parse_json(r.body_view());
    EXPECT_TRUE(v) << r.body_view();
    return v ? *v : core::json::value();
  }
  static std::string user(const std::string& name, const std::string& password = kPassword) {
    return R"({"apiVersion":"iam.atrium.io/v1","kind":"User","metadata":{"name":")" + name +
           R"("},"spec":{"email":"a@example.com","password":")" + password + R"("}})";
  }

  core::FakeClock clock_;
  storage::testing::TempStore store_;
  std::unique_ptr<identity::IdentityService> service_;
  std::unique_ptr<identity::IdentityAuthenticator> authn_;
  std::unique_ptr<IdentityRoutes> routes_;
  Router router_;
  core::MetricsRegistry metrics_;
  std::unique_ptr<ApiHandler> handler_;
  std::string token_;
};

TEST_F(IdentityRoutesTest, LoginSetsAStrictHttpOnlySecureCookie) {
  auto [r, token] = login("admin", kPassword);
  ASSERT_EQ(r.status, 200) << r.body;
  auto doc = parse(r);
  EXPECT_EQ(doc.at("user").as_string(), "admin");
  EXPECT_EQ(token.size(), 43u);
  auto cookie = r.headers.get("Set-Cookie");
  ASSERT_TRUE(cookie);
  EXPECT_EQ(*cookie, "atrium_session=" + token + "; HttpOnly; SameSite=Strict; Path=/; Max-Age=43200; Secure");
}

TEST_F(IdentityRoutesTest, WrongAndUnknownLoginsAre401WithOneMessage) {
  auto wrong = login("admin", "Wrong-password-1").first;
  auto unknown = login("nobody", "Wrong-password-1").first;
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(parse(wrong).at("message"), parse(unknown).at("message"));
  EXPECT_FALSE(wrong.headers.get("Set-Cookie"));
  auto not_object = make_request("POST", "/api/v1/login", "[1]", "");
  EXPECT_EQ(handler_->handle(not_object).status, 400);
  auto no_pw = make_request("POST", "/api/v1/login", R"({"username":"admin"})", "");
  EXPECT_EQ(handler_->handle(no_pw).status, 422);
}

TEST_F(IdentityRoutesTest, ThrottledLoginIs429WithRetryAfter) {
  for (int i = 0; i < 5; ++i) EXPECT_EQ(login("admin", "Wrong-password-1", "192.0.2.1").first.status, 401);
  auto r = login("admin", kPassword, "192.0.2.2").first;
  EXPECT_EQ(r.status, 429) << r.body;
  EXPECT_EQ(parse(r).at("reason").as_string(), "TooManyRequests");
  ASSERT_TRUE(r.headers.get("Retry-After"));
  EXPECT_EQ(*r.headers.get("Retry-After"), "1");
}

TEST_F(IdentityRoutesTest, AUserChangesTheirOwnPassword) {
  ASSERT_EQ(call("POST", "/api/v1/users", user("alice")).status, 201);
  auto [r, alice] = login("alice", kPassword);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(call("POST", "/api/v1/password", R"({"currentPassword":"x","newPassword":"Fresh-Password-99"})").status,
            422)
      << "the admin's own current password is wrong here";
  auto missing = call("POST", "/api/v1/password", R"({"newPassword":"Fresh-Password-99"})", alice);
  EXPECT_EQ(missing.status, 422);
  EXPECT_NE(missing.body.find("currentPassword"), std::string::npos) << missing.body;
  EXPECT_EQ(call("POST", "/api/v1/password", "[1]", alice).status, 422);
  EXPECT_EQ(call("POST", "/api/v1/password", "{", alice).status, 400);
  auto changed =
      call("POST", "/api/v1/password",
           std::string(R"({"currentPassword":")") + kPassword + R"(","newPassword":"Fresh-Password-99"})", alice);
  EXPECT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(login("alice", "Fresh-Password-99").first.status, 200);
  EXPECT_EQ(login("alice", kPassword).first.status, 401);
  EXPECT_EQ(call("POST", "/api/v1/password", R"({"currentPassword":"a","newPassword":"b"})", "no-such-token").status,
            401);
}

TEST_F(IdentityRoutesTest, UsersCrudNeverShowsThePassword) {
  auto created = call("POST", "/api/v1/users", user("alice"));
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.body.find(kPassword), std::string::npos);
  EXPECT_EQ(parse(created).at("spec").at("source").as_string(), "local");
  auto list = call("GET", "/api/v1/users?sortBy=name&ascending=true");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(parse(list).at("total").as_int64(), 2);
  EXPECT_EQ(parse(list).at("items").at(1).at("metadata").at("name").as_string(), "alice");
  EXPECT_EQ(list.body_view().find("argon2"), std::string::npos);
  EXPECT_EQ(call("GET", "/api/v1/users/alice").status, 200);
  EXPECT_EQ(call("POST", "/api/v1/users", user("alice")).status, 409);

  auto weak = call("POST", "/api/v1/users", user("bob", "bob"));
  ASSERT_EQ(weak.status, 422) << weak.body;
  EXPECT_EQ(parse(weak).at("details").at("causes").at(0).at("field").as_string(), "spec.password");

  auto patched = call("PATCH", "/api/v1/users/alice", R"({"spec":{"state":"Disabled"}})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(parse(patched).at("spec").at("state").as_string(), "Disabled");
  EXPECT_EQ(login("alice", kPassword).first.status, 401);
  EXPECT_EQ(call("PATCH", "/api/v1/users/alice", R"({"spec":{"state":"Frozen"}})").status, 422);

  std::string rv(parse(patched).at("metadata").at("resourceVersion").as_string());
  auto stale = call("DELETE", "/api/v1/users/alice?resourceVersion=1");
  EXPECT_EQ(stale.status, 409) << stale.body;
  EXPECT_EQ(call("DELETE", "/api/v1/users/alice?resourceVersion=" + rv).status, 200);
  EXPECT_EQ(call("GET", "/api/v1/users/alice").status, 404);
}

TEST_F(IdentityRoutesTest, TokensAreTheCallersOwnAndShownOnce) {
  auto created = call("POST", "/api/v1/tokens", R"({"description":"ci","expiresInSeconds":3600})");
  ASSERT_EQ(created.status, 201) << created.body;
  std::string token(parse(created).at("token").as_string());
  std::string id(parse(created).at("id").as_string());
  auto list = call("GET", "/api/v1/tokens", {}, token);
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(parse(list).at("total").as_int64(), 1);
  EXPECT_EQ(list.body.find(token), std::string::npos);
  EXPECT_EQ(call("POST", "/api/v1/tokens", R"({"owner":"someone"})").status, 422);

  ASSERT_EQ(call("POST", "/api/v1/users", user("alice")).status, 201);
  auto alice = login("alice", kPassword).second;
  EXPECT_EQ(call("DELETE", "/api/v1/tokens/" + id, {}, alice).status, 404) << "not alice's token";
  EXPECT_EQ(call("DELETE", "/api/v1/tokens/" + id).status, 200);
  EXPECT_EQ(call("GET", "/api/v1/tokens", {}, token).status, 401);
}

TEST_F(IdentityRoutesTest, LogoutRevokesTheSession) {
  auto [r, token] = login("admin", kPassword);
  ASSERT_EQ(call("GET", "/api/v1/users", {}, token).status, 200);
  auto out = call("POST", "/api/v1/logout", {}, token);
  EXPECT_EQ(out.status, 200);
  ASSERT_TRUE(out.headers.get("Set-Cookie"));
  EXPECT_NE(out.headers.get("Set-Cookie")->find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(call("GET", "/api/v1/users", {}, token).status, 401);
}

TEST_F(IdentityRoutesTest, CrossSiteLoginIsRefused) {
  auto req = make_request("POST", "/api/v1/login", R"({"username":"admin","password":")" + kPassword + "\"}", "");
  req.headers.add("Origin", "https://evil.example.net");
  EXPECT_EQ(handler_->handle(req).status, 403);
}

TEST(CheckOriginTest, CookieMutationsNeedTheConsoleOrigin) {
  core::Principal cookie{"alice", {}, "cookie"}, bearer{"alice", {}, "session"};
  net::HttpRequest post;
  post.method = "POST";
  EXPECT_TRUE(check_origin(post, bearer, "https://atrium.example.com"));
  EXPECT_FALSE(check_origin(post, cookie, "https://atrium.example.com")) << "no Origin";
  post.headers.add("Origin", "https://atrium.example.com");
  EXPECT_TRUE(check_origin(post, cookie, "https://atrium.example.com/"));
  EXPECT_TRUE(check_origin(post, cookie, "https://ATRIUM.example.com:443"));
  net::HttpRequest evil = post;
  evil.headers.set("Origin", "https://atrium.example.com.evil.net");
  EXPECT_FALSE(check_origin(evil, cookie, "https://atrium.example.com"));
  evil.headers.set("Origin", "http://atrium.example.com");
  EXPECT_FALSE(check_origin(evil, cookie, "https://atrium.example.com"));
  evil.headers.set("Origin", "null");
  EXPECT_FALSE(check_origin(evil, cookie, "https://atrium.example.com"));
  net::HttpRequest get;
  get.method = "GET";
  EXPECT_TRUE(check_origin(get, cookie, "https://atrium.example.com"));
  get.websocket_upgrade = true;
  EXPECT_FALSE(check_origin(get, cookie, "https://atrium.example.com")) << "WebSocket upgrades are checked";
}

}  // namespace
}  // namespace atrium::api
