#include "iam/scope_key.h"

#include <fmt/format.h>

namespace atrium::iam {

std::string_view level_name(Level level) {
  switch (level) {
    case Level::Platform:
      return "platform";
    case Level::Cluster:
      return "cluster";
    case Level::Workspace:
      return "workspace";
    case Level::Project:
      return "project";
  }
  return "platform";
}

core::Result<Level> parse_level(std::string_view name) {
  for (Level l : {Level::Platform, Level::Cluster, Level::Workspace, Level::Project}) {
    if (level_name(l) == name) return l;
  }
  return core::fail(
      core::ErrorCode::InvalidArgument,
      fmt::format("level \"{}\" is not one of platform, cluster, workspace, project", name.substr(0, 40)));
}

std::string scope_key(const core::Scope& scope) {
  switch (scope.level) {
    case Level::Platform:
      return "";
    case Level::Cluster:
      return "cluster/" + scope.cluster;
    case Level::Workspace:
      return "workspace/" + scope.workspace;
    case Level::Project:
      return "project/" + scope.workspace + "/" + scope.project;
  }
  return "";
}

core::Result<core::Scope> parse_scope_key(std::string_view key) {
  auto bad = [&] {
    return core::fail(core::ErrorCode::InvalidArgument, fmt::format("\"{}\" is not a scope key", key.substr(0, 80)));
  };
  if (key.empty()) return platform_scope();
  auto slash = key.find('/');
  if (slash == std::string_view::npos || slash + 1 == key.size()) return bad();
  std::string_view head = key.substr(0, slash), rest = key.substr(slash + 1);
  if (head == "cluster" && rest.find('/') == std::string_view::npos) return cluster_scope(std::string(rest));
  if (head == "workspace" && rest.find('/') == std::string_view::npos) return workspace_scope(std::string(rest));
  if (head == "project") {
    auto s = rest.find('/');
    if (s == std::string_view::npos || s == 0 || s + 1 == rest.size() ||
        rest.find('/', s + 1) != std::string_view::npos)
      return bad();
    return project_scope(std::string(rest.substr(0, s)), std::string(rest.substr(s + 1)));
  }
  return bad();
}

std::string describe_scope(const core::Scope& scope) {
  switch (scope.level) {
    case Level::Platform:
      return "on the platform";
    case Level::Cluster:
      return "in cluster " + scope.cluster;
    case Level::Workspace:
      return "in workspace " + scope.workspace;
    case Level::Project:
      return fmt::format("in project {} of workspace {}", scope.project, scope.workspace);
  }
  return "";
}

core::Scope platform_scope() { return core::Scope{}; }
core::Scope cluster_scope(std::string cluster) {
  return core::Scope{.level = Level::Cluster, .cluster = std::move(cluster)};
}
core::Scope workspace_scope(std::string workspace) {
  return core::Scope{.level = Level::Workspace, .workspace = std::move(workspace)};
}
core::Scope project_scope(std::string workspace, std::string project) {
  return core::Scope{.level = Level::Project, .workspace = std::move(workspace), .project = std::move(project)};
}

}  // namespace atrium::iam
