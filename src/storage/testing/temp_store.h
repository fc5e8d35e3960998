// A real SQLite store in a fresh temporary directory, removed when the TempStore goes: what the unit tests of the
// modules above storage run against. Not thread-safe to construct; the store itself is.
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>

#include "storage/store.h"

namespace atrium::storage::testing {

class TempStore {
 public:
  TempStore() {
    static std::atomic<int> counter{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("atrium-test-store-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto s = open_store(url());
    if (s) store_ = std::move(*s);
  }
  ~TempStore() {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  TempStore(const TempStore&) = delete;
  TempStore& operator=(const TempStore&) = delete;

  Store& operator*() { return *store_; }
  Store* operator->() { return store_.get(); }
  bool ok() const { return store_ != nullptr; }
  // The URL of the database, to open a second store on it (another replica).
  std::string url() const { return "sqlite://" + (dir_ / "atrium.db").string(); }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<Store> store_;
};

}  // namespace atrium::storage::testing
