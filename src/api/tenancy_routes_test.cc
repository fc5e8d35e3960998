// Journey 2 of the product story over HTTP: the tenancy and iam routes behind the real front door, the real
// RbacAuthorizer and a SQLite store.
#include "api/tenancy_routes.h"

#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "api/api_handler.h"
#include "api/iam_routes.h"
#include "api/testing/test_requests.h"
#include "core/testing/fake_clock.h"
#include "iam/authorizer.h"
#include "iam/role_bindings.h"
#include "iam/roles.h"
#include "storage/testing/temp_store.h"
#include "tenancy/members.h"
#include "tenancy/projects.h"
#include "tenancy/templates.h"
#include "tenancy/testing/fake_project_namespaces.h"
#include "tenancy/workspaces.h"

namespace atrium::api {
namespace {

using testing::make_request;

// Maps bearer tokens "t-<user>" to Principal{user}; a test double of our own interface.
class UserTokenAuthenticator : public core::Authenticator {
 public:
  core::Result<core::Principal> authenticate(const core::Credentials& c) override {
    if (c.bearer_token && c.bearer_token->starts_with("t-") && c.bearer_token->size() > 2) {
      return core::Principal{c.bearer_token->substr(2), {}, "token"};
    }
    return core::fail(core::ErrorCode::Unauthenticated, "invalid or expired token");
  }
};

std::string workspace_body(const std::string& name, const std::string& extra = "") {
  return R"({"apiVersion":"tenant.atrium.io/v1","kind":"Workspace","metadata":{"name":")" + name +
         R"("},"spec":{"clusters":["sandbox","production"])" + extra + "}}";
}

std::string project_body(const std::string& name, const std::string& cluster) {
  return R"({"apiVersion":"tenant.atrium.io/v1","kind":"Project","metadata":{"name":")" + name +
         R"("},"spec":{"cluster":")" + cluster + R"("}})";
}

std::string member_body(const std::string& user, const std::string& role) {
  return R"({"user":")" + user + R"(","role":")" + role + R"("})";
}

class TenancyRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.ok());
    ASSERT_TRUE(iam::register_templates(templates_));
    ASSERT_TRUE(tenancy::register_templates(templates_));
    authz_ = std::make_unique<iam::RbacAuthorizer>(*store_, templates_, clock_);
    auto refresh = [this] { (void)authz_->refresh(); };
    roles_ = std::make_unique<iam::Roles>(*store_, templates_, clock_, refresh);
    bindings_ = std::make_unique<iam::RoleBindings>(*store_, *roles_, clock_, refresh);
    workspaces_ = std::make_unique<tenancy::Workspaces>(*store_, clock_, *bindings_, *authz_, &namespaces_);
    projects_ = std::make_unique<tenancy::Projects>(*store_, clock_, *bindings_, *authz_, &namespaces_);
    members_ = std::make_unique<tenancy::Members>(*store_, *bindings_);
    tenancy_routes_ = std::make_unique<TenancyRoutes>(*workspaces_, *projects_, *members_);
    iam_routes_ = std::make_unique<IamRoutes>(*roles_);
    tenancy_routes_->register_routes(router_);
    iam_routes_->register_routes(router_);
    ApiOptions options;
    options.authorizer = authz_.get();
    handler_ = std::make_unique<ApiHandler>(router_, authn_, metrics_, std::move(options));
    ASSERT_TRUE(bindings_->add_member(iam::platform_scope(), iam::Member{.user = "admin", .role = "platform-admin"}));
  }
  void TearDown() override {
    handler_.reset();
    iam_routes_.reset();
    tenancy_routes_.reset();
    members_.reset();
    projects_.reset();
    workspaces_.reset();
    bindings_.reset();
    roles_.reset();
    authz_.reset();
  }

  net::HttpResponse call(const std::string& user, std::string method, std::string target, std::string body = {}) {
    auto req = make_request(std::move(method), std::move(target), std::move(body), "t-" + user);
    return handler_->handle(req);
  }
  static core::json::value parse(const net::HttpResponse& r) {
    auto v = core::parse_json(r.body_view());
    EXPECT_TRUE(v) << r.body_view();
    return v ? *v : core::json::value();
  }
  // The metadata.name of every item of an unpaged list response, in order; checks total counts them.
  static std::vector<std::string> names(const net::HttpResponse& r) {
    std::vector<std::string> out;
    EXPECT_EQ(r.status, 200) << r.body_view();
    auto v = parse(r);
    if (!v.is_object()) return out;
    for (const auto& i : v.at("items").as_array()) out.emplace_back(i.at("metadata").at("name").as_string());
    EXPECT_EQ(v.at("total").as_int64(), static_cast<std::int64_t>(out.size())) << r.body_view();
    return out;
  }
  static std::string reason(const net::HttpResponse& r) {
    auto v = parse(r);
    if (!v.is_object() || !v.as_object().contains("reason")) return {};
    return std::string(v.at("reason").as_string());
  }

  // Journey 2 up to the members of the projects: merchant-platform with lead as admin, its two projects, dev
  // operator in merchant-sandbox and viewer in merchant-prod.
  void build_merchant_platform() {
    auto ws = call("admin", "POST", "/api/v1/workspaces", workspace_body("merchant-platform"));
    ASSERT_EQ(ws.status, 201) << ws.body;
    ASSERT_EQ(call("admin", "POST", kWs + "/members", member_body("lead", "admin")).status, 201);
    ASSERT_EQ(call("lead", "POST", kWs + "/projects", project_body("merchant-sandbox", "sandbox")).status, 201);
    ASSERT_EQ(call("lead", "POST", kWs + "/projects", project_body("merchant-prod", "production")).status, 201);
    ASSERT_EQ(call("lead", "POST", kSandbox + "/members", member_body("dev", "operator")).status, 201);
    ASSERT_EQ(call("lead", "POST", kProd + "/members", member_body("dev", "viewer")).status, 201);
  }

  const std::string kWs = "/api/v1/workspaces/merchant-platform";
  const std::string kSandbox = kWs + "/projects/merchant-sandbox";
  const std::string kProd = kWs + "/projects/merchant-prod";

  core::FakeClock clock_;
  storage::testing::TempStore store_;
  iam::TemplateRegistry templates_;
  std::unique_ptr<iam::RbacAuthorizer> authz_;
  std::unique_ptr<iam::Roles> roles_;
  std::unique_ptr<iam::RoleBindings> bindings_;
  tenancy::testing::FakeProjectNamespaces namespaces_;
  std::unique_ptr<tenancy::Workspaces> workspaces_;
  std::unique_ptr<tenancy::Projects> projects_;
  std::unique_ptr<tenancy::Members> members_;
  std::unique_ptr<TenancyRoutes> tenancy_routes_;
  std::unique_ptr<IamRoutes> iam_routes_;
  Router router_;
  UserTokenAuthenticator authn_;
  core::MetricsRegistry metrics_;
  std::unique_ptr<ApiHandler> handler_;
};

TEST_F(TenancyRoutesTest, EveryRouteNamesVerbGroupAndResource) {
  ASSERT_GE(router_.routes().size(), 34u);
  for (const auto& r : router_.routes()) {
    EXPECT_FALSE(r.verb.empty()) << r.method << " " << r.pattern;
    EXPECT_FALSE(r.api_group.empty()) << r.method << " " << r.pattern;
    EXPECT_FALSE(r.resource.empty()) << r.method << " " << r.pattern;
    if (r.resource == "workspaces" || r.resource == "projects") {
      EXPECT_EQ(r.pattern.find("{name}"), std::string::npos) << r.pattern;  // scoped by {workspace}/{project}
    }
  }
}

