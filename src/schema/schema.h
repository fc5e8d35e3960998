// The type-description layer: one description per C++ value type drives JSON decoding (unknown fields
// rejected with their JSON path), validation, encoding and the OpenAPI 3 schema, so none of it is written
// twice. Descriptions are immutable after construction and safe to share across threads.
//
//   struct WorkspaceSpec { std::string display_name; std::vector<std::string> clusters; };
//   const schema::Struct<WorkspaceSpec>& workspace_spec_schema() {
//     static const auto s = schema::Struct<WorkspaceSpec>("WorkspaceSpec")
//         .field("displayName", &WorkspaceSpec::display_name, {.max_length = 128})
//         .field("clusters", &WorkspaceSpec::clusters, {.item_format = Format::Dns1123Label});
//     return s;
//   }
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/error.h"
#include "core/json.h"

namespace atrium::schema {

namespace json = core::json;

enum class Format { None, Dns1123Label, Dns1123Subdomain, LabelKey, LabelValue, Email, Rfc3339, Url };

struct FieldOptions {
  bool required = false;
  bool read_only = false;   // set by the server; accepted on input but never required
  bool write_only = false;  // accepted on input, never encoded (passwords)
  std::string description;
  Format format = Format::None;                       // for strings, or the items of string lists/maps
  std::vector<std::string> one_of;                    // allowed string values
  std::optional<std::int64_t> minimum, maximum;       // integers
  std::optional<std::size_t> min_length, max_length;  // strings (and items of string lists)
  std::optional<std::size_t> max_items;               // lists and maps
};

// What decoding collects: the current JSON path and every problem found (all of them, not only the first).
class DecodeContext {
 public:
  void push(std::string_view field);
  void push_index(std::size_t i);
  void push_key(std::string_view key);
  void pop();
  void fail(std::string message);
  std::string path() const;
  const std::vector<core::Cause>& causes() const { return causes_; }

 private:
  std::vector<std::string> path_;
  std::vector<core::Cause> causes_;
};

// Components of the OpenAPI document being built: named struct schemas go to components/schemas.
class OpenApiContext {
 public:
  // Returns {"$ref": "#/components/schemas/<name>"}, building the schema once.
  json::value ref(const std::string& name, const std::function<json::object()>& build);
  const json::object& components() const { return components_; }

 private:
  json::object components_;
};

// A JSON form of one C++ type. Implementations below; `Struct<T>` is the one users write.
class Type {
 public:
  virtual ~Type() = default;
  virtual void decode(const json::value& in, void* out, const FieldOptions& opts, DecodeContext& ctx) const = 0;
  virtual json::value encode(const void* in) const = 0;
  virtual json::object openapi(const FieldOptions& opts, OpenApiContext& ctx) const = 0;
  // True when the value would be omitted from output (empty string, list, map, nullopt).
  virtual bool is_empty(const void* in) const = 0;
};

// Checks a string against a format; returns an empty string when valid.
std::string check_format(Format f, std::string_view s);

template <class T>
const Type& type_of();

// Struct descriptions: fields are (json name, member pointer, options); nested structs provide a static
// `schema()` returning their Struct<T>, which type_of<T>() finds.
class StructType : public Type {
 public:
  explicit StructType(std::string name) : name_(std::move(name)) {}

  void decode(const json::value& in, void* out, const FieldOptions& opts, DecodeContext& ctx) const override;
  json::value encode(const void* in) const override;
  json::object openapi(const FieldOptions& opts, OpenApiContext& ctx) const override;
  bool is_empty(const void* in) const override;
  const std::string& name() const { return name_; }

  // Builds this struct's own schema object (not a $ref).
  json::object openapi_body(OpenApiContext& ctx) const;
  // Decodes `in` into a fresh value of the described type and encodes it again: the canonical form.
  virtual json::value normalize(const json::value& in, DecodeContext& ctx) const = 0;

