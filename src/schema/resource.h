// Resources look like Kubernetes objects: apiVersion, kind, metadata, spec, status. ResourceType describes
// one kind (group, version, plural, name rule, spec/status schemas) and validates whole documents; the API
// layer serves every resource generically from it. Immutable after construction; thread-safe.
#pragma once

#include <string>

#include "core/error.h"
#include "core/json.h"
#include "schema/schema.h"

namespace atrium::schema {

struct ObjectMeta {
  std::string name;
  std::string uid;
  std::string resource_version;
  std::string creation_timestamp;
  StringMap labels;
  StringMap annotations;

  static const Struct<ObjectMeta>& schema();
};

// Where objects of a kind live: platform-wide, or inside a workspace or a project (path parameters).
enum class ResourceScope { Platform, Workspace, Project };

struct ResourceInfo {
  std::string group;    // "tenant.atrium.io"
  std::string version;  // "v1"
  std::string kind;     // "Workspace"
  std::string plural;   // "workspaces"
  ResourceScope scope = ResourceScope::Platform;
  Format name_format = Format::Dns1123Label;
  std::string description;

  std::string api_version() const { return group.empty() ? version : group + "/" + version; }
};

class ResourceType {
 public:
  // `status` may be null for kinds without status.
  ResourceType(ResourceInfo info, const StructType& spec, const StructType* status);

  const ResourceInfo& info() const { return info_; }

  // Validates a client document (unknown fields, types, formats, apiVersion/kind, metadata.name rule) and
  // returns its canonical form. InvalidArgument lists every cause with its JSON path.
  core::Result<json::object> decode(const json::value& document) const;

  // The OpenAPI schema of the whole object; registers component schemas in ctx.
  json::value openapi(OpenApiContext& ctx) const;

 private:
  ResourceInfo info_;
  const StructType& spec_;
  const StructType* status_;
};

}  // namespace atrium::schema
