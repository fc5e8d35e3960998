// A SQLite store in a fresh temporary directory, removed on destruction; for tests of iam and the modules above.
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>

#include "storage/store.h"

namespace atrium::iam::testing {

class TempStore {
 public:
  TempStore() {
    static std::atomic<int> counter{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("atrium-iam-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto s = storage::open_store("sqlite://" + (dir_ / "atrium.db").string());
    if (s) store_ = std::move(*s);
  }
  ~TempStore() {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  storage::Store& operator*() { return *store_; }
  storage::Store* operator->() { return store_.get(); }
  bool ok() const { return store_ != nullptr; }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<storage::Store> store_;
};

}  // namespace atrium::iam::testing