TEST_F(TenancyRoutesTest, JourneyTwo) {
  // The admin creates the workspace and makes lead its admin.
  auto ws = call("admin", "POST", "/api/v1/workspaces", workspace_body("merchant-platform"));
  ASSERT_EQ(ws.status, 201) << ws.body;
  auto ws_doc = parse(ws);
  EXPECT_EQ(ws_doc.at("metadata").at("name").as_string(), "merchant-platform");
  EXPECT_FALSE(ws_doc.at("metadata").at("resourceVersion").as_string().empty());
  EXPECT_EQ(ws_doc.at("spec").at("clusters").as_array().size(), 2u);
  auto lead = call("admin", "POST", kWs + "/members", member_body("lead", "admin"));
  ASSERT_EQ(lead.status, 201) << lead.body;
  EXPECT_EQ(parse(lead), *core::parse_json(R"({"user":"lead","role":"admin"})"));
  auto got_lead = call("admin", "GET", kWs + "/members/lead");
  ASSERT_EQ(got_lead.status, 200) << got_lead.body;
  EXPECT_EQ(parse(got_lead).at("role").as_string(), "admin");

  // Before lead creates anything, dev sees no workspace at all.
  auto none = call("dev", "GET", "/api/v1/workspaces");
  ASSERT_EQ(none.status, 200) << none.body;
  EXPECT_TRUE(names(none).empty());

  // lead creates the two projects and gives dev a role in each.
  auto sandbox = call("lead", "POST", kWs + "/projects", project_body("merchant-sandbox", "sandbox"));
  ASSERT_EQ(sandbox.status, 201) << sandbox.body;
  EXPECT_EQ(parse(sandbox).at("spec").at("cluster").as_string(), "sandbox");
  auto prod = call("lead", "POST", kWs + "/projects", project_body("merchant-prod", "production"));
  ASSERT_EQ(prod.status, 201) << prod.body;
  ASSERT_EQ(call("lead", "POST", kSandbox + "/members", member_body("dev", "operator")).status, 201);
  ASSERT_EQ(call("lead", "POST", kProd + "/members", member_body("dev", "viewer")).status, 201);
  auto sandbox_members = call("lead", "GET", kSandbox + "/members");
  ASSERT_EQ(sandbox_members.status, 200) << sandbox_members.body;
  EXPECT_EQ(parse(sandbox_members), *core::parse_json(R"({"items":[{"user":"dev","role":"operator"}],"total":1})"));

  // dev reads both projects and sees exactly those two in the workspace...
  EXPECT_EQ(call("dev", "GET", kSandbox).status, 200);
  auto dev_prod = call("dev", "GET", kProd);
  ASSERT_EQ(dev_prod.status, 200) << dev_prod.body;
  EXPECT_EQ(parse(dev_prod).at("metadata").at("name").as_string(), "merchant-prod");
  auto dev_projects = call("dev", "GET", kWs + "/projects?sortBy=name&ascending=true");
  ASSERT_EQ(dev_projects.status, 200) << dev_projects.body;
  EXPECT_EQ(names(dev_projects), (std::vector<std::string>{"merchant-prod", "merchant-sandbox"}));
  // ...but may neither change nor delete merchant-prod, where dev is a viewer.
  auto put = call("dev", "PUT", kProd, project_body("merchant-prod", "production"));
  EXPECT_EQ(put.status, 403) << put.body;
  EXPECT_EQ(reason(put), "Forbidden");
  EXPECT_EQ(call("dev", "DELETE", kProd).status, 403);
  // An operator does not manage members.
  EXPECT_EQ(call("dev", "POST", kSandbox + "/members", member_body("eve", "viewer")).status, 403);

  // Another team's workspace is invisible to dev and to lead.
  ASSERT_EQ(call("admin", "POST", "/api/v1/workspaces", workspace_body("other-team")).status, 201);
  ASSERT_EQ(
      call("admin", "POST", "/api/v1/workspaces/other-team/projects", project_body("other-app", "sandbox")).status,
      201);
  for (const char* user : {"dev", "lead"}) {
    auto list = call(user, "GET", "/api/v1/workspaces");
    ASSERT_EQ(list.status, 200) << list.body;
    EXPECT_EQ(names(list), std::vector<std::string>{"merchant-platform"}) << user;
    auto other = call(user, "GET", "/api/v1/workspaces/other-team");
    EXPECT_TRUE(other.status == 403 || other.status == 404) << user << " " << other.status;
    EXPECT_EQ(call(user, "GET", "/api/v1/workspaces/other-team/projects").status, 403) << user;
    EXPECT_EQ(call(user, "GET", "/api/v1/workspaces/other-team/projects/other-app").status, 403) << user;
  }
  auto all = call("admin", "GET", "/api/v1/workspaces?sortBy=name&ascending=true");
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(names(all), (std::vector<std::string>{"merchant-platform", "other-team"}));
  // Paging keeps total at what the caller may see.
  auto page = call("admin", "GET", "/api/v1/workspaces?sortBy=name&ascending=true&limit=1&page=2");
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(parse(page).at("total").as_int64(), 2);
  EXPECT_EQ(parse(page).at("items").as_array().at(0).at("metadata").at("name").as_string(), "other-team");
}

