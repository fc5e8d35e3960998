// Deletes expired sessions in the background: a thread of its own calls TokenStore::sweep_expired(clock.now())
// every `interval` (and once at start), so sessions that are never presented again do not pile up in the store.
// Several replicas may sweep at once: deletes are conditional, a session deleted twice is not an error.
// Thread-safe; the destructor stops the thread and waits for a sweep in progress.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "core/clock.h"
#include "identity/token_store.h"

namespace atrium::identity {

class SessionSweeper {
 public:
  // `tokens` and `clock` must outlive the sweeper. `interval` is real (steady) time between sweeps; expiry is
  // judged by `clock`.
  SessionSweeper(TokenStore& tokens, const core::Clock& clock, std::chrono::milliseconds interval);
  ~SessionSweeper();
  SessionSweeper(const SessionSweeper&) = delete;
  SessionSweeper& operator=(const SessionSweeper&) = delete;

  // Sweeps finished so far (successful or not) and sessions deleted by them.
  std::uint64_t sweeps() const;
  std::uint64_t deleted() const;

 private:
  void run();

  TokenStore& tokens_;
  const core::Clock& clock_;
  const std::chrono::milliseconds interval_;
  mutable std::mutex mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::uint64_t sweeps_ = 0, deleted_ = 0;
  std::thread thread_;  // last: started once everything above is initialised
};

}  // namespace atrium::identity
