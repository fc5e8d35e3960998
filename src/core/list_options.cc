#include "core/list_options.h"

#include <charconv>

#include <fmt/format.h>

#include "core/validation.h"

namespace atrium::core {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

Error selector_error(std::string_view text, std::string_view why) {
  return Error(ErrorCode::InvalidArgument,
               fmt::format("query parameter labelSelector=\"{}\" is invalid: {}", text, why));
}

// Splits on commas that are not inside parentheses.
Result<std::vector<std::string_view>> split_terms(std::string_view text) {
  std::vector<std::string_view> out;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || (text[i] == ',' && depth == 0)) {
      out.push_back(trim(text.substr(start, i - start)));
      start = i + 1;
    } else if (text[i] == '(') {
      if (++depth > 1) return fail(selector_error(text, "nested parentheses"));
    } else if (text[i] == ')') {
      if (--depth < 0) return fail(selector_error(text, "unbalanced parentheses"));
    }
  }
  if (depth != 0) return fail(selector_error(text, "unbalanced parentheses"));
  return out;
}

Status check_key(std::string_view whole, std::string_view key) {
  if (auto err = validate_label_key(key); !err.empty()) return fail(selector_error(whole, err));
  return {};
}
Status check_value(std::string_view whole, std::string_view v) {
  if (auto err = validate_label_value(v); !err.empty()) return fail(selector_error(whole, err));
  return {};
}

}  // namespace

Result<LabelSelector> LabelSelector::parse(std::string_view text) {
  LabelSelector sel;
  if (trim(text).empty()) return sel;
  if (text.size() > 4096) return fail(selector_error(text.substr(0, 64), "longer than 4096 characters"));
  auto terms = split_terms(text);
  if (!terms) return fail(terms.error());
  for (std::string_view t : *terms) {
    if (t.empty()) return fail(selector_error(text, "empty requirement"));
    LabelRequirement r;
    if (t.front() == '!') {
      r.key = std::string(trim(t.substr(1)));
      r.op = LabelRequirement::Op::DoesNotExist;
      if (auto s = check_key(text, r.key); !s) return fail(s.error());
      sel.requirements_.push_back(std::move(r));
      continue;
    }
    size_t sp = t.find_first_of(" \t");
    std::string_view rest;
    if (auto p = t.find("!="); p != std::string_view::npos) {
      r.key = std::string(trim(t.substr(0, p)));
      r.op = LabelRequirement::Op::NotEquals;
      r.values.emplace_back(trim(t.substr(p + 2)));
    } else if (auto p2 = t.find("=="); p2 != std::string_view::npos) {
      r.key = std::string(trim(t.substr(0, p2)));
      r.op = LabelRequirement::Op::Equals;
      r.values.emplace_back(trim(t.substr(p2 + 2)));
    } else if (auto p3 = t.find('='); p3 != std::string_view::npos) {
      r.key = std::string(trim(t.substr(0, p3)));
      r.op = LabelRequirement::Op::Equals;
      r.values.emplace_back(trim(t.substr(p3 + 1)));
    } else if (sp != std::string_view::npos) {
      r.key = std::string(t.substr(0, sp));
      rest = trim(t.substr(sp));
      std::string_view list;
      if (rest.starts_with("notin")) {
        r.op = LabelRequirement::Op::NotIn;
        list = trim(rest.substr(5));
      } else if (rest.starts_with("in")) {
        r.op = LabelRequirement::Op::In;
        list = trim(rest.substr(2));
      } else {
        return fail(selector_error(text, fmt::format("unknown operator in \"{}\"", t)));
      }
      if (list.size() < 2 || list.front() != '(' || list.back() != ')') {
        return fail(selector_error(text, "set must be written as (a,b)"));
      }
      list = list.substr(1, list.size() - 2);
      size_t start = 0;
      for (size_t i = 0; i <= list.size(); ++i) {
        if (i == list.size() || list[i] == ',') {
          auto v = trim(list.substr(start, i - start));
          if (v.empty()) return fail(selector_error(text, "empty value in set"));
          r.values.emplace_back(v);
          start = i + 1;
        }
      }
    } else {
      r.key = std::string(t);
      r.op = LabelRequirement::Op::Exists;
    }
    if (auto s = check_key(text, r.key); !s) return fail(s.error());
    for (const auto& v : r.values) {
      if (auto s = check_value(text, v); !s) return fail(s.error());
    }
    sel.requirements_.push_back(std::move(r));
  }
  return sel;
}

bool LabelSelector::matches(const std::map<std::string, std::string, std::less<>>& labels) const {
  return matches_lookup([&](std::string_view key) -> std::optional<std::string_view> {
    auto it = labels.find(key);
    if (it == labels.end()) return std::nullopt;
    return std::string_view(it->second);
  });
}

bool LabelSelector::matches_lookup(const LabelLookup& find) const {
  for (const auto& r : requirements_) {
    std::optional<std::string_view> value = find(r.key);
    bool has = value.has_value();
    auto in_values = [&] {
      for (const auto& v : r.values) {
        if (has && *value == v) return true;
      }
      return false;
    };
    switch (r.op) {
      case LabelRequirement::Op::Equals:
        if (!has || *value != r.values[0]) return false;
        break;
      case LabelRequirement::Op::NotEquals:
        if (has && *value == r.values[0]) return false;
        break;
      case LabelRequirement::Op::In:
        if (!in_values()) return false;
        break;
      case LabelRequirement::Op::NotIn:
        if (in_values()) return false;
        break;
      case LabelRequirement::Op::Exists:
        if (!has) return false;
        break;
      case LabelRequirement::Op::DoesNotExist:
        if (has) return false;
        break;
    }
  }
  return true;
}

namespace {

Result<std::int64_t> parse_positive(std::string_view param, std::string_view v, std::int64_t max) {
  std::int64_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p != v.data() + v.size() || n < 1 || n > max) {
    return fail(Error(ErrorCode::InvalidArgument,
                      fmt::format("query parameter {}=\"{}\" must be an integer from 1 to {}", param, v, max)));
  }
  return n;
}

}  // namespace

Result<ListOptions> parse_list_options(const std::multimap<std::string, std::string, std::less<>>& query) {
  ListOptions o;
  for (const auto& [k, v] : query) {
    if (k == "page") {
      auto n = parse_positive(k, v, 1'000'000);
      if (!n) return fail(n.error());
      o.page = *n;
    } else if (k == "limit") {
      auto n = parse_positive(k, v, ListOptions::kMaxLimit);
      if (!n) return fail(n.error());
      o.limit = *n;
    } else if (k == "sortBy") {
      if (v != "name" && v != "creationTimestamp" && v != "createTime") {
        return fail(Error(ErrorCode::InvalidArgument,
                          fmt::format("query parameter sortBy=\"{}\" must be name or creationTimestamp", v)));
      }
      o.sort_by = v == "name" ? "name" : "creationTimestamp";
    } else if (k == "ascending") {
      if (v != "true" && v != "false") {
        return fail(Error(ErrorCode::InvalidArgument,
                          fmt::format("query parameter ascending=\"{}\" must be true or false", v)));
      }
      o.order = v == "true" ? SortOrder::Ascending : SortOrder::Descending;
    } else if (k == "name") {
      if (v.size() > 253) {
        return fail(Error(ErrorCode::InvalidArgument, "query parameter name is longer than 253 characters"));
      }
      o.name = v;
    } else if (k == "labelSelector") {
      auto s = LabelSelector::parse(v);
      if (!s) return fail(s.error());
      o.label_selector = std::move(*s);
    }
  }
  return o;
}

}  // namespace atrium::core