 protected:
  struct FieldEntry {
    std::string name;
    const Type* type;
    FieldOptions options;
    std::function<void*(void*)> member;
    std::function<const void*(const void*)> const_member;
  };
  std::string name_;
  std::vector<FieldEntry> fields_;
};

template <class T>
class Struct : public StructType {
 public:
  explicit Struct(std::string name) : StructType(std::move(name)) {}

  template <class M>
  Struct&& field(std::string json_name, M T::*member, FieldOptions options = {}) && {
    add(std::move(json_name), member, std::move(options));
    return std::move(*this);
  }
  template <class M>
  Struct& field(std::string json_name, M T::*member, FieldOptions options = {}) & {
    add(std::move(json_name), member, std::move(options));
    return *this;
  }

  // Decodes a whole document; InvalidArgument listing every cause when anything is wrong.
  core::Result<T> decode_value(const json::value& in, std::string_view what) const {
    T out{};
    DecodeContext ctx;
    decode(in, &out, {}, ctx);
    if (!ctx.causes().empty()) {
      return core::fail(core::Error(core::ErrorCode::InvalidArgument, summary(what, ctx), ctx.causes()));
    }
    return out;
  }
  json::value encode_value(const T& v) const { return encode(&v); }
  json::value normalize(const json::value& in, DecodeContext& ctx) const override {
    T out{};
    decode(in, &out, {}, ctx);
    return encode(&out);
  }

 private:
  template <class M>
  void add(std::string json_name, M T::*member, FieldOptions options) {
    fields_.push_back(
        FieldEntry{std::move(json_name), &type_of<M>(), std::move(options),
                   [member](void* o) -> void* { return &(static_cast<T*>(o)->*member); },
                   [member](const void* o) -> const void* { return &(static_cast<const T*>(o)->*member); }});
  }
  static std::string summary(std::string_view what, const DecodeContext& ctx);
};

std::string decode_summary(std::string_view what, const std::vector<core::Cause>& causes);

template <class T>
std::string Struct<T>::summary(std::string_view what, const DecodeContext& ctx) {
  return decode_summary(what, ctx.causes());
}

// ---- built-in types ----

class StringType final : public Type {
 public:
  void decode(const json::value& in, void* out, const FieldOptions& opts, DecodeContext& ctx) const override;
  json::value encode(const void* in) const override;
  json::object openapi(const FieldOptions& opts, OpenApiContext& ctx) const override;
  bool is_empty(const void* in) const override { return static_cast<const std::string*>(in)->empty(); }
};

class IntType final : public Type {
 public:
  void decode(const json::value& in, void* out, const FieldOptions& opts, DecodeContext& ctx) const override;
  json::value encode(const void* in) const override;
  json::object openapi(const FieldOptions& opts, OpenApiContext& ctx) const override;
  bool is_empty(const void* in) const override { return false; }
};

class BoolType final : public Type {
 public:
  void decode(const json::value& in, void* out, const FieldOptions& opts, DecodeContext& ctx) const override;
  json::value encode(const void* in) const override;
  json::object openapi(const FieldOptions& opts, OpenApiContext& ctx) const override;
  bool is_empty(const void* in) const override { return false; }
};

// Free-form JSON (e.g. an embedded manifest); validated only for depth by the parser.
class AnyType final : public Type {
 public:
  void decode(const json::value& in, void* out, const FieldOptions& opts, DecodeContext& ctx) const override;
  json::value encode(const void* in) const override;
  json::object openapi(const FieldOptions& opts, OpenApiContext& ctx) const override;
  bool is_empty(const void* in) const override { return static_cast<const json::value*>(in)->is_null(); }
};

template <class E>
class ListType final : public Type {
 public:
  void decode(const json::value& in, void* out, const FieldOptions& opts, DecodeContext& ctx) const override {
    auto& v = *static_cast<std::vector<E>*>(out);
    v.clear();
    if (in.is_null()) return;
    if (!in.is_array()) return ctx.fail("must be an array");
    const auto& arr = in.as_array();
    if (opts.max_items && arr.size() > *opts.max_items) {
      return ctx.fail("must have at most " + std::to_string(*opts.max_items) + " items");
    }
    v.resize(arr.size());
    FieldOptions item = item_options(opts);
    for (std::size_t i = 0; i < arr.size(); ++i) {
      ctx.push_index(i);
      type_of<E>().decode(arr[i], &v[i], item, ctx);
      ctx.pop();
    }
  }
  json::value encode(const void* in) const override {
    json::array a;
    for (const auto& e : *static_cast<const std::vector<E>*>(in)) a.push_back(type_of<E>().encode(&e));
    return a;
  }
  json::object openapi(const FieldOptions& opts, OpenApiContext& ctx) const override {
    json::object o{{"type", "array"}};
    o["items"] = type_of<E>().openapi(item_options(opts), ctx);
    if (opts.max_items) o["maxItems"] = *opts.max_items;
    return o;
  }
  bool is_empty(const void* in) const override { return static_cast<const std::vector<E>*>(in)->empty(); }

