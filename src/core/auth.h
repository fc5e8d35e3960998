// Who is calling: the value types authentication produces and authorisation consumes, shared by every
// layer (api/ asks, iam/ answers). The interface is here so lower modules can implement it without
// knowing the HTTP layer. Implementations must be thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/error.h"

namespace atrium::core {

struct Principal {
  std::string user;                 // "admin"
  std::vector<std::string> groups;  // group names
  std::string auth_method;          // "token", "session", ...
};

// What a request presents: a bearer token and/or a session cookie, and where it came from.
struct Credentials {
  std::optional<std::string> bearer_token;
  std::optional<std::string> session_cookie;
  std::string client_address;
};

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // Unauthenticated when credentials are missing, unknown, expired or revoked.
  virtual Result<Principal> authenticate(const Credentials& credentials) = 0;
};

// Where a request acts. Levels nest: platform ⊃ cluster ⊃ (namespaces); platform ⊃ workspace ⊃ project.
// A project also names its cluster when known.
struct Scope {
  enum class Level { Platform, Cluster, Workspace, Project };
  Level level = Level::Platform;
  std::string cluster;    // Cluster level, or the cluster of a project
  std::string workspace;  // Workspace and Project levels
  std::string project;    // Project level (the namespace name)
};

// One question to the authoriser, in Kubernetes RBAC words.
struct AccessRequest {
  std::string verb;         // "get", "list", "watch", "create", "update", "patch", "delete", or a custom verb
  std::string api_group;    // "" for core Kubernetes kinds; "tenant.atrium.io", "iam.atrium.io", ...
  std::string resource;     // plural: "workspaces", "pods", ...
  std::string subresource;  // "log", "exec", "members", ... or empty
  std::string name;         // the object, when the request names one
  Scope scope;
};

struct Decision {
  bool allowed = false;
  // When denied: the missing permission, e.g. "create projects in workspace merchant-platform".
  std::string reason;
};

class Authorizer {
 public:
  virtual ~Authorizer() = default;
  virtual Decision authorize(const Principal& principal, const AccessRequest& request) = 0;
};

}  // namespace atrium::core