TEST_F(TenancyRoutesTest, AViewerGets403OnEveryMutation) {
  build_merchant_platform();
  ASSERT_EQ(call("admin", "POST", kWs + "/members", member_body("vic", "viewer")).status, 201);
  // vic reads everything in the workspace...
  EXPECT_EQ(call("vic", "GET", kWs).status, 200);
  EXPECT_EQ(names(call("vic", "GET", kWs + "/projects")).size(), 2u);
  EXPECT_EQ(call("vic", "GET", kSandbox).status, 200);
  EXPECT_EQ(call("vic", "GET", kWs + "/members").status, 200);
  EXPECT_EQ(call("vic", "GET", kSandbox + "/members/dev").status, 200);
  EXPECT_EQ(call("vic", "GET", kWs + "/roles").status, 200);
  EXPECT_EQ(call("vic", "GET", kSandbox + "/roles").status, 200);
  // ...and changes nothing.
  const std::string role = R"({"apiVersion":"iam.atrium.io/v1","kind":"Role","metadata":{"name":"r1"},)"
                           R"("spec":{"level":"workspace","templates":["workspace-read"]}})";
  struct Mutation {
    const char* method;
    std::string path;
    std::string body;
  };
  const Mutation mutations[] = {
      {"POST", "/api/v1/workspaces", workspace_body("vics")},
      {"PUT", kWs, workspace_body("merchant-platform")},
      {"PATCH", kWs, R"({"spec":{"description":"x"}})"},
      {"DELETE", kWs, ""},
      {"DELETE", kWs + "?cascade=true", ""},
      {"POST", kWs + "/projects", project_body("vic-app", "sandbox")},
      {"PUT", kSandbox, project_body("merchant-sandbox", "sandbox")},
      {"PATCH", kSandbox, R"({"spec":{"description":"x"}})"},
      {"DELETE", kSandbox, ""},
      {"POST", kWs + "/members", member_body("eve", "viewer")},
      {"PUT", kWs + "/members/lead", R"({"role":"viewer"})"},
      {"DELETE", kWs + "/members/lead", ""},
      {"POST", kSandbox + "/members", member_body("eve", "viewer")},
      {"PUT", kSandbox + "/members/dev", R"({"role":"viewer"})"},
      {"DELETE", kSandbox + "/members/dev", ""},
      {"POST", kWs + "/roles", role},
      {"DELETE", kWs + "/roles/admin", ""},
      {"POST", kSandbox + "/roles", role},
      {"DELETE", kSandbox + "/roles/viewer", ""},
      {"POST", "/api/v1/roles", role},
      {"DELETE", "/api/v1/roles/platform-admin", ""},
  };
  for (const auto& m : mutations) {
    auto r = call("vic", m.method, m.path, m.body);
    EXPECT_EQ(r.status, 403) << m.method << " " << m.path << ": " << r.body_view();
    EXPECT_EQ(reason(r), "Forbidden") << m.method << " " << m.path;
  }
  // Nothing changed.
  EXPECT_EQ(names(call("admin", "GET", kWs + "/projects")).size(), 2u);
  EXPECT_EQ(parse(call("admin", "GET", kSandbox + "/members/dev")).at("role").as_string(), "operator");
}

