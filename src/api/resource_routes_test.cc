#include "api/resource_routes.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "api/api_handler.h"
#include "api/testing/test_requests.h"
#include "core/testing/fake_clock.h"
#include "storage/testing/temp_store.h"

namespace atrium::api {
namespace {

using testing::make_request;

struct GadgetSpec {
  std::string display_name;
  std::int64_t replicas = 0;
  static const schema::Struct<GadgetSpec>& schema() {
    static const auto s = schema::Struct<GadgetSpec>("GadgetSpec")
                              .field("displayName", &GadgetSpec::display_name, {.max_length = 64})
                              .field("replicas", &GadgetSpec::replicas, {.minimum = 0, .maximum = 10});
    return s;
  }
};

// Accepts one token; a test double of our own interface, standing in for [iam].
class OneTokenAuthenticator : public core::Authenticator {
 public:
  core::Result<core::Principal> authenticate(const core::Credentials& c) override {
    if (c.bearer_token && *c.bearer_token == "good-token") return core::Principal{"tester", {}, "token"};
    return core::fail(core::ErrorCode::Unauthenticated, "invalid or expired token");
  }
};

class ResourceRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.ok());
    type_ = std::make_unique<schema::ResourceType>(schema::ResourceInfo{.group = "test.atrium.io",
                                                                        .version = "v1",
                                                                        .kind = "Gadget",
                                                                        .plural = "gadgets",
                                                                        .scope = schema::ResourceScope::Workspace},
                                                   GadgetSpec::schema(), nullptr);
    routes_ = std::make_unique<ResourceRoutes>(*type_, *store_, clock_);
    routes_->register_routes(router_);
    handler_ = std::make_unique<ApiHandler>(router_, authn_, metrics_, ApiOptions{});
  }
  void TearDown() override {
    handler_.reset();
    routes_.reset();
  }

  net::HttpResponse call(std::string method, std::string target, std::string body = {},
                         std::string token = "good-token") {
    auto req = make_request(std::move(method), std::move(target), std::move(body), std::move(token));
    return handler_->handle(req);
  }
  static core::json::value parse(const net::HttpResponse& r) {
    auto v = core::parse_json(r.body_view());
    EXPECT_TRUE(v) << r.body_view();
    return v ? *v : core::json::value();
  }
  std::string gadget(std::string name, std::int64_t replicas = 1, std::string labels = "{}") {
    return R"({"apiVersion":"test.atrium.io/v1","kind":"Gadget","metadata":{"name":")" + name + R"(","labels":)" +
           labels + R"(},"spec":{"displayName":"G","replicas":)" + std::to_string(replicas) + "}}";
  }

  core::FakeClock clock_;
  storage::testing::TempStore store_;
  std::unique_ptr<schema::ResourceType> type_;
  std::unique_ptr<ResourceRoutes> routes_;
  Router router_;
  OneTokenAuthenticator authn_;
  core::MetricsRegistry metrics_;
  std::unique_ptr<ApiHandler> handler_;
};

const std::string kBase = "/api/v1/workspaces/ws1/gadgets";

