// Brute-force protection for logins: failures are counted per user name and per client address. After
// `free_failures` failures a key must wait a delay that doubles with each further failure (1 s, 2 s, 4 s, ...
// up to `max_delay`); after `lockout_failures` it is locked for `lockout`. Every lockout expires, and the count
// starts again afterwards, so nobody (not even an attacker who keeps failing as "admin") can lock an
// administrator out for good: the worst case is one window of `lockout` per `lockout_failures` guesses, and the
// attacker's own address is throttled just as hard. Checking costs no hashing. Thread-safe (one mutex).
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.h"

namespace atrium::identity {

struct ThrottleOptions {
  int free_failures = 5;
  std::chrono::seconds first_delay{1};
  std::chrono::seconds max_delay{60};
  int lockout_failures = 10;
  std::chrono::seconds lockout{15 * 60};
  // Keys without a failure for this long are forgotten; also bounds memory together with max_keys.
  std::chrono::seconds forget_after{60 * 60};
  std::size_t max_keys = 100'000;
};

class LoginThrottle {
 public:
  LoginThrottle(const core::Clock& clock, ThrottleOptions options = {});

  // How long the caller must wait before this login may be tried; nullopt when it may be tried now.
  std::optional<std::chrono::seconds> retry_after(std::string_view user, std::string_view address) const;
  void record_failure(std::string_view user, std::string_view address);
  // Forgets the user's failures (not the address's: one valid account must not unthrottle an address).
  void record_success(std::string_view user);

 private:
  struct Entry {
    int failures = 0;
    core::TimePoint last_failure{};
    core::TimePoint locked_until{};
  };
  std::optional<std::chrono::seconds> wait_for(const std::string& key, core::TimePoint now) const;
  void fail(const std::string& key, core::TimePoint now);
  void prune(core::TimePoint now);

  const core::Clock& clock_;
  ThrottleOptions options_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace atrium::identity
