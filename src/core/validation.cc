#include "core/validation.h"

#include <fmt/format.h>

namespace atrium::core {
namespace {

bool lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool alnum(char c) { return lower_alnum(c) || (c >= 'A' && c <= 'Z'); }

std::string printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 64)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  return out;
}

// Qualified name part of a label key: [A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?, ≤ 63.
std::string validate_qualified_name_part(std::string_view s, std::string_view what) {
  if (s.empty()) return fmt::format("{} must not be empty", what);
  if (s.size() > 63) return fmt::format("{} must be no more than 63 characters", what);
  if (!alnum(s.front()) || !alnum(s.back())) {
    return fmt::format("{} \"{}\" must start and end with an alphanumeric character", what, printable(s));
  }
  for (char c : s) {
    if (!alnum(c) && c != '-' && c != '_' && c != '.') {
      return fmt::format("{} \"{}\" may contain only alphanumerics, '-', '_' and '.'", what, printable(s));
    }
  }
  return {};
}

}  // namespace

std::string validate_dns1123_label(std::string_view s) {
  if (s.empty()) return "must not be empty";
  if (s.size() > 63) return "must be no more than 63 characters";
  for (char c : s) {
    if (!lower_alnum(c) && c != '-') {
      return fmt::format("\"{}\" must consist of lower case alphanumeric characters or '-'", printable(s));
    }
  }
  if (!lower_alnum(s.front()) || !lower_alnum(s.back())) {
    return fmt::format("\"{}\" must start and end with an alphanumeric character", printable(s));
  }
  return {};
}

std::string validate_dns1123_subdomain(std::string_view s) {
  if (s.empty()) return "must not be empty";
  if (s.size() > 253) return "must be no more than 253 characters";
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    auto part = s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (!validate_dns1123_label(part).empty()) {
      return fmt::format(
          "\"{}\" must consist of lower case alphanumeric characters, '-' or '.', and must "
          "start and end with an alphanumeric character",
          printable(s));
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return {};
}

std::string validate_label_key(std::string_view s) {
  auto slash = s.find('/');
  if (slash != std::string_view::npos) {
    auto prefix = s.substr(0, slash);
    if (auto e = validate_dns1123_subdomain(prefix); !e.empty()) return "label key prefix " + e;
    return validate_qualified_name_part(s.substr(slash + 1), "label key name");
  }
  return validate_qualified_name_part(s, "label key");
}

std::string validate_label_value(std::string_view s) {
  if (s.empty()) return {};
  return validate_qualified_name_part(s, "label value");
}

}  // namespace atrium::core
