#include "iam/store_objects.h"

#include "core/uid.h"

namespace atrium::iam {
namespace json = core::json;
namespace {

std::string labels_text(const json::object& doc) {
  if (auto* m = doc.if_contains("metadata"); m && m->is_object()) {
    if (auto* l = m->as_object().if_contains("labels"); l && l->is_object()) return json::serialize(*l);
  }
  return "{}";
}

}  // namespace

core::Result<std::vector<storage::StoredObject>> list_all(storage::Store& store, const std::string& kind,
                                                          const std::string& scope, storage::Store::ScopeMatch match) {
  std::vector<storage::StoredObject> out;
  core::ListOptions opts;
  opts.limit = core::ListOptions::kMaxLimit;
  opts.sort_by = "name";
  opts.order = core::SortOrder::Ascending;
  for (opts.page = 1;; ++opts.page) {
    auto r = store.list(kind, scope, match, opts);
    if (!r) return core::fail(r.error());
    for (auto& o : r->items) out.push_back(std::move(o));
    if (static_cast<std::int64_t>(out.size()) >= r->total || r->items.empty()) break;
  }
  return out;
}

storage::StoredObject new_object(std::string kind, std::string scope, json::object& document,
                                 const core::Clock& clock) {
  auto& meta = document["metadata"].as_object();
  auto now = clock.now();
  storage::StoredObject obj;
  obj.kind = std::move(kind);
  obj.scope = std::move(scope);
  obj.name = std::string(meta.at("name").as_string());
  obj.uid = core::new_uid();
  obj.created_at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  meta.erase("resourceVersion");
  meta["uid"] = obj.uid;
  meta["creationTimestamp"] = core::format_rfc3339(now);
  obj.labels = labels_text(document);
  obj.data = json::serialize(document);
  return obj;
}

core::Result<storage::StoredObject> replaced_object(const storage::StoredObject& current, json::object& document) {
  auto cur = core::parse_json(current.data);
  if (!cur || !cur->is_object() || !cur->as_object().contains("metadata")) {
    return core::fail(core::ErrorCode::Internal, "stored document is corrupt");
  }
  const auto& cur_meta = cur->at("metadata").as_object();
  auto& meta = document["metadata"].as_object();
  meta.erase("resourceVersion");
  if (auto* u = cur_meta.if_contains("uid")) meta["uid"] = *u;
  if (auto* t = cur_meta.if_contains("creationTimestamp")) meta["creationTimestamp"] = *t;
  storage::StoredObject obj = current;
  obj.labels = labels_text(document);
  obj.data = json::serialize(document);
  return obj;
}

storage::Mutation delete_mutation(const storage::StoredObject& object) {
  storage::Mutation m;
  m.op = storage::Mutation::Op::Delete;
  m.object.kind = object.kind;
  m.object.scope = object.scope;
  m.object.name = object.name;
  m.expected_version = object.resource_version;
  return m;
}

}  // namespace atrium::iam

namespace atrium::iam {

storage::StoredObject project_claim_object(const std::string& cluster, const std::string& workspace,
                                           const std::string& project, const core::Clock& clock) {
  core::json::object doc{{"apiVersion", "tenant.atrium.io/v1"},
                         {"kind", std::string(kProjectClaimKind)},
                         {"metadata", core::json::object{{"name", project}}},
                         {"spec", core::json::object{{"workspace", workspace}}}};
  return new_object(std::string(kProjectClaimKind), "cluster/" + cluster, doc, clock);
}

std::string project_claim_workspace(const storage::StoredObject& claim) {
  auto doc = core::parse_json(claim.data);
  if (!doc || !doc->is_object()) return {};
  const auto* spec = doc->as_object().if_contains("spec");
  if (!spec || !spec->is_object()) return {};
  const auto* ws = spec->as_object().if_contains("workspace");
  return ws && ws->is_string() ? std::string(ws->as_string()) : std::string();
}

}  // namespace atrium::iam
