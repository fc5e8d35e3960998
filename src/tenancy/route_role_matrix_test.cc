// The golden route x role matrix (src/iam/testdata/route_role_matrix.txt, written by hand) checked cell by cell
// through the RbacAuthorizer, with the AccessRequest built exactly as the front door builds it:
//   AccessRequest{route.verb, route.api_group, route.resource, route.subresource, params["name"],
//                 scope_from_params(params)}
// where scope_from_params maps {workspace}+{project} → Project, {workspace} → Workspace, {cluster} → Cluster,
// none → Platform (api/api_handler.cc). The bindings are made through the tenancy and iam services.
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "core/testing/fake_clock.h"
#include "iam/authorizer.h"
#include "iam/testing/temp_store.h"
#include "tenancy/projects.h"
#include "tenancy/templates.h"
#include "tenancy/workspaces.h"

namespace atrium::tenancy {
namespace {

struct Row {
  std::string method, path, verb, group, resource;
  std::vector<char> cells;
  int line = 0;
};

std::string source_dir() {
  const char* d = std::getenv("ATRIUM_SOURCE_DIR");
  return d ? d : ".";
}

std::vector<std::string> columns_and_rows(std::vector<Row>& rows) {
  std::ifstream in(source_dir() + "/src/iam/testdata/route_role_matrix.txt");
  std::vector<std::string> columns;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    std::istringstream s(line);
    if (line.starts_with("# method")) {
      std::string w;
      for (int i = 0; i < 6 && s >> w; ++i) {
      }
      while (s >> w) columns.push_back(w);
      continue;
    }
    if (line.empty() || line[0] == '#') continue;
    Row r;
    r.line = n;
    s >> r.method >> r.path >> r.verb >> r.group >> r.resource;
    std::string c;
    while (s >> c) r.cells.push_back(c == "A" ? 'A' : c == "D" ? 'D' : '?');
    rows.push_back(std::move(r));
  }
  return columns;
}

// What the front door does with a matched route's path parameters (api::scope_from_params).
core::Scope scope_from_path(const std::string& path) {
  core::Scope s;
  if (path.find("{cluster}") != std::string::npos) s.cluster = "sandbox";
  if (path.find("{workspace}") != std::string::npos) s.workspace = "merchant-platform";
  if (path.find("{project}") != std::string::npos) s.project = "merchant-sandbox";
  // A namespace of a cluster: the project owning it (api::ApiOptions::namespace_scope), else the cluster itself.
  if (path.find("/namespaces/{namespace}/") != std::string::npos) {
    s.workspace = "merchant-platform";
    s.project = "merchant-sandbox";
  }
  if (!s.project.empty()) {
    s.level = core::Scope::Level::Project;
    s.cluster.clear();  // the front door does not know a project's cluster; the authorizer looks it up
  } else if (!s.workspace.empty()) {
    s.level = core::Scope::Level::Workspace;
  } else if (!s.cluster.empty()) {
    s.level = core::Scope::Level::Cluster;
  }
  return s;
}

TEST(RouteRoleMatrixTest, EveryCellThroughTheAuthorizer) {
  iam::testing::TempStore store;
  ASSERT_TRUE(store.ok());
  core::FakeClock clock;
  iam::TemplateRegistry templates;
  ASSERT_TRUE(iam::register_templates(templates));
  ASSERT_TRUE(tenancy::register_templates(templates));
  iam::RbacAuthorizer authz(*store, templates, clock);
  iam::Roles roles(*store, templates, clock, [&] { (void)authz.refresh(); });
  iam::RoleBindings bindings(*store, roles, clock, [&] { (void)authz.refresh(); });
  Workspaces workspaces(*store, clock, bindings, authz);
  Projects projects(*store, clock, bindings, authz);

  using iam::Member;
  ASSERT_TRUE(bindings.add_member(iam::platform_scope(), Member{.user = "padm", .role = "platform-admin"}));
  core::Principal padm{"padm", {}, "token"};
  auto ws = [](const char* name, const char* manager) {
    return *core::parse_json(std::string(R"({"metadata":{"name":")") + name + R"("},"spec":{"manager":")" + manager +
                             R"(","clusters":["sandbox","production"]}})");
  };
  auto project = [](const char* name) {
    return *core::parse_json(std::string(R"({"metadata":{"name":")") + name + R"("},"spec":{"cluster":"sandbox"}})");
  };
  ASSERT_TRUE(workspaces.create(padm, ws("merchant-platform", "wadm")));
  ASSERT_TRUE(workspaces.create(padm, ws("other", "xadm")));
  ASSERT_TRUE(projects.create(padm, "merchant-platform", project("merchant-sandbox")));
  ASSERT_TRUE(projects.create(padm, "other", project("other-app")));
  struct Grant {
    const char* user;
    core::Scope scope;
    const char* role;
  };
  const Grant grants[] = {
      {"preg", iam::platform_scope(), "platform-regular"},
      {"pself", iam::platform_scope(), "platform-self-provisioner"},
      {"paud", iam::platform_scope(), "platform-auditor"},
      {"cadm", iam::cluster_scope("sandbox"), "cluster-admin"},
      {"cview", iam::cluster_scope("sandbox"), "cluster-viewer"},
      {"wself", iam::workspace_scope("merchant-platform"), "self-provisioner"},
      {"wreg", iam::workspace_scope("merchant-platform"), "regular"},
      {"wview", iam::workspace_scope("merchant-platform"), "viewer"},
      {"jadm", iam::project_scope("merchant-platform", "merchant-sandbox"), "admin"},
      {"jop", iam::project_scope("merchant-platform", "merchant-sandbox"), "operator"},
      {"jview", iam::project_scope("merchant-platform", "merchant-sandbox"), "viewer"},
  };
  for (const auto& g : grants) {
    ASSERT_TRUE(bindings.add_member(g.scope, Member{.user = g.user, .role = g.role})) << g.user;
  }

  std::vector<Row> rows;
  auto columns = columns_and_rows(rows);
  ASSERT_EQ(columns.size(), 14u) << "header line not found or changed";
  ASSERT_GE(rows.size(), 25u);
  int checked = 0;
  for (const auto& row : rows) {
    ASSERT_EQ(row.cells.size(), columns.size()) << "line " << row.line;
    core::AccessRequest req;
    req.verb = row.verb;
    req.api_group = row.group == "core" ? "" : row.group;
    auto slash = row.resource.find('/');
    req.resource = row.resource.substr(0, slash);
    if (slash != std::string::npos) req.subresource = row.resource.substr(slash + 1);
    req.scope = scope_from_path(row.path);
    for (std::size_t i = 0; i < columns.size(); ++i) {
      ASSERT_NE(row.cells[i], '?') << "line " << row.line;
      auto d = authz.authorize(core::Principal{columns[i], {}, "token"}, req);
      EXPECT_EQ(d.allowed, row.cells[i] == 'A')
          << "line " << row.line << ": " << row.method << " " << row.path << " (" << row.verb << " " << row.resource
          << ") as " << columns[i] << " expected " << row.cells[i] << "; reason: " << d.reason;
      if (!d.allowed) {
        EXPECT_FALSE(d.reason.empty());
      }
      ++checked;
    }
  }
  EXPECT_EQ(checked, static_cast<int>(rows.size() * columns.size()));
}

}  // namespace
}  // namespace atrium::tenancy