 private:
  static FieldOptions item_options(const FieldOptions& opts) {
    FieldOptions item;
    item.format = opts.format;
    item.one_of = opts.one_of;
    item.min_length = opts.min_length;
    item.max_length = opts.max_length;
    item.minimum = opts.minimum;
    item.maximum = opts.maximum;
    return item;
  }
};

// map<string, string> with keys checked as label keys when format is LabelKey (values then as label values).
class StringMapType final : public Type {
 public:
  void decode(const json::value& in, void* out, const FieldOptions& opts, DecodeContext& ctx) const override;
  json::value encode(const void* in) const override;
  json::object openapi(const FieldOptions& opts, OpenApiContext& ctx) const override;
  bool is_empty(const void* in) const override;
};

template <class E>
class OptionalType final : public Type {
 public:
  void decode(const json::value& in, void* out, const FieldOptions& opts, DecodeContext& ctx) const override {
    auto& o = *static_cast<std::optional<E>*>(out);
    if (in.is_null()) {
      o.reset();
      return;
    }
    o.emplace();
    type_of<E>().decode(in, &*o, opts, ctx);
  }
  json::value encode(const void* in) const override {
    const auto& o = *static_cast<const std::optional<E>*>(in);
    return o ? type_of<E>().encode(&*o) : json::value(nullptr);
  }
  json::object openapi(const FieldOptions& opts, OpenApiContext& ctx) const override {
    return type_of<E>().openapi(opts, ctx);
  }
  bool is_empty(const void* in) const override { return !static_cast<const std::optional<E>*>(in)->has_value(); }
};

template <class T>
struct is_vector : std::false_type {};
template <class E>
struct is_vector<std::vector<E>> : std::true_type {
  using element = E;
};
template <class T>
struct is_optional : std::false_type {};
template <class E>
struct is_optional<std::optional<E>> : std::true_type {
  using element = E;
};

using StringMap = std::map<std::string, std::string, std::less<>>;

template <class T>
const Type& type_of() {
  if constexpr (std::is_same_v<T, std::string>) {
    static const StringType t;
    return t;
  } else if constexpr (std::is_same_v<T, std::int64_t>) {
    static const IntType t;
    return t;
  } else if constexpr (std::is_same_v<T, bool>) {
    static const BoolType t;
    return t;
  } else if constexpr (std::is_same_v<T, json::value>) {
    static const AnyType t;
    return t;
  } else if constexpr (std::is_same_v<T, StringMap>) {
    static const StringMapType t;
    return t;
  } else if constexpr (is_vector<T>::value) {
    static const ListType<typename is_vector<T>::element> t;
    return t;
  } else if constexpr (is_optional<T>::value) {
    static const OptionalType<typename is_optional<T>::element> t;
    return t;
  } else {
    return T::schema();
  }
}

}  // namespace atrium::schema
