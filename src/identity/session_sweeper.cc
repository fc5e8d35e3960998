#include "identity/session_sweeper.h"

#include "core/log.h"

namespace atrium::identity {

SessionSweeper::SessionSweeper(TokenStore& tokens, const core::Clock& clock, std::chrono::milliseconds interval)
    : tokens_(tokens), clock_(clock), interval_(interval), thread_([this] { run(); }) {}

SessionSweeper::~SessionSweeper() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  thread_.join();
}

std::uint64_t SessionSweeper::sweeps() const {
  std::lock_guard lock(mu_);
  return sweeps_;
}

std::uint64_t SessionSweeper::deleted() const {
  std::lock_guard lock(mu_);
  return deleted_;
}

void SessionSweeper::run() {
  while (true) {
    auto swept = tokens_.sweep_expired(clock_.now());
    if (!swept) {
      core::log_warn("session sweep failed; retrying at the next interval",
                     {{"error", std::string_view(swept.error().message)}});
    } else if (*swept > 0) {
      core::log_info("expired sessions deleted", {{"sessions", static_cast<long long>(*swept)}});
    }
    std::unique_lock lock(mu_);
    ++sweeps_;
    if (swept) deleted_ += *swept;
    if (stop_cv_.wait_for(lock, interval_, [this] { return stopping_; })) return;
  }
}

}  // namespace atrium::identity
