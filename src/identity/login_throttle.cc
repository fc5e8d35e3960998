#include "identity/login_throttle.h"

#include <algorithm>

namespace atrium::identity {
namespace {

std::string user_key(std::string_view user) { return "u:" + std::string(user); }
std::string address_key(std::string_view address) { return "a:" + std::string(address); }

std::chrono::seconds ceil_seconds(core::TimePoint::duration d) {
  auto s = std::chrono::ceil<std::chrono::seconds>(d);
  return std::max(s, std::chrono::seconds(1));
}

}  // namespace

LoginThrottle::LoginThrottle(const core::Clock& clock, ThrottleOptions options) : clock_(clock), options_(options) {}

std::optional<std::chrono::seconds> LoginThrottle::wait_for(const std::string& key, core::TimePoint now) const {
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  const Entry& e = it->second;
  if (now < e.locked_until) return ceil_seconds(e.locked_until - now);
  if (e.failures < options_.free_failures) return std::nullopt;
  int doublings = std::min(e.failures - options_.free_failures, 30);
  auto delay =
      std::min<std::chrono::seconds>(options_.first_delay * (std::int64_t{1} << doublings), options_.max_delay);
  auto allowed_at = e.last_failure + delay;
  if (now < allowed_at) return ceil_seconds(allowed_at - now);
  return std::nullopt;
}

std::optional<std::chrono::seconds> LoginThrottle::retry_after(std::string_view user, std::string_view address) const {
  auto now = clock_.now();
  std::lock_guard lock(mu_);
  auto a = wait_for(user_key(user), now);
  auto b = wait_for(address_key(address), now);
  if (a && b) return std::max(*a, *b);
  return a ? a : b;
}

void LoginThrottle::fail(const std::string& key, core::TimePoint now) {
  Entry& e = entries_[key];
  if (e.locked_until != core::TimePoint{} && now >= e.locked_until) e = Entry{};  // the lockout has run out
  e.failures++;
  e.last_failure = now;
  if (e.failures >= options_.lockout_failures) e.locked_until = now + options_.lockout;
}

void LoginThrottle::record_failure(std::string_view user, std::string_view address) {
  auto now = clock_.now();
  std::lock_guard lock(mu_);
  if (entries_.size() + 2 > options_.max_keys) prune(now);
  fail(user_key(user), now);
  fail(address_key(address), now);
}

void LoginThrottle::record_success(std::string_view user) {
  std::lock_guard lock(mu_);
  entries_.erase(user_key(user));
}

void LoginThrottle::prune(core::TimePoint now) {
  std::erase_if(entries_, [&](const auto& kv) {
    return now >= kv.second.locked_until && now - kv.second.last_failure > options_.forget_after;
  });
  // Still full (a flood of distinct names): forget everything not locked rather than grow without bound.
  if (entries_.size() + 2 > options_.max_keys) {
    std::erase_if(entries_, [&](const auto& kv) { return now >= kv.second.locked_until; });
  }
}

}  // namespace atrium::identity
