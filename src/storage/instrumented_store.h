// A Store decorator that records the latency and outcome of every call in
// atrium_store_operation_duration_seconds{backend,operation,outcome}. Owns the wrapped store.
// Thread-safe as the wrapped store is.
#pragma once

#include <memory>

#include "core/metrics.h"
#include "storage/store.h"

namespace atrium::storage {

class InstrumentedStore final : public Store {
 public:
  InstrumentedStore(std::unique_ptr<Store> inner, core::MetricsRegistry& metrics);

  core::Result<StoredObject> create(const StoredObject& object) override;
  core::Result<StoredObject> get(const std::string& kind, const std::string& scope, const std::string& name) override;
  core::Result<StoredObject> update(const StoredObject& object, std::int64_t expected_version) override;
  core::Status remove(const std::string& kind, const std::string& scope, const std::string& name,
                      std::int64_t expected_version) override;
  core::Result<ListResult> list(const std::string& kind, const std::string& scope, ScopeMatch match,
                                const core::ListOptions& options) override;
  core::Result<std::vector<StoredObject>> commit(const std::vector<Mutation>& mutations) override;
  core::Status append_audit(const std::vector<AuditRecord>& records) override;
  core::Result<AuditPage> query_audit(const AuditFilter& filter) override;
  core::Result<std::int64_t> current_version() override;
  std::string_view backend() const override { return inner_->backend(); }

 private:
  template <class F>
  auto timed(const char* operation, F&& f);

  std::unique_ptr<Store> inner_;
  core::HistogramFamily& latency_;
};

}  // namespace atrium::storage
