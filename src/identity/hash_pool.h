// A small, bounded pool of threads for password hashing (argon2id: ~50-100 ms and 64 MiB each), so that
// hashing never runs unbounded on the HTTP I/O threads. Thread-safe; the destructor finishes queued work.
//
// Why the login handler may wait here: the I/O thread that serves POST /login blocks on the future of its job.
// Jobs are admitted only while fewer than `workers + queue_capacity` are in flight; beyond that run() answers
// ResourceExhausted at once (HTTP 429 with Retry-After) without hashing. So at most `workers + queue_capacity`
// I/O threads are ever waiting on hashes, each for at most (queue_capacity / workers + 1) hash times. Choose
// `workers + queue_capacity` below the number of HTTP I/O threads (the server default is 2 I/O threads: use
// 1 worker and a queue of 0), and the remaining I/O threads keep serving every other request at full speed.
// Memory is bounded too: at most `workers` x 64 MiB of argon2 memory.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "core/error.h"

namespace atrium::identity {

struct HashPoolOptions {
  int workers = 1;
  std::size_t queue_capacity = 0;  // jobs waiting for a worker beyond those running
};

class HashPool {
 public:
  explicit HashPool(HashPoolOptions options = {});
  ~HashPool();
  HashPool(const HashPool&) = delete;
  HashPool& operator=(const HashPool&) = delete;

  // Runs `job` on a pool thread and waits for it. ResourceExhausted when the pool is full (nothing runs).
  core::Result<bool> run(std::function<bool()> job);
  core::Result<std::string> run(std::function<core::Result<std::string>()> job);

  std::size_t in_flight() const;

 private:
  bool submit(std::function<void()> task);
  void work();
  void release();

  HashPoolOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  std::size_t in_flight_ = 0;  // queued + running
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace atrium::identity
