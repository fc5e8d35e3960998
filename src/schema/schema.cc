#include "schema/schema.h"

#include <fmt/format.h>

#include "core/clock.h"
#include "core/validation.h"

namespace atrium::schema {

// ---- DecodeContext ----

void DecodeContext::push(std::string_view field) {
  path_.push_back(path_.empty() ? std::string(field) : "." + std::string(field));
}
void DecodeContext::push_index(std::size_t i) { path_.push_back("[" + std::to_string(i) + "]"); }
void DecodeContext::push_key(std::string_view key) {
  std::string k;
  for (char c : key.substr(0, 80)) k += (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') ? c : '?';
  path_.push_back("[\"" + k + "\"]");
}
void DecodeContext::pop() { path_.pop_back(); }
void DecodeContext::fail(std::string message) {
  if (causes_.size() >= 50) return;  // enough to act on; bounds the answer to hostile input
  causes_.push_back(core::Cause{path(), std::move(message)});
}
std::string DecodeContext::path() const {
  std::string p;
  for (const auto& s : path_) p += s;
  return p;
}

std::string decode_summary(std::string_view what, const std::vector<core::Cause>& causes) {
  std::string msg = fmt::format("{} is invalid", what);
  for (std::size_t i = 0; i < causes.size() && i < 3; ++i) {
    msg += fmt::format("{} {}: {}", i == 0 ? ":" : ";", causes[i].field.empty() ? "<root>" : causes[i].field,
                       causes[i].message);
  }
  if (causes.size() > 3) msg += fmt::format(" (and {} more)", causes.size() - 3);
  return msg;
}

// ---- OpenApiContext ----

json::value OpenApiContext::ref(const std::string& name, const std::function<json::object()>& build) {
  if (!components_.contains(name)) {
    components_[name] = json::object();  // placeholder stops recursion
    components_[name] = build();
  }
  return json::object{{"$ref", "#/components/schemas/" + name}};
}

// ---- formats ----

std::string check_format(Format f, std::string_view s) {
  switch (f) {
    case Format::None:
      return {};
    case Format::Dns1123Label:
      return core::validate_dns1123_label(s);
    case Format::Dns1123Subdomain:
      return core::validate_dns1123_subdomain(s);
    case Format::LabelKey:
      return core::validate_label_key(s);
    case Format::LabelValue:
      return core::validate_label_value(s);
    case Format::Email: {
      auto at = s.find('@');
      if (s.size() > 254 || at == std::string_view::npos || at == 0 || at + 1 >= s.size() ||
          s.find('@', at + 1) != std::string_view::npos ||
          s.find_first_of(" \t\r\n<>()[],;:\"") != std::string_view::npos ||
          s.substr(at + 1).find('.') == std::string_view::npos) {
        return "must be an email address such as dev@example.com";
      }
      return {};
    }
    case Format::Rfc3339: {
      core::TimePoint t;
      return core::parse_rfc3339(s, t) ? std::string() : "must be an RFC 3339 UTC time such as 2026-01-02T03:04:05Z";
    }
    case Format::Url: {
      if (!(s.starts_with("http://") || s.starts_with("https://")) || s.size() > 2048 ||
          s.find_first_of(" \t\r\n") != std::string_view::npos) {
        return "must be an http:// or https:// URL";
      }
      return {};
    }
  }
  return {};
}

namespace {

const char* format_name(Format f) {
  switch (f) {
    case Format::Dns1123Label:
      return "dns1123-label";
    case Format::Dns1123Subdomain:
      return "dns1123-subdomain";
    case Format::LabelKey:
      return "label-key";
    case Format::LabelValue:
      return "label-value";
    case Format::Email:
      return "email";
    case Format::Rfc3339:
      return "date-time";
    case Format::Url:
      return "uri";
    case Format::None:
      return nullptr;
  }
  return nullptr;
}

std::string_view kind_of(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      return "null";
    case json::kind::bool_:
      return "a boolean";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      return "a number";
    case json::kind::string:
      return "a string";
    case json::kind::array:
      return "an array";
    case json::kind::object:
      return "an object";
  }
  return "unknown";
}

void add_description(json::object& o, const FieldOptions& opts) {
  if (!opts.description.empty()) o["description"] = opts.description;
  if (opts.read_only) o["readOnly"] = true;
  if (opts.write_only) o["writeOnly"] = true;
}

}  // namespace

// ---- StructType ----

void StructType::decode(const json::value& in, void* out, const FieldOptions&, DecodeContext& ctx) const {
  if (in.is_null()) return;
  if (!in.is_object()) return ctx.fail(fmt::format("must be an object, not {}", kind_of(in)));
  const auto& obj = in.as_object();
  for (const auto& kv : obj) {
    bool known = false;
    for (const auto& f : fields_) {
      if (f.name == std::string_view(kv.key())) {
        known = true;
        break;
      }
    }
    if (!known) {
      ctx.push(std::string_view(kv.key()).substr(0, 80));
      ctx.fail("unknown field");
      ctx.pop();
    }
  }
  for (const auto& f : fields_) {
    ctx.push(f.name);
    const json::value* v = obj.if_contains(f.name);
    if (v == nullptr || v->is_null()) {
      if (f.options.required && !f.options.read_only) ctx.fail("required field is missing");
    } else {
      std::size_t before = ctx.causes().size();
      f.type->decode(*v, f.member(out), f.options, ctx);
      if (f.options.required && !f.options.read_only && ctx.causes().size() == before &&
          f.type->is_empty(f.member(out))) {
        ctx.fail("required field is empty");
      }
    }
    ctx.pop();
  }
}

json::value StructType::encode(const void* in) const {
  json::object o;
  for (const auto& f : fields_) {
    if (f.options.write_only) continue;
    const void* m = f.const_member(in);
    if (!f.options.required && f.type->is_empty(m)) continue;
    o[f.name] = f.type->encode(m);
  }
  return o;
}

bool StructType::is_empty(const void* in) const {
  for (const auto& f : fields_) {
    if (!f.type->is_empty(f.const_member(in))) return false;
  }
  return true;
}

json::object StructType::openapi_body(OpenApiContext& ctx) const {
  json::object o{{"type", "object"}, {"additionalProperties", false}};
  json::object props;
  json::array required;
  for (const auto& f : fields_) {
    json::object p = f.type->openapi(f.options, ctx);
    add_description(p, f.options);
    props[f.name] = std::move(p);
    if (f.options.required && !f.options.read_only) required.push_back(json::string(f.name));
  }
  o["properties"] = std::move(props);
  if (!required.empty()) o["required"] = std::move(required);
  return o;
}

json::object StructType::openapi(const FieldOptions&, OpenApiContext& ctx) const {
  json::value r = ctx.ref(name_, [&] { return openapi_body(ctx); });
  return r.as_object();
}

// ---- primitives ----

void StringType::decode(const json::value& in, void* out, const FieldOptions& opts, DecodeContext& ctx) const {
  if (!in.is_string()) return ctx.fail(fmt::format("must be a string, not {}", kind_of(in)));
  std::string_view s = in.as_string();
  if (opts.max_length && s.size() > *opts.max_length) {
    return ctx.fail(fmt::format("must be at most {} characters", *opts.max_length));
  }
  if (opts.min_length && s.size() < *opts.min_length) {
    return ctx.fail(fmt::format("must be at least {} characters", *opts.min_length));
  }
  if (s.find('\0') != std::string_view::npos) return ctx.fail("must not contain NUL characters");
  if (auto err = check_format(opts.format, s); !err.empty()) return ctx.fail(err);
  if (!opts.one_of.empty()) {
    bool ok = false;
    for (const auto& v : opts.one_of) ok = ok || v == s;
    if (!ok) {
      std::string all;
      for (const auto& v : opts.one_of) all += (all.empty() ? "" : ", ") + v;
      return ctx.fail("must be one of: " + all);
    }
  }
  *static_cast<std::string*>(out) = std::string(s);
}
json::value StringType::encode(const void* in) const { return json::string(*static_cast<const std::string*>(in)); }
json::object StringType::openapi(const FieldOptions& opts, OpenApiContext&) const {
  json::object o{{"type", "string"}};
  if (const char* f = format_name(opts.format)) o["format"] = f;
  if (opts.max_length) o["maxLength"] = *opts.max_length;
  if (opts.min_length) o["minLength"] = *opts.min_length;
  if (!opts.one_of.empty()) {
    json::array e;
    for (const auto& v : opts.one_of) e.push_back(json::string(v));
    o["enum"] = std::move(e);
  }
  return o;
}

void IntType::decode(const json::value& in, void* out, const FieldOptions& opts, DecodeContext& ctx) const {
  std::int64_t v;
  if (in.is_int64()) {
    v = in.as_int64();
  } else if (in.is_uint64()) {
    return ctx.fail("is out of range");
  } else if (in.is_double()) {
    double d = in.as_double();
    if (d != static_cast<double>(static_cast<std::int64_t>(d)) || d > 9.0e15 || d < -9.0e15) {
      return ctx.fail("must be an integer");
    }
    v = static_cast<std::int64_t>(d);
  } else {
    return ctx.fail(fmt::format("must be an integer, not {}", kind_of(in)));
  }
  if (opts.minimum && v < *opts.minimum) return ctx.fail(fmt::format("must be at least {}", *opts.minimum));
  if (opts.maximum && v > *opts.maximum) return ctx.fail(fmt::format("must be at most {}", *opts.maximum));
  *static_cast<std::int64_t*>(out) = v;
}
json::value IntType::encode(const void* in) const { return *static_cast<const std::int64_t*>(in); }
json::object IntType::openapi(const FieldOptions& opts, OpenApiContext&) const {
  json::object o{{"type", "integer"}, {"format", "int64"}};
  if (opts.minimum) o["minimum"] = *opts.minimum;
  if (opts.maximum) o["maximum"] = *opts.maximum;
  return o;
}

void BoolType::decode(const json::value& in, void* out, const FieldOptions&, DecodeContext& ctx) const {
  if (!in.is_bool()) return ctx.fail(fmt::format("must be a boolean, not {}", kind_of(in)));
  *static_cast<bool*>(out) = in.as_bool();
}
json::value BoolType::encode(const void* in) const { return *static_cast<const bool*>(in); }
json::object BoolType::openapi(const FieldOptions&, OpenApiContext&) const { return {{"type", "boolean"}}; }

void AnyType::decode(const json::value& in, void* out, const FieldOptions&, DecodeContext&) const {
  *static_cast<json::value*>(out) = in;
}
json::value AnyType::encode(const void* in) const { return *static_cast<const json::value*>(in); }
json::object AnyType::openapi(const FieldOptions&, OpenApiContext&) const {
  return {{"x-kubernetes-preserve-unknown-fields", true}};
}

void StringMapType::decode(const json::value& in, void* out, const FieldOptions& opts, DecodeContext& ctx) const {
  auto& m = *static_cast<StringMap*>(out);
  m.clear();
  if (in.is_null()) return;
  if (!in.is_object()) return ctx.fail(fmt::format("must be an object, not {}", kind_of(in)));
  const auto& obj = in.as_object();
  if (opts.max_items && obj.size() > *opts.max_items) {
    return ctx.fail(fmt::format("must have at most {} entries", *opts.max_items));
  }
  std::size_t total = 0;
  for (const auto& kv : obj) {
    std::string_view key = kv.key();
    ctx.push_key(key);
    if (!kv.value().is_string()) {
      ctx.fail(fmt::format("must be a string, not {}", kind_of(kv.value())));
    } else {
      std::string_view val = kv.value().as_string();
      total += key.size() + val.size();
      if (opts.format == Format::LabelKey) {
        if (auto e = core::validate_label_key(key); !e.empty())
          ctx.fail(e);
        else if (auto e2 = core::validate_label_value(val); !e2.empty())
          ctx.fail(e2);
      } else if (key.empty() || key.size() > 253) {
        ctx.fail("key must be 1 to 253 characters");
      }
      m.emplace(std::string(key), std::string(val));
    }
    ctx.pop();
  }
  if (opts.max_length && total > *opts.max_length) {
    ctx.fail(fmt::format("total size must be at most {} bytes", *opts.max_length));
  }
}
json::value StringMapType::encode(const void* in) const {
  json::object o;
  for (const auto& [k, v] : *static_cast<const StringMap*>(in)) o[k] = v;
  return o;
}
json::object StringMapType::openapi(const FieldOptions&, OpenApiContext&) const {
  return {{"type", "object"}, {"additionalProperties", {{"type", "string"}}}};
}
bool StringMapType::is_empty(const void* in) const { return static_cast<const StringMap*>(in)->empty(); }

}  // namespace atrium::schema
