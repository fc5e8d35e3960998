#include "kube/manifest.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <cmath>
#include <limits>
#include <new>

#include <fmt/format.h>

#include "storage/object_rules.h"

namespace atrium::kube {
namespace {

namespace json = core::json;
using core::ErrorCode;

constexpr std::string_view kTagStr = "tag:yaml.org,2002:str";
constexpr std::string_view kTagInt = "tag:yaml.org,2002:int";
constexpr std::string_view kTagFloat = "tag:yaml.org,2002:float";
constexpr std::string_view kTagBool = "tag:yaml.org,2002:bool";
constexpr std::string_view kTagNull = "tag:yaml.org,2002:null";
constexpr std::string_view kTagMap = "tag:yaml.org,2002:map";
constexpr std::string_view kTagSeq = "tag:yaml.org,2002:seq";

core::Error invalid(std::size_t document, const std::string& message) {
  return core::Error(ErrorCode::InvalidArgument, fmt::format("document {}: {}", document + 1, message),
                     {core::Cause{fmt::format("[{}]", document), message}});
}

// Malformed text as a whole (no document to name): a bad request rather than an invalid document.
core::Error invalid_stream(const std::string& message) { return core::Error(ErrorCode::InvalidArgument, message); }

bool one_of(std::string_view s, std::initializer_list<std::string_view> list) {
  for (auto x : list) {
    if (s == x) return true;
  }
  return false;
}

// Go's strconv.ParseInt(s, 0, 64) (after go-yaml removed underscores): sign, then 0x/0o/0b prefixes or a leading 0
// for octal.
std::optional<json::value> parse_go_integer(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  } else if (s.size() > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) {
    base = 8;
    s.remove_prefix(2);
  } else if (s.size() > 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
    base = 2;
    s.remove_prefix(2);
  } else if (s.size() > 1 && s[0] == '0') {
    base = 8;
    s.remove_prefix(1);
  }
  if (s.empty()) return std::nullopt;
  std::uint64_t magnitude = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), magnitude, base);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  if (!negative) {
    if (magnitude <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return json::value(static_cast<std::int64_t>(magnitude));
    }
    return json::value(magnitude);
  }
  if (magnitude <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return json::value(-static_cast<std::int64_t>(magnitude));
  }
  if (magnitude == static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) + 1) {
    return json::value(std::numeric_limits<std::int64_t>::min());
  }
  return std::nullopt;
}

// go-yaml's float syntax: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool is_yaml_float(std::string_view s) {
  std::size_t i = 0, n = s.size();
  auto digits = [&] {
    std::size_t start = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') ++i;
    return i - start;
  };
  if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
  if (i < n && s[i] == '.') {
    ++i;
    if (digits() == 0) return false;
  } else {
    if (digits() == 0) return false;
    if (i < n && s[i] == '.') {
      ++i;
      digits();
    }
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == n;
}

