// Where role bindings and custom roles live in the store: the scope key of a core::Scope ("" for the platform,
// "cluster/<c>", "workspace/<ws>", "project/<ws>/<p>") and the words used to describe a scope to users.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/auth.h"
#include "core/error.h"

namespace atrium::iam {

using Level = core::Scope::Level;

// "platform", "cluster", "workspace", "project".
std::string_view level_name(Level level);
// InvalidArgument for anything but the four names above.
core::Result<Level> parse_level(std::string_view name);

// The store scope key of a scope. A project's key does not include its cluster.
std::string scope_key(const core::Scope& scope);
// The inverse of scope_key; InvalidArgument for a malformed key.
core::Result<core::Scope> parse_scope_key(std::string_view key);

// "the platform", "cluster sandbox", "workspace merchant-platform", "project merchant-prod in workspace ...".
std::string describe_scope(const core::Scope& scope);

core::Scope platform_scope();
core::Scope cluster_scope(std::string cluster);
core::Scope workspace_scope(std::string workspace);
core::Scope project_scope(std::string workspace, std::string project);

}  // namespace atrium::iam
