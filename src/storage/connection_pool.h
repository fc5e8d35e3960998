// A bounded pool of database connections shared by SqliteStore and PostgresStore. Connections are made
// lazily up to `max_size`; acquire() blocks while all are leased. A Lease gives one thread exclusive use of a
// connection and returns it on destruction (or drops it after discard(), e.g. when the link broke). Thread-safe.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "core/error.h"

namespace atrium::storage {

template <class Connection>
class ConnectionPool {
 public:
  using Factory = std::function<core::Result<std::unique_ptr<Connection>>()>;

  class Lease {
   public:
    Lease(ConnectionPool* pool, std::unique_ptr<Connection> connection)
        : pool_(pool), connection_(std::move(connection)) {}
    Lease(Lease&& other) noexcept
        : pool_(std::exchange(other.pool_, nullptr)), connection_(std::move(other.connection_)) {}
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    ~Lease() {
      if (pool_ != nullptr) pool_->release(std::move(connection_));
    }
    Connection& operator*() const { return *connection_; }
    Connection* operator->() const { return connection_.get(); }
    // Closes the connection instead of returning it to the pool; the pool makes a new one when needed.
    void discard() { connection_.reset(); }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<Connection> connection_;
  };

  ConnectionPool(std::size_t max_size, Factory factory) : max_size_(max_size), factory_(std::move(factory)) {}

  // Hands over a connection made by the caller (e.g. the one that ran migrations).
  void adopt(std::unique_ptr<Connection> connection) {
    std::lock_guard lock(mu_);
    ++open_;
    idle_.push_back(std::move(connection));
  }

  core::Result<Lease> acquire() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !idle_.empty() || open_ < max_size_; });
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(c));
    }
    ++open_;
    lock.unlock();
    auto made = factory_();
    if (!made) {
      std::lock_guard relock(mu_);
      --open_;
      cv_.notify_one();
      return core::fail(made.error());
    }
    return Lease(this, std::move(*made));
  }

 private:
  void release(std::unique_ptr<Connection> connection) {
    std::lock_guard lock(mu_);
    if (connection) {
      idle_.push_back(std::move(connection));
    } else {
      --open_;
    }
    cv_.notify_one();
  }

  const std::size_t max_size_;
  const Factory factory_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::size_t open_ = 0;  // idle + leased
  std::vector<std::unique_ptr<Connection>> idle_;
};

}  // namespace atrium::storage