TEST_F(ResourceRoutesTest, CreateGetListUpdateDelete) {
  auto created = call("POST", kBase, gadget("g1"));
  ASSERT_EQ(created.status, 201) << created.body;
  auto doc = parse(created);
  EXPECT_EQ(doc.at("metadata").at("uid").as_string().size(), 36u);
  EXPECT_EQ(doc.at("metadata").at("creationTimestamp").as_string(), core::format_rfc3339(clock_.now()));
  std::string rv1(doc.at("metadata").at("resourceVersion").as_string());
  EXPECT_FALSE(rv1.empty());

  auto got = call("GET", kBase + "/g1");
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(parse(got), doc);

  auto list = call("GET", kBase);
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(parse(list).at("total").as_int64(), 1);
  EXPECT_EQ(parse(list).at("items").at(0), doc);

  std::string upd = gadget("g1", 5);
  upd.insert(upd.find("\"name\""), "\"resourceVersion\":\"" + rv1 + "\",");
  auto updated = call("PUT", kBase + "/g1", upd);
  ASSERT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(parse(updated).at("spec").at("replicas").as_int64(), 5);
  EXPECT_EQ(parse(updated).at("metadata").at("uid"), doc.at("metadata").at("uid"));
  EXPECT_NE(parse(updated).at("metadata").at("resourceVersion").as_string(), rv1);

  auto stale = call("PUT", kBase + "/g1", upd);  // same old resourceVersion
  EXPECT_EQ(stale.status, 409) << stale.body;
  EXPECT_EQ(parse(stale).at("reason").as_string(), "Conflict");

  auto patched = call("PATCH", kBase + "/g1", R"({"spec":{"replicas":7},"metadata":{"labels":{"tier":"gold"}}})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(parse(patched).at("spec").at("replicas").as_int64(), 7);
  EXPECT_EQ(parse(patched).at("spec").at("displayName").as_string(), "G");
  EXPECT_EQ(parse(patched).at("metadata").at("labels").at("tier").as_string(), "gold");

  auto del = call("DELETE", kBase + "/g1");
  EXPECT_EQ(del.status, 200);
  EXPECT_EQ(parse(del).at("status").as_string(), "Success");
  EXPECT_EQ(call("GET", kBase + "/g1").status, 404);
  EXPECT_EQ(call("DELETE", kBase + "/g1").status, 404);
}

TEST_F(ResourceRoutesTest, ListConventions) {
  for (int i = 0; i < 25; ++i) {
    clock_.advance(std::chrono::seconds(1));
    std::string labels = i % 2 ? R"({"tier":"gold"})" : R"({"tier":"silver"})";
    ASSERT_EQ(call("POST", kBase, gadget("g" + std::to_string(100 + i), 1, labels)).status, 201);
  }
  ASSERT_EQ(call("POST", "/api/v1/workspaces/other/gadgets", gadget("elsewhere")).status, 201);

  auto page = parse(call("GET", kBase + "?limit=10&page=3&sortBy=name&ascending=true"));
  EXPECT_EQ(page.at("total").as_int64(), 25);
  ASSERT_EQ(page.at("items").as_array().size(), 5u);
  EXPECT_EQ(page.at("items").at(0).at("metadata").at("name").as_string(), "g120");

  auto newest = parse(call("GET", kBase + "?limit=1"));
  EXPECT_EQ(newest.at("items").at(0).at("metadata").at("name").as_string(), "g124");

  auto gold = parse(call("GET", kBase + "?labelSelector=tier%3Dgold&limit=100"));
  EXPECT_EQ(gold.at("total").as_int64(), 12);
  auto named = parse(call("GET", kBase + "?name=g11"));
  EXPECT_EQ(named.at("total").as_int64(), 10);

  EXPECT_EQ(call("GET", kBase + "?limit=0").status, 400);
  EXPECT_EQ(call("GET", kBase + "?sortBy=secret").status, 400);
  EXPECT_EQ(call("GET", kBase + "?labelSelector=a%20in%20(").status, 400);
}

TEST_F(ResourceRoutesTest, BadInputIsRefusedAndNothingIsWritten) {
  struct Case {
    std::string body;
    int status;
    std::string field;
  };
  std::vector<Case> cases = {
      {"", 400, ""},
      {"{", 400, ""},
      {R"({"metadata":{"name":"x"},"spec":{"replicas":1})", 400, ""},
      {std::string(5 * 1024 * 1024, '['), 413, ""},
      {"[]", 422, ""},
      {R"({"metadata":{"name":"Bad_Name"}})", 422, "metadata.name"},
      {R"({"metadata":{"name":"ok"},"spec":{"replicas":11}})", 422, "spec.replicas"},
      {R"({"metadata":{"name":"ok"},"spec":{"colour":"red"}})", 422, "spec.colour"},
      {R"({"metadata":{"name":"ok","labels":{"a":1}}})", 422, "metadata.labels[\"a\"]"},
      {R"({"kind":"Other","metadata":{"name":"ok"}})", 422, "kind"},
  };
  for (const auto& c : cases) {
    auto r = call("POST", kBase, c.body);
    EXPECT_EQ(r.status, c.status) << c.body.substr(0, 80) << " -> " << r.body.substr(0, 300);
    auto v = core::parse_json(r.body);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->at("kind").as_string(), "Status");
    if (!c.field.empty()) {
      EXPECT_EQ(v->at("details").at("causes").at(0).at("field").as_string(), c.field) << r.body;
    }
  }
  auto wrong_type = make_request("POST", kBase, gadget("ok"));
  wrong_type.headers.set("Content-Type", "text/plain");
  EXPECT_EQ(handler_->handle(wrong_type).status, 400);
  EXPECT_EQ(parse(call("GET", kBase)).at("total").as_int64(), 0);

  ASSERT_EQ(call("POST", kBase, gadget("dup")).status, 201);
  auto dup = call("POST", kBase, gadget("dup"));
  EXPECT_EQ(dup.status, 409);
  EXPECT_EQ(parse(dup).at("reason").as_string(), "AlreadyExists");
  auto mismatch = call("PUT", kBase + "/dup", gadget("other"));
  EXPECT_EQ(mismatch.status, 422);
  auto bad_rv = call("PATCH", kBase + "/dup", R"({"metadata":{"resourceVersion":"abc"}})");
  EXPECT_EQ(bad_rv.status, 422);
  auto bad_patch = call("PATCH", kBase + "/dup", R"({"spec":{"replicas":"many"}})");
  EXPECT_EQ(bad_patch.status, 422);
  EXPECT_EQ(parse(call("GET", kBase + "/dup")).at("spec").at("replicas").as_int64(), 1);
}

