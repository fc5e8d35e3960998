#include "identity/hash_pool.h"

#include <future>

namespace atrium::identity {
namespace {

core::Error pool_full() {
  return core::Error(core::ErrorCode::ResourceExhausted, "too many logins at once; retry in a second");
}

}  // namespace

HashPool::HashPool(HashPoolOptions options) : options_(options) {
  if (options_.workers < 1) options_.workers = 1;
  for (int i = 0; i < options_.workers; ++i) threads_.emplace_back([this] { work(); });
}

HashPool::~HashPool() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_) t.join();
}

std::size_t HashPool::in_flight() const {
  std::lock_guard lock(mu_);
  return in_flight_;
}

bool HashPool::submit(std::function<void()> task) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || in_flight_ >= static_cast<std::size_t>(options_.workers) + options_.queue_capacity) {
      return false;
    }
    in_flight_++;
    queue_.push_back(std::move(task));
  }
  cv_.notify_one();
  return true;
}

void HashPool::work() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task();  // releases its slot (release()) before it wakes its caller
  }
}

void HashPool::release() {
  std::lock_guard lock(mu_);
  in_flight_--;
}

core::Result<bool> HashPool::run(std::function<bool()> job) {
  auto promise = std::make_shared<std::promise<bool>>();
  auto future = promise->get_future();
  auto task = [this, promise, job = std::move(job)] {
    bool result = job();
    release();
    promise->set_value(result);
  };
  if (!submit(std::move(task))) return core::fail(pool_full());
  return future.get();
}

core::Result<std::string> HashPool::run(std::function<core::Result<std::string>()> job) {
  auto promise = std::make_shared<std::promise<core::Result<std::string>>>();
  auto future = promise->get_future();
  auto task = [this, promise, job = std::move(job)] {
    core::Result<std::string> result = job();
    release();
    promise->set_value(std::move(result));
  };
  if (!submit(std::move(task))) return core::fail(pool_full());
  return future.get();
}

}  // namespace atrium::identity
