#include "storage/object_rules.h"

#include <fmt/format.h>

#include <array>
#include <limits>

#include "core/json.h"

namespace atrium::storage {
namespace {

core::Status check_part(std::string_view what, std::string_view value, std::size_t max_bytes, bool required) {
  if (required && value.empty()) return core::fail(core::ErrorCode::InvalidArgument, fmt::format("{} is empty", what));
  if (value.size() > max_bytes) {
    return core::fail(core::ErrorCode::InvalidArgument,
                      fmt::format("{} is {} bytes long; the store accepts at most {}", what, value.size(), max_bytes));
  }
  if (!is_clean_utf8(value)) {
    return core::fail(core::ErrorCode::InvalidArgument, fmt::format("{} is not valid UTF-8 or contains NUL", what));
  }
  return {};
}

std::string describe(std::string_view kind, std::string_view scope, std::string_view name) {
  if (scope.empty()) return fmt::format("{} \"{}\"", kind, name);
  return fmt::format("{} \"{}\" in \"{}\"", kind, name, scope);
}

}  // namespace

bool is_clean_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    unsigned char c = *p;
    if (c == 0) return false;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int n = 0;
    std::uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (end - p <= n) return false;
    for (int i = 1; i <= n; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    static constexpr std::array<std::uint32_t, 4> kMin = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    p += n + 1;
  }
  return true;
}

core::Status validate_key(std::string_view kind, std::string_view scope, std::string_view name) {
  if (auto s = check_part("kind", kind, kMaxKindBytes, true); !s) return s;
  if (auto s = check_part("scope", scope, kMaxScopeBytes, false); !s) return s;
  return check_part("name", name, kMaxNameBytes, true);
}

core::Result<std::string> validate_object(const StoredObject& object) {
  if (auto s = validate_key(object.kind, object.scope, object.name); !s) return core::fail(s.error());
  if (auto s = check_part("uid", object.uid, kMaxUidBytes, false); !s) return core::fail(s.error());
  if (auto s = check_part("data", object.data, std::numeric_limits<std::size_t>::max(), false); !s) {
    return core::fail(s.error());
  }
  if (object.labels.empty()) return std::string("{}");
  auto parsed = core::parse_json(object.labels);
  if (!parsed) return core::fail(parsed.error().with_context("labels"));
  if (!parsed->is_object()) return core::fail(core::ErrorCode::InvalidArgument, "labels must be a JSON object");
  for (const auto& [k, v] : parsed->as_object()) {
    if (!v.is_string()) {
      return core::fail(core::ErrorCode::InvalidArgument,
                        fmt::format("label \"{}\" must have a string value", std::string_view(k)));
    }
  }
  return object.labels;
}

core::Error not_found(std::string_view kind, std::string_view scope, std::string_view name) {
  return core::Error(core::ErrorCode::NotFound, describe(kind, scope, name) + " not found");
}

core::Error already_exists(std::string_view kind, std::string_view scope, std::string_view name) {
  return core::Error(core::ErrorCode::AlreadyExists, describe(kind, scope, name) + " already exists");
}

core::Error version_conflict(std::string_view kind, std::string_view scope, std::string_view name, std::int64_t stored,
                             std::int64_t expected) {
  return core::Error(core::ErrorCode::Conflict,
                     fmt::format("{} was modified: its resource version is {}, not {}; read it again and retry",
                                 describe(kind, scope, name), stored, expected));
}

}  // namespace atrium::storage