TEST_F(ResourceRoutesTest, AuthenticationAndRouting) {
  auto no_token = call("GET", kBase, "", "");
  EXPECT_EQ(no_token.status, 401);
  EXPECT_TRUE(no_token.headers.get("WWW-Authenticate"));
  EXPECT_EQ(call("GET", kBase, "", "forged").status, 401);
  EXPECT_EQ(call("GET", "/api/v1/nope").status, 404);
  auto wrong = call("POST", kBase + "/g1", "{}");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.headers.get("Allow").value_or(""), "GET, PUT, PATCH, DELETE");
}

}  // namespace
}  // namespace atrium::api

namespace atrium::api {
namespace {

TEST(RenderedListCacheTest, RendersEachSnapshotOnce) {
  auto make = [](std::string name) {
    auto r = std::make_shared<storage::ListResult>();
    storage::StoredObject o;
    o.name = name;
    o.resource_version = 7;
    o.data = R"({"metadata":{"name":")" + name + R"("}})";
    r->items.push_back(o);
    r->total = 1;
    return std::shared_ptr<const storage::ListResult>(r);
  };
  RenderedListCache cache;
  auto a = make("a");
  auto first = cache.render(a);
  EXPECT_EQ(*first, R"({"items":[{"metadata":{"resourceVersion":"7","name":"a"}}],"total":1})");
  EXPECT_EQ(cache.render(a).get(), first.get()) << "same snapshot rendered twice";
  a.reset();
  auto b = make("b");  // may reuse a's address: must not be served a's rendering
  EXPECT_NE(cache.render(b)->find("\"b\""), std::string::npos);
}

}  // namespace
}  // namespace atrium::api

namespace atrium::api {
namespace {

// Allows everything but deleting; a test double of our own interface, standing in for [iam]'s authoriser.
class NoDeletes : public core::Authorizer {
 public:
  core::Decision authorize(const core::Principal&, const core::AccessRequest& r) override {
    last = r;
    if (r.verb == "delete") return {false, "delete gadgets in workspace " + r.scope.workspace};
    return {true, ""};
  }
  core::AccessRequest last;
};

TEST_F(ResourceRoutesTest, FrontDoorAuthorisesAndAudits) {
  NoDeletes authz;
  audit::AuditLog log(*store_, clock_);
  ApiOptions o;
  o.authorizer = &authz;
  o.audit = &log;
  handler_ = std::make_unique<ApiHandler>(router_, authn_, metrics_, o);

  ASSERT_EQ(call("POST", kBase, gadget("g1")).status, 201);
  EXPECT_EQ(authz.last.verb, "create");
  EXPECT_EQ(authz.last.api_group, "test.atrium.io");
  EXPECT_EQ(authz.last.resource, "gadgets");
  EXPECT_EQ(authz.last.scope.level, core::Scope::Level::Workspace);
  EXPECT_EQ(authz.last.scope.workspace, "ws1");

  auto denied = call("DELETE", kBase + "/g1");
  EXPECT_EQ(denied.status, 403);
  EXPECT_NE(parse(denied).at("message").as_string().find("delete gadgets in workspace ws1"), std::string::npos);
  EXPECT_EQ(authz.last.name, "g1");
  EXPECT_EQ(call("GET", kBase + "/g1").status, 200) << "the denied delete must not have happened";
  EXPECT_EQ(call("GET", kBase, "", "forged-token").status, 401);
  EXPECT_EQ(call("GET", kBase).status, 200);  // reads are not audited

  log.flush();
  auto all = log.query(audit::AuditQuery{});
  ASSERT_TRUE(all);
  ASSERT_EQ(all->at("total").as_int64(), 3) << core::json::serialize(*all);
  const auto& items = all->at("items").as_array();  // newest first
  EXPECT_EQ(items[0].at("status").as_int64(), 401);
  EXPECT_EQ(items[0].at("outcome").as_string(), "denied");
  EXPECT_EQ(items[1].at("verb").as_string(), "delete");
  EXPECT_EQ(items[1].at("outcome").as_string(), "denied");
  EXPECT_EQ(items[1].at("user").as_string(), "tester");
  EXPECT_EQ(items[1].at("scope").at("workspace").as_string(), "ws1");
  EXPECT_EQ(items[2].at("verb").as_string(), "create");
  EXPECT_EQ(items[2].at("outcome").as_string(), "success");
  EXPECT_EQ(items[2].at("sourceAddress").as_string(), "127.0.0.1");
  EXPECT_FALSE(items[2].at("requestId").as_string().empty());
}

}  // namespace
}  // namespace atrium::api
