#include "schema/resource.h"

#include <fmt/format.h>

namespace atrium::schema {

const Struct<ObjectMeta>& ObjectMeta::schema() {
  static const auto s =
      Struct<ObjectMeta>("ObjectMeta")
          .field("name", &ObjectMeta::name, {.description = "Unique within its kind and scope."})
          .field("uid", &ObjectMeta::uid, {.read_only = true})
          .field(
              "resourceVersion", &ObjectMeta::resource_version,
              {.description = "Opaque version for optimistic concurrency; send it back on update.", .max_length = 20})
          .field("creationTimestamp", &ObjectMeta::creation_timestamp, {.read_only = true})
          .field("labels", &ObjectMeta::labels, {.format = Format::LabelKey, .max_length = 64 * 1024, .max_items = 256})
          .field("annotations", &ObjectMeta::annotations, {.max_length = 256 * 1024, .max_items = 256});
  return s;
}

ResourceType::ResourceType(ResourceInfo info, const StructType& spec, const StructType* status)
    : info_(std::move(info)), spec_(spec), status_(status) {}

core::Result<json::object> ResourceType::decode(const json::value& document) const {
  DecodeContext ctx;
  json::object out;
  if (!document.is_object()) {
    ctx.fail("the document must be a JSON object");
  } else {
    const auto& in = document.as_object();
    for (const auto& kv : in) {
      std::string_view k = kv.key();
      if (k != "apiVersion" && k != "kind" && k != "metadata" && k != "spec" && (k != "status" || !status_)) {
        ctx.push(k.substr(0, 80));
        ctx.fail("unknown field");
        ctx.pop();
      }
    }
    auto expect_string = [&](const char* field, const std::string& want) {
      ctx.push(field);
      const json::value* v = in.if_contains(field);
      if (v && !v->is_null()) {
        if (!v->is_string())
          ctx.fail("must be a string");
        else if (v->as_string() != want)
          ctx.fail(fmt::format("must be \"{}\"", want));
      }
      ctx.pop();
    };
    expect_string("apiVersion", info_.api_version());
    expect_string("kind", info_.kind);
    out["apiVersion"] = info_.api_version();
    out["kind"] = info_.kind;

    ctx.push("metadata");
    const json::value* meta = in.if_contains("metadata");
    ObjectMeta m;
    if (meta == nullptr || meta->is_null()) {
      ctx.fail("required field is missing");
    } else {
      ObjectMeta::schema().decode(*meta, &m, {}, ctx);
      ctx.push("name");
      if (m.name.empty()) {
        if (meta->is_object()) ctx.fail("required field is missing");
      } else if (auto err = check_format(info_.name_format, m.name); !err.empty()) {
        ctx.fail(err);
      }
      ctx.pop();
    }
    out["metadata"] = ObjectMeta::schema().encode_value(m);
    ctx.pop();

    ctx.push("spec");
    const json::value* spec = in.if_contains("spec");
    json::value empty_object = json::object();
    out["spec"] = spec_.normalize(spec && !spec->is_null() ? *spec : empty_object, ctx);
    ctx.pop();
    if (status_) {
      ctx.push("status");
      const json::value* status = in.if_contains("status");
      out["status"] = status_->normalize(status && !status->is_null() ? *status : empty_object, ctx);
      ctx.pop();
    }
  }
  if (!ctx.causes().empty()) {
    return core::fail(core::Error(core::ErrorCode::InvalidArgument,
                                  decode_summary(fmt::format("{} document", info_.kind), ctx.causes()), ctx.causes()));
  }
  return out;
}

json::value ResourceType::openapi(OpenApiContext& ctx) const {
  return ctx.ref(info_.kind, [&] {
    json::object props{{"apiVersion", {{"type", "string"}, {"enum", {info_.api_version()}}}},
                       {"kind", {{"type", "string"}, {"enum", {info_.kind}}}},
                       {"metadata", ObjectMeta::schema().openapi({}, ctx)},
                       {"spec", spec_.openapi({}, ctx)}};
    if (status_) {
      json::object st = status_->openapi({}, ctx);
      props["status"] = std::move(st);
    }
    json::object o{{"type", "object"},
                   {"additionalProperties", false},
                   {"required", {"metadata"}},
                   {"properties", std::move(props)}};
    if (!info_.description.empty()) o["description"] = info_.description;
    o["x-atrium-scope"] = info_.scope == ResourceScope::Platform    ? "platform"
                          : info_.scope == ResourceScope::Workspace ? "workspace"
                                                                    : "project";
    return o;
  });
}

}  // namespace atrium::schema
