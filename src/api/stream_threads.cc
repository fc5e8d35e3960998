#include "api/stream_threads.h"

#include <exception>

#include "core/log.h"

namespace atrium::api {

bool StreamThreads::start(std::function<void()> fn) {
  std::lock_guard lock(mutex_);
  if (stopping) return false;
  for (auto it = running_.begin(); it != running_.end();) {
    if (*it->done) {
      it->thread.join();
      it = running_.erase(it);
    } else {
      ++it;
    }
  }
  auto done = std::make_shared<std::atomic<bool>>(false);
  running_.push_back(Running{std::thread([fn = std::move(fn), done] {
                               try {
                                 fn();
                               } catch (const std::exception& e) {
                                 core::log_error("stream thread failed", {{"error", std::string_view(e.what())}});
                               }
                               *done = true;
                             }),
                             done});
  return true;
}

void StreamThreads::stop() {
  std::list<Running> all;
  {
    std::lock_guard lock(mutex_);
    stopping = true;
    all.swap(running_);
  }
  for (auto& r : all) r.thread.join();
}

}  // namespace atrium::api
