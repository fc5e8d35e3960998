#include "api/router.h"

#include <cassert>

#include <fmt/format.h>

namespace atrium::api {

const std::string& RouteContext::param(std::string_view name) const {
  static const std::string kEmpty;
  auto it = params.find(name);
  return it == params.end() ? kEmpty : it->second;
}

bool Router::split(std::string_view raw_path, std::vector<std::string>& out) {
  out.clear();
  if (raw_path.empty() || raw_path.front() != '/') return false;
  if (raw_path == "/") return true;
  std::string_view rest = raw_path.substr(1);
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);  // one trailing slash is tolerated
  std::size_t start = 0;
  while (true) {
    std::size_t slash = rest.find('/', start);
    std::string_view seg = rest.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    std::string decoded;
    if (seg.empty() || !net::percent_decode(seg, decoded)) return false;
    if (decoded == "." || decoded == ".." || decoded.find('/') != std::string::npos ||
        decoded.find('\0') != std::string::npos) {
      return false;
    }
    out.push_back(std::move(decoded));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return true;
}

void Router::add(Route route) {
  Compiled c;
  std::string_view p = route.pattern;
  std::size_t start = 1;
  while (start <= p.size()) {
    std::size_t slash = p.find('/', start);
    std::string_view seg = p.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (!seg.empty()) c.segments.emplace_back(seg);
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  for (const auto& r : routes_) {
    assert(!(r.method == route.method && r.pattern == route.pattern) && "duplicate route");
    (void)r;
  }
  routes_.push_back(std::move(route));
  compiled_.push_back(std::move(c));
}

namespace {
bool is_rest_param(const std::string& ps) { return ps.size() > 3 && ps.front() == '{' && ps.ends_with("*}"); }
}  // namespace

bool Router::match_one(const Compiled& c, const std::vector<std::string>& segs,
                       std::map<std::string, std::string, std::less<>>* params) {
  const bool rest = !c.segments.empty() && is_rest_param(c.segments.back());
  const std::size_t fixed = rest ? c.segments.size() - 1 : c.segments.size();
  if (rest ? segs.size() <= fixed : segs.size() != fixed) return false;
  for (std::size_t i = 0; i < fixed; ++i) {
    const std::string& ps = c.segments[i];
    bool is_param = ps.size() > 2 && ps.front() == '{' && ps.back() == '}';
    if (!is_param && ps != segs[i]) return false;
  }
  if (params) {
    for (std::size_t i = 0; i < fixed; ++i) {
      const std::string& ps = c.segments[i];
      if (ps.size() > 2 && ps.front() == '{') params->emplace(ps.substr(1, ps.size() - 2), segs[i]);
    }
    if (rest) {
      std::string joined;
      for (std::size_t i = fixed; i < segs.size(); ++i) {
        if (i > fixed) joined += '/';
        joined += segs[i];
      }
      const std::string& ps = c.segments.back();
      params->emplace(ps.substr(1, ps.size() - 3), std::move(joined));
    }
  }
  return true;
}

core::Result<RouteMatch> Router::match(std::string_view method, std::string_view raw_path) const {
  std::vector<std::string> segs;
  if (!split(raw_path, segs)) {
    return core::fail(core::ErrorCode::NotFound, "the path is not valid: empty, '.', '..' or encoded '/' segment");
  }
  // Literal segments win over parameters: prefer the route with the most literal matches.
  const Route* best = nullptr;
  std::size_t best_index = 0;
  int best_literals = -1;
  bool path_exists = false;
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    if (!match_one(compiled_[i], segs, nullptr)) continue;
    path_exists = true;
    if (routes_[i].method != method && !(method == "HEAD" && routes_[i].method == "GET")) continue;
    int literals = 0;
    for (const auto& s : compiled_[i].segments) literals += s.front() == '{' ? 0 : 1;
    if (literals > best_literals) {
      best = &routes_[i];
      best_index = i;
      best_literals = literals;
    }
  }
  if (!best) {
    if (path_exists) {
      std::string allow;
      for (const auto& m : allowed_methods(raw_path)) allow += (allow.empty() ? "" : ", ") + m;
      return core::fail(core::ErrorCode::MethodNotAllowed,
                        fmt::format("method {} is not allowed here; allowed: {}", method, allow));
    }
    return core::fail(core::ErrorCode::NotFound, "no such route");
  }
  RouteMatch m;
  m.route = best;
  match_one(compiled_[best_index], segs, &m.params);
  return m;
}

std::vector<std::string> Router::allowed_methods(std::string_view raw_path) const {
  std::vector<std::string> segs;
  std::vector<std::string> out;
  if (!split(raw_path, segs)) return out;
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    if (!match_one(compiled_[i], segs, nullptr)) continue;
    bool seen = false;
    for (const auto& m : out) seen = seen || m == routes_[i].method;
    if (!seen) out.push_back(routes_[i].method);
  }
  return out;
}

}  // namespace atrium::api
