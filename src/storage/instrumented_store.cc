#include "storage/instrumented_store.h"

#include <chrono>

namespace atrium::storage {

InstrumentedStore::InstrumentedStore(std::unique_ptr<Store> inner, core::MetricsRegistry& metrics)
    : inner_(std::move(inner)),
      latency_(metrics.histogram("atrium_store_operation_duration_seconds",
                                 "Store call latency by backend, operation and outcome.",
                                 {"backend", "operation", "outcome"})) {}

template <class F>
auto InstrumentedStore::timed(const char* operation, F&& f) {
  auto start = std::chrono::steady_clock::now();
  auto result = f();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  latency_.observe({std::string(inner_->backend()), operation,
                    result ? std::string("ok") : std::string(core::code_name(result.error().code))},
                   seconds);
  return result;
}

core::Result<StoredObject> InstrumentedStore::create(const StoredObject& object) {
  return timed("create", [&] { return inner_->create(object); });
}
core::Result<StoredObject> InstrumentedStore::get(const std::string& kind, const std::string& scope,
                                                  const std::string& name) {
  return timed("get", [&] { return inner_->get(kind, scope, name); });
}
core::Result<StoredObject> InstrumentedStore::update(const StoredObject& object, std::int64_t expected_version) {
  return timed("update", [&] { return inner_->update(object, expected_version); });
}
core::Status InstrumentedStore::remove(const std::string& kind, const std::string& scope, const std::string& name,
                                       std::int64_t expected_version) {
  return timed("remove", [&] { return inner_->remove(kind, scope, name, expected_version); });
}
core::Result<ListResult> InstrumentedStore::list(const std::string& kind, const std::string& scope, ScopeMatch match,
                                                 const core::ListOptions& options) {
  return timed("list", [&] { return inner_->list(kind, scope, match, options); });
}
core::Result<std::vector<StoredObject>> InstrumentedStore::commit(const std::vector<Mutation>& mutations) {
  return timed("commit", [&] { return inner_->commit(mutations); });
}
core::Status InstrumentedStore::append_audit(const std::vector<AuditRecord>& records) {
  return timed("append_audit", [&] { return inner_->append_audit(records); });
}
core::Result<AuditPage> InstrumentedStore::query_audit(const AuditFilter& filter) {
  return timed("query_audit", [&] { return inner_->query_audit(filter); });
}
core::Result<std::int64_t> InstrumentedStore::current_version() {
  return timed("current_version", [&] { return inner_->current_version(); });
}

}  // namespace atrium::storage