TEST_F(TenancyRoutesTest, BindingANonexistentRoleIs422) {
  build_merchant_platform();
  auto r = call("lead", "POST", kSandbox + "/members", member_body("eve", "no-such-role"));
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(reason(r), "Invalid");
  // A workspace role name is not a project role.
  EXPECT_EQ(call("lead", "POST", kSandbox + "/members", member_body("eve", "self-provisioner")).status, 422);
  EXPECT_EQ(call("lead", "PUT", kSandbox + "/members/dev", R"({"role":"no-such-role"})").status, 422);
  EXPECT_EQ(call("admin", "POST", kWs + "/members", member_body("eve", "operator")).status, 422);
  // Neither user nor group, or both: 422 as well.
  EXPECT_EQ(call("lead", "POST", kSandbox + "/members", R"({"role":"viewer"})").status, 422);
  EXPECT_EQ(call("lead", "POST", kSandbox + "/members", R"({"user":"a","group":"b","role":"viewer"})").status, 422);
  // Members of a missing project: 404.
  EXPECT_EQ(call("admin", "POST", kWs + "/projects/nope/members", member_body("eve", "viewer")).status, 404);
  EXPECT_EQ(parse(call("lead", "GET", kSandbox + "/members")).at("total").as_int64(), 1);
}

TEST_F(TenancyRoutesTest, MembersChangeRoleGroupsAndRemoval) {
  build_merchant_platform();
  auto changed = call("lead", "PUT", kSandbox + "/members/dev", R"({"role":"viewer"})");
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(parse(changed), *core::parse_json(R"({"user":"dev","role":"viewer"})"));
  EXPECT_EQ(call("lead", "PUT", kSandbox + "/members/dev", member_body("eve", "viewer")).status, 422);
  auto group = call("lead", "POST", kSandbox + "/members", R"({"group":"developers","role":"operator"})");
  ASSERT_EQ(group.status, 201) << group.body;
  auto got = call("lead", "GET", kSandbox + "/members/group:developers");
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(parse(got), *core::parse_json(R"({"group":"developers","role":"operator"})"));
  EXPECT_EQ(call("lead", "POST", kSandbox + "/members", member_body("dev", "viewer")).status, 409);
  auto removed = call("lead", "DELETE", kSandbox + "/members/group:developers");
  ASSERT_EQ(removed.status, 200) << removed.body;
  EXPECT_EQ(parse(removed).at("status").as_string(), "Success");
  EXPECT_EQ(call("lead", "GET", kSandbox + "/members/group:developers").status, 404);
  EXPECT_EQ(call("lead", "DELETE", kSandbox + "/members/dev").status, 200);
  // dev is gone from the sandbox but still a viewer of merchant-prod.
  EXPECT_EQ(names(call("dev", "GET", kWs + "/projects")), std::vector<std::string>{"merchant-prod"});
}

