// The threads behind long-running responses (followed logs, terminals, passthrough watches): each is joined when
// it ends (on a later start) or by stop(). A stopping set makes producers end: they poll `stopping`.
// Thread-safe.
#pragma once

#include <atomic>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <thread>

namespace atrium::api {

class StreamThreads {
 public:
  StreamThreads() = default;
  ~StreamThreads() { stop(); }
  StreamThreads(const StreamThreads&) = delete;
  StreamThreads& operator=(const StreamThreads&) = delete;

  // Runs `fn` on a new thread; false (and nothing runs) once stop() was called.
  bool start(std::function<void()> fn);
  // Sets `stopping` and joins every thread; idempotent.
  void stop();

  std::atomic<bool> stopping{false};

 private:
  struct Running {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::mutex mutex_;
  std::list<Running> running_;
};

}  // namespace atrium::api