// A plain (unquoted, untagged) scalar, typed as go-yaml v2 (which kubectl uses) types it.
core::Result<json::value> resolve_plain(std::string_view s, std::size_t document) {
  if (one_of(s, {"", "~", "null", "Null", "NULL"})) return json::value(nullptr);
  if (one_of(s, {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"})) return json::value(true);
  if (one_of(s, {"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"})) {
    return json::value(false);
  }
  if (one_of(s,
             {".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF"})) {
    return core::fail(invalid(document, fmt::format("{} has no JSON form", s)));
  }
  if (s == "<<") return core::fail(invalid(document, "merge keys (<<) are not supported"));
  const char first = s.front();
  if (!(first == '+' || first == '-' || first == '.' || (first >= '0' && first <= '9'))) return json::value(s);
  std::string plain;
  plain.reserve(s.size());
  for (char c : s) {
    if (c != '_') plain += c;
  }
  if (auto i = parse_go_integer(plain)) return *i;
  if (is_yaml_float(plain)) {
    std::string_view f = plain;
    if (f.front() == '+') f.remove_prefix(1);
    double d = 0;
    auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), d);
    if (ec == std::errc() && end == f.data() + f.size() && std::isfinite(d)) {
      // Go writes a whole float64 without a fraction ("8", not "8E0"), so integer fields accept it.
      if (std::trunc(d) == d && std::fabs(d) < 9.0e15) return json::value(static_cast<std::int64_t>(d));
      return json::value(d);
    }
    if (ec == std::errc::result_out_of_range) {
      return core::fail(invalid(document, fmt::format("{} is out of range", s.substr(0, 64))));
    }
  }
  return json::value(s);
}

class Converter {
 public:
  Converter(const ManifestLimits& limits, std::size_t document) : limits_(limits), document_(document) {}

  core::Result<json::value> convert(const YAML::Node& node, std::size_t depth) {
    if (++nodes_ > limits_.max_nodes) {
      return core::fail(invalid(document_, fmt::format("more than {} values (aliases expanded)", limits_.max_nodes)));
    }
    if (depth > limits_.max_depth) {
      return core::fail(invalid(document_, fmt::format("nested deeper than {} levels", limits_.max_depth)));
    }
    const std::string& tag = node.Tag();
    switch (node.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null:
        return json::value(nullptr);
      case YAML::NodeType::Scalar:
        return scalar(node.Scalar(), tag);
      case YAML::NodeType::Sequence: {
        if (!(tag.empty() || tag == "?" || tag == "!" || tag == kTagSeq)) return unsupported_tag(tag);
        json::array a;
        a.reserve(node.size());
        for (const auto& child : node) {
          auto v = convert(child, depth + 1);
          if (!v) return v;
          a.push_back(std::move(*v));
        }
        return json::value(std::move(a));
      }
      case YAML::NodeType::Map: {
        if (!(tag.empty() || tag == "?" || tag == "!" || tag == kTagMap)) return unsupported_tag(tag);
        json::object o;
        for (const auto& kv : node) {
          if (!kv.first.IsScalar()) return core::fail(invalid(document_, "a mapping key must be a scalar"));
          const std::string& key = kv.first.Scalar();
          if (key == "<<" && kv.first.Tag() == "?") {
            return core::fail(invalid(document_, "merge keys (<<) are not supported"));
          }
          if (o.contains(key)) {
            return core::fail(invalid(document_, fmt::format("duplicate key \"{}\"", key.substr(0, 128))));
          }
          auto v = convert(kv.second, depth + 1);
          if (!v) return v;
          o.emplace(key, std::move(*v));
        }
        return json::value(std::move(o));
      }
    }
    return json::value(nullptr);
  }

 private:
  core::Result<json::value> unsupported_tag(const std::string& tag) {
    return core::fail(invalid(document_, fmt::format("the tag {} is not supported", tag.substr(0, 64))));
  }

  core::Result<json::value> scalar(const std::string& text, const std::string& tag) {
    if (tag == "!" || tag == kTagStr) return json::value(text);
    if (tag.empty() || tag == "?") return resolve_plain(text, document_);
    if (tag != kTagInt && tag != kTagFloat && tag != kTagBool && tag != kTagNull) return unsupported_tag(tag);
    auto typed = resolve_plain(text, document_);
    if (!typed) return typed;
    bool fits = (tag == kTagInt && (typed->is_int64() || typed->is_uint64())) ||
                (tag == kTagFloat && typed->is_number()) || (tag == kTagBool && typed->is_bool()) ||
                (tag == kTagNull && typed->is_null());
    if (!fits) return core::fail(invalid(document_, fmt::format("\"{}\" is not a valid {}", text.substr(0, 64), tag)));
    return typed;
  }

  const ManifestLimits& limits_;
  std::size_t document_;
  std::size_t nodes_ = 0;
};

core::Result<std::vector<json::value>> parse(std::string_view text, const ManifestLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return core::fail(ErrorCode::PayloadTooLarge, fmt::format("the manifest of {} bytes exceeds the limit of {} bytes",
                                                              text.size(), limits.max_bytes));
  }
  if (!storage::is_clean_utf8(text)) return core::fail(invalid_stream("the manifest is not UTF-8 text (or holds NUL)"));
  std::vector<json::value> out;
  std::size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return out;
  if (text[first] == '{') {
    core::JsonLimits json_limits;
    json_limits.max_bytes = limits.max_bytes;
    json_limits.max_depth = limits.max_depth;
    if (auto v = core::parse_json(text, json_limits); v && v->is_object()) {
      out.push_back(std::move(*v));
      return out;
    }
    // Not JSON after all (YAML flow syntax, {a: b}): read as YAML below.
  }
  if (yaml_flow_too_deep(text, limits.max_depth)) {
    return core::fail(invalid_stream(fmt::format("collections are nested deeper than {} levels", limits.max_depth)));
  }
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    if (e.mark.is_null()) return core::fail(invalid_stream("not valid YAML or JSON: " + e.msg));
    return core::fail(invalid_stream(
        fmt::format("not valid YAML or JSON at line {}, column {}: {}", e.mark.line + 1, e.mark.column + 1, e.msg)));
  }
  for (const auto& doc : documents) {
    if (doc.IsNull() || !doc.IsDefined()) continue;
    const std::size_t index = out.size();
    if (index >= limits.max_documents) {
      return core::fail(invalid_stream(fmt::format("more than {} documents", limits.max_documents)));
    }
    if (!doc.IsMap()) return core::fail(invalid(index, "a document must be a mapping (an object)"));
    Converter converter(limits, index);
    auto v = converter.convert(doc, 1);
    if (!v) return core::fail(v.error());
    out.push_back(std::move(*v));
  }
  return out;
}

}  // namespace

bool yaml_flow_too_deep(std::string_view text, std::size_t max_depth) {
  std::size_t depth = 0;
  for (char c : text) {
    if (c == '[' || c == '{') {
      if (++depth > max_depth) return true;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return false;
}

core::Result<std::vector<json::value>> parse_manifests(std::string_view text, const ManifestLimits& limits) {
  // Exceptions from yaml-cpp (or allocation) never leave the module.
  try {
    return parse(text, limits);
  } catch (const YAML::Exception& e) {
    return core::fail(invalid_stream("not valid YAML: " + e.msg));
  } catch (const std::bad_alloc&) {
    return core::fail(ErrorCode::ResourceExhausted, "out of memory while reading the manifest");
  } catch (const std::exception& e) {
    return core::fail(invalid_stream(std::string("not a usable manifest: ") + e.what()));
  }
}

}  // namespace atrium::kube