TEST_F(TenancyRoutesTest, DeletingAWorkspaceWithProjectsNeedsCascade) {
  build_merchant_platform();
  auto refused = call("admin", "DELETE", kWs);
  EXPECT_EQ(refused.status, 412) << refused.body;
  EXPECT_NE(parse(refused).at("message").as_string().find("cascade=true"), std::string::npos);
  EXPECT_EQ(call("admin", "GET", kWs).status, 200);
  EXPECT_EQ(call("admin", "DELETE", kWs + "?cascade=maybe").status, 400);
  auto deleted = call("admin", "DELETE", kWs + "?cascade=true");
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(parse(deleted).at("status").as_string(), "Success");
  EXPECT_EQ(call("admin", "GET", kWs).status, 404);
  EXPECT_EQ(call("admin", "GET", kWs + "/projects").status, 404);
  EXPECT_TRUE(names(call("admin", "GET", "/api/v1/workspaces")).empty());
  // The project names are free again on their clusters; the namespaces were kept (released, not deleted), so
  // a new project of the same name adopts its namespace.
  EXPECT_TRUE(namespaces_.existing.contains("merchant-prod"));
  EXPECT_TRUE(namespaces_.labelled.empty());
  ASSERT_EQ(call("admin", "POST", "/api/v1/workspaces", workspace_body("again")).status, 201);
  EXPECT_EQ(
      call("admin", "POST", "/api/v1/workspaces/again/projects", project_body("merchant-prod", "production")).status,
      409);
  EXPECT_EQ(
      call("admin", "POST", "/api/v1/workspaces/again/projects?adopt=true", project_body("merchant-prod", "production"))
          .status,
      201);
  // Without projects, no cascade is needed.
  ASSERT_EQ(call("admin", "POST", "/api/v1/workspaces", workspace_body("empty")).status, 201);
  EXPECT_EQ(call("admin", "DELETE", "/api/v1/workspaces/empty").status, 200);
}

