#include "api/access_review_routes.h"

#include <gtest/gtest.h>

namespace atrium::api {
namespace {

// Allows exactly "create deployments" in project ws/p and "list workspaces" at platform scope; records questions.
class RecordingAuthorizer : public core::Authorizer {
 public:
  core::Decision authorize(const core::Principal& who, const core::AccessRequest& r) override {
    asked.push_back(r);
    bool in_p = r.scope.level == core::Scope::Level::Project && r.scope.workspace == "ws" && r.scope.project == "p";
    if (who.user == "dev" && r.verb == "create" && r.resource == "deployments" && in_p) return {true, {}};
    if (r.verb == "list" && r.resource == "workspaces" && r.scope.level == core::Scope::Level::Platform) {
      return {true, {}};
    }
    return {false, "nope"};
  }
  std::vector<core::AccessRequest> asked;
};

struct Fixture {
  RecordingAuthorizer authz;
  AccessReviewRoutes routes{authz, [](std::string_view cluster, std::string_view ns) -> std::optional<core::Scope> {
                              if (cluster == "local" && ns == "p") {
                                return core::Scope{core::Scope::Level::Project, "local", "ws", "p"};
                              }
                              return std::nullopt;
                            }};
  Router router;
  Fixture() { routes.register_routes(router); }

  net::HttpResponse run(const std::string& method, const std::string& path, const std::string& body = {}) {
    net::HttpRequest req;
    req.method = method;
    req.path = req.raw_path = req.target = path;
    req.body = body;
    req.headers.add("Content-Type", "application/json");
    auto m = router.match(method, path);
    EXPECT_TRUE(m);
    RouteContext ctx{req, m->params, core::Principal{"dev", {"team-a"}, "session"}, "127.0.0.1"};
    auto r = m->route->handler(ctx);
    if (!r) {
      net::HttpResponse e;
      e.status = core::http_status(r.error());
      e.body = r.error().message;
      for (const auto& c : r.error().causes) e.body += " | " + c.field + ": " + c.message;
      return e;
    }
    return *r;
  }
};

TEST(AccessReviewRoutes, WhoamiNamesTheCaller) {
  Fixture f;
  auto r = f.run("GET", "/api/v1/whoami");
  ASSERT_EQ(r.status, 200);
  auto v = core::parse_json(r.body);
  EXPECT_EQ(v->at("user").as_string(), "dev");
  EXPECT_EQ(v->at("groups").as_array().at(0).as_string(), "team-a");
  EXPECT_EQ(v->at("authMethod").as_string(), "session");
}

TEST(AccessReviewRoutes, AnswersEachCheckInOrderWithTheAuthoriser) {
  Fixture f;
  auto r = f.run("POST", "/api/v1/accessreviews", R"({"checks":[
      {"verb":"create","apiGroup":"apps","resource":"deployments","scope":{"workspace":"ws","project":"p"}},
      {"verb":"delete","apiGroup":"apps","resource":"deployments","scope":{"workspace":"ws","project":"p"}},
      {"verb":"create","apiGroup":"apps","resource":"deployments","scope":{"cluster":"local","namespace":"p"}},
      {"verb":"create","apiGroup":"apps","resource":"deployments","scope":{"cluster":"local","namespace":"kube-system"}},
      {"verb":"list","resource":"workspaces"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto results = core::parse_json(r.body)->at("results").as_array();
  ASSERT_EQ(results.size(), 5u);
  std::vector<bool> allowed;
  for (const auto& x : results) allowed.push_back(x.at("allowed").as_bool());
  EXPECT_EQ(allowed, (std::vector<bool>{true, false, true, false, true}));
  EXPECT_EQ(results[1].at("reason").as_string(), "nope");
  EXPECT_EQ(f.authz.asked[3].scope.level, core::Scope::Level::Cluster);  // a namespace no project owns
}

TEST(AccessReviewRoutes, HostileBodiesAreRefusedNamingTheField) {
  Fixture f;
  EXPECT_EQ(f.run("POST", "/api/v1/accessreviews", "{").status, 400);
  EXPECT_EQ(f.run("POST", "/api/v1/accessreviews", "[]").status / 100, 4);
  EXPECT_EQ(f.run("POST", "/api/v1/accessreviews", R"({"checks":{}})").status / 100, 4);
  auto bad = f.run("POST", "/api/v1/accessreviews",
                   R"({"checks":[1,{"verb":7,"resource":"x"},{"resource":"x"},{"verb":"get","resource":"x",)"
                   R"("scope":{"project":"p"}},{"verb":"get","resource":"x","scope":{"namespace":"n"}},)"
                   R"({"verb":"get","resource":"x","scope":"platform"}]})");
  EXPECT_EQ(bad.status / 100, 4);
  for (const char* field : {"checks[0]", "checks[1].verb", "checks[2].verb", "checks[3].scope.workspace",
                            "checks[4].scope.cluster", "checks[5].scope"}) {
    EXPECT_NE(bad.body.find(field), std::string::npos) << field << " in " << bad.body;
  }
  std::string many = R"({"checks":[)";
  for (int i = 0; i < 201; ++i) many += std::string(i ? "," : "") + R"({"verb":"get","resource":"x"})";
  many += "]}";
  EXPECT_EQ(f.run("POST", "/api/v1/accessreviews", many).status / 100, 4);
  EXPECT_TRUE(f.authz.asked.empty()) << "nothing is decided for an invalid request";
}

}  // namespace
}  // namespace atrium::api