TEST_F(TenancyRoutesTest, UpdatesAndPatches) {
  build_merchant_platform();
  auto patched = call("lead", "PATCH", kSandbox, R"({"spec":{"description":"play here"}})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  auto doc = parse(patched);
  EXPECT_EQ(doc.at("spec").at("description").as_string(), "play here");
  EXPECT_EQ(doc.at("spec").at("cluster").as_string(), "sandbox");
  std::string rv(doc.at("metadata").at("resourceVersion").as_string());
  // A stale resourceVersion is a conflict.
  auto stale = call("lead", "PATCH", kSandbox, R"({"metadata":{"resourceVersion":"1"},"spec":{"description":"x"}})");
  EXPECT_EQ(stale.status, 409) << stale.body;
  auto ws_patch = call("lead", "PATCH", kWs, R"({"spec":{"description":"payments"}})");
  ASSERT_EQ(ws_patch.status, 200) << ws_patch.body;
  EXPECT_EQ(parse(ws_patch).at("spec").at("clusters").as_array().size(), 2u);
  // Clusters are the platform admins' to change.
  auto clusters = call("lead", "PATCH", kWs, R"({"spec":{"clusters":["sandbox","production","edge"]}})");
  EXPECT_EQ(clusters.status, 403) << clusters.body;
  auto renamed = call("lead", "PUT", kSandbox, project_body("elsewhere", "sandbox"));
  EXPECT_EQ(renamed.status, 422) << renamed.body;
  EXPECT_EQ(call("lead", "PUT", kWs, "not json").status, 400);
  auto put = call("admin", "PUT", kWs, workspace_body("merchant-platform", R"(,"description":"d")"));
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(parse(put).at("spec").at("description").as_string(), "d");
  EXPECT_EQ(call("admin", "PUT", "/api/v1/workspaces/nope", workspace_body("nope")).status, 404);
}

TEST_F(TenancyRoutesTest, Roles) {
  build_merchant_platform();
  auto platform = call("admin", "GET", "/api/v1/roles?name=platform-admin");
  ASSERT_EQ(platform.status, 200) << platform.body;
  EXPECT_EQ(names(platform), std::vector<std::string>{"platform-admin"});
  auto project_roles = call("dev", "GET", kProd + "/roles");
  EXPECT_EQ(names(project_roles), (std::vector<std::string>{"admin", "operator", "viewer"}));
  auto paged = call("dev", "GET", kProd + "/roles?limit=1&page=2");
  ASSERT_EQ(paged.status, 200) << paged.body;
  EXPECT_EQ(parse(paged).at("total").as_int64(), 3);
  EXPECT_EQ(parse(paged).at("items").as_array().size(), 1u);

  // lead (workspace admin) manages the workspace's custom roles; they are offered for binding at once.
  const std::string role = R"({"apiVersion":"iam.atrium.io/v1","kind":"Role","metadata":{"name":"readers"},)"
                           R"("spec":{"level":"workspace","templates":["workspace-read"]}})";
  auto created = call("lead", "POST", kWs + "/roles", role);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(parse(created).at("metadata").at("name").as_string(), "readers");
  EXPECT_EQ(call("lead", "POST", kWs + "/roles", role).status, 409);
  EXPECT_EQ(call("dev", "GET", kWs + "/roles/readers").status, 403);  // dev has no workspace role
  auto got = call("lead", "GET", kWs + "/roles/readers");
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(parse(got).at("spec").at("templates").as_array().size(), 1u);
  ASSERT_EQ(call("lead", "POST", kWs + "/members", member_body("rita", "readers")).status, 201);
  EXPECT_EQ(call("rita", "GET", kWs).status, 200);
  // A bound role cannot go; a built-in never.
  EXPECT_EQ(call("lead", "DELETE", kWs + "/roles/readers").status, 412);
  EXPECT_EQ(call("lead", "DELETE", kWs + "/roles/admin").status, 412);
  ASSERT_EQ(call("lead", "DELETE", kWs + "/members/rita").status, 200);
  auto deleted = call("lead", "DELETE", kWs + "/roles/readers");
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(call("lead", "GET", kWs + "/roles/readers").status, 404);
  // A role with an unknown template is invalid.
  auto bad = call("admin", "POST", "/api/v1/roles",
                  R"({"apiVersion":"iam.atrium.io/v1","kind":"Role","metadata":{"name":"x"},)"
                  R"("spec":{"level":"platform","templates":["no-such-template"]}})");
  EXPECT_EQ(bad.status, 422) << bad.body;
}

TEST_F(TenancyRoutesTest, AdoptAndConfirmChooseWhatHappensToTheNamespace) {
  ASSERT_EQ(call("admin", "POST", "/api/v1/workspaces", workspace_body("merchant-platform")).status, 201);
  namespaces_.existing.insert("legacy");
  EXPECT_EQ(call("admin", "POST", kWs + "/projects?adopt=maybe", project_body("legacy", "sandbox")).status, 400);
  auto refused = call("admin", "POST", kWs + "/projects", project_body("legacy", "sandbox"));
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_EQ(call("admin", "GET", kWs + "/projects/legacy").status, 404);
  ASSERT_EQ(call("admin", "POST", kWs + "/projects?adopt=true", project_body("legacy", "sandbox")).status, 201);
  EXPECT_EQ(namespaces_.calls.back(), "provision merchant-platform/legacy on sandbox adopt");
  ASSERT_EQ(call("admin", "POST", kWs + "/projects", project_body("fresh", "sandbox")).status, 201);

  auto wrong = call("admin", "DELETE", kWs + "/projects/fresh?confirm=legacy");
  EXPECT_EQ(wrong.status, 422) << wrong.body;
  EXPECT_EQ(call("admin", "GET", kWs + "/projects/fresh").status, 200);
  auto kept = call("admin", "DELETE", kWs + "/projects/legacy");
  ASSERT_EQ(kept.status, 200) << kept.body;
  EXPECT_EQ(namespaces_.calls.back(), "release merchant-platform/legacy");
  EXPECT_NE(kept.body.find("namespace is kept"), std::string::npos) << kept.body;
  ASSERT_EQ(call("admin", "DELETE", kWs + "/projects/fresh?confirm=fresh").status, 200);
  EXPECT_EQ(namespaces_.calls.back(), "delete merchant-platform/fresh");
  EXPECT_TRUE(namespaces_.existing.contains("legacy"));
  EXPECT_FALSE(namespaces_.existing.contains("fresh"));

  // An unreachable cluster is 503 and stores nothing.
  namespaces_.fail_next = core::Error(core::ErrorCode::Unavailable, "cluster sandbox is unreachable");
  EXPECT_EQ(call("admin", "POST", kWs + "/projects", project_body("later", "sandbox")).status, 503);
  EXPECT_EQ(call("admin", "GET", kWs + "/projects/later").status, 404);
}

}  // namespace
}  // namespace atrium::api
