#include "kube/cluster_registry.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "core/log.h"
#include "core/uid.h"
#include "kube/kubeconfig.h"
#include "kube/preflight.h"

namespace atrium::kube {
namespace json = core::json;
namespace {

constexpr std::string_view kSealedPrefix = "sealed:";
constexpr std::size_t kMaxKubeconfigFileBytes = 1 << 20;
constexpr std::string_view kSourceApi = "api";
constexpr std::string_view kSourceConfiguration = "configuration";

std::string seal_context(std::string_view name) { return fmt::format("cluster/{}/kubeconfig", name); }

core::Error invalid(std::string field, std::string message) {
  std::string summary = fmt::format("{}: {}", field, message);
  return core::Error(core::ErrorCode::InvalidArgument, std::move(summary),
                     {core::Cause{std::move(field), std::move(message)}});
}

// A kubeconfig refusal re-addressed to the request's field: every cause names spec.kubeconfig and, inside its
// message, the kubeconfig's own field ("users[0].user.token-file: ...").
core::Error kubeconfig_error(const core::Error& e, std::string_view field) {
  std::vector<core::Cause> causes;
  for (const auto& c : e.causes) {
    causes.push_back({std::string(field), c.field.empty() ? c.message : fmt::format("{}: {}", c.field, c.message)});
  }
  if (causes.empty()) causes.push_back({std::string(field), e.message});
  return core::Error(core::ErrorCode::InvalidArgument, fmt::format("invalid kubeconfig: {}", e.message),
                     std::move(causes));
}

std::string string_at(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

json::object* object_at(json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_object() ? &v->as_object() : nullptr;
}

// "[-]etcd failed: reason withheld" lines of /readyz?verbose.
std::vector<std::string> failed_checks(std::string_view body) {
  std::vector<std::string> failed;
  std::size_t pos = 0;
  while (pos < body.size() && failed.size() < 64) {
    auto end = body.find('\n', pos);
    std::string_view line = body.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    if (line.starts_with("[-]")) {
      line.remove_prefix(3);
      auto space = line.find(' ');
      failed.emplace_back(line.substr(0, std::min<std::size_t>(space, 128)));
    }
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  return failed;
}

// The message of a transport failure or an unexpected answer of `path`.
std::string describe_failure(const core::Result<net::ClientResponse>& r, std::string_view path) {
  if (!r) return r.error().message;
  if (r->status == 401 || r->status == 403) {
    return fmt::format("the cluster refused Atrium's credentials (GET {} answered HTTP {}: {})", path, r->status,
                       Client::error_from_response(*r).message);
  }
  return fmt::format("GET {} answered HTTP {}: {}", path, r->status, Client::error_from_response(*r).message);
}

}  // namespace

struct ClusterRegistry::Entry {
  std::string name;
  bool from_config = false;
  storage::StoredObject object;  // data: the stored document (kubeconfig sealed) or, from the configuration, made up
  std::string context;
  std::shared_ptr<Client> client;        // for other modules
  std::shared_ptr<Client> probe_client;  // short timeout, for the prober
  std::string connect_error;             // why there is no client (stored kubeconfig unusable)
  ClusterStatus status;                  // guarded by ClusterRegistry::mu_
};

ClusterRegistry::ClusterRegistry(storage::Store& store, const crypto::Keyring& keyring, const core::Clock& clock,
                                 ClusterRegistryOptions options)
    : store_(store), keyring_(keyring), clock_(clock), options_(std::move(options)) {}

ClusterRegistry::~ClusterRegistry() { stop(); }

// --- connections ---

core::Result<std::shared_ptr<ClusterRegistry::Entry>> ClusterRegistry::connect(const std::string& name,
                                                                               const std::string& kubeconfig,
                                                                               const std::string& context,
                                                                               WriteOptions options) const {
  KubeconfigOptions ko;
  ko.context = context;
  ko.files = FileAccess::Refused;
  ko.max_bytes = 512 * 1024;
  ko.now = clock_.now();
  auto connection = parse_kubeconfig(kubeconfig, ko);
  if (!connection) return core::fail(kubeconfig_error(connection.error(), "spec.kubeconfig"));
  auto entry = std::make_shared<Entry>();
  entry->name = name;
  entry->context = context;
  auto client = Client::create(*connection, options_.client);
  if (!client) return core::fail(kubeconfig_error(client.error(), "spec.kubeconfig"));
  ClientOptions probe_options = options_.client;
  probe_options.timeout = options_.probe_timeout;
  probe_options.max_idle_connections = 1;
  auto probe_client = Client::create(*connection, probe_options);
  if (!probe_client) return core::fail(kubeconfig_error(probe_client.error(), "spec.kubeconfig"));
  entry->client = std::move(*client);
  entry->probe_client = std::move(*probe_client);
  entry->status.source = std::string(kSourceApi);
  if (options.reachability == Reachability::Required) {
    auto v = entry->probe_client->send(Request{"GET", "/version"});
    if (!v || v->status != 200) {
      return core::fail(invalid("spec.kubeconfig", fmt::format("cluster \"{}\" at {} cannot be used: {}", name,
                                                               connection->server, describe_failure(v, "/version"))));
    }
  }
  return entry;
}

core::Status ClusterRegistry::add_from_file(const std::string& name, const std::string& path,
                                            const std::string& context) {
  if (auto err = schema::check_format(schema::Format::Dns1123Label, name); !err.empty()) {
    return core::fail(invalid("cluster name", fmt::format("\"{}\" {}", name.substr(0, 64), err)));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::fail(invalid("kubeconfig", fmt::format("cannot read {}", path)));
  std::string text;
  text.resize(kMaxKubeconfigFileBytes + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxKubeconfigFileBytes) {
    return core::fail(invalid("kubeconfig", fmt::format("{} is larger than {} bytes", path, kMaxKubeconfigFileBytes)));
  }
  KubeconfigOptions ko;
  ko.context = context;
  ko.files = FileAccess::Allowed;  // trusted local configuration
  ko.base_dir = std::filesystem::path(path).parent_path().string();
  ko.now = clock_.now();
  auto connection = parse_kubeconfig(text, ko);
  if (!connection) return core::fail(connection.error().with_context(fmt::format("kubeconfig {}", path)));
  auto client = Client::create(*connection, options_.client);
  if (!client) return core::fail(client.error().with_context(fmt::format("kubeconfig {}", path)));
  ClientOptions probe_options = options_.client;
  probe_options.timeout = options_.probe_timeout;
  probe_options.max_idle_connections = 1;
  auto probe_client = Client::create(*connection, probe_options);
  if (!probe_client) return core::fail(probe_client.error());

  auto entry = std::make_shared<Entry>();
  entry->name = name;
  entry->from_config = true;
  entry->context = context;
  entry->client = std::move(*client);
  entry->probe_client = std::move(*probe_client);
  entry->status.source = std::string(kSourceConfiguration);
  json::object spec{{"displayName", name},
                    {"description", "Registered from the server configuration (kubeconfig setting)."}};
  if (!context.empty()) spec["context"] = context;
  json::object doc{{"apiVersion", cluster_type().info().api_version()},
                   {"kind", std::string(kClusterKind)},
                   {"metadata", json::object{{"name", name}}},
                   {"spec", std::move(spec)}};
  entry->object.kind = std::string(kClusterKind);
  entry->object.name = name;
  entry->object.labels = "{}";
  entry->object.data = json::serialize(doc);
  std::lock_guard l(mu_);
  if (entries_.contains(name)) {
    return core::fail(core::ErrorCode::AlreadyExists, fmt::format("cluster \"{}\" is already registered", name));
  }
  entries_.emplace(name, std::move(entry));
  return {};
}

// --- store ---

core::Status ClusterRegistry::sync_from_store() {
  std::vector<storage::StoredObject> stored;
  core::ListOptions lo;
  lo.limit = core::ListOptions::kMaxLimit;
  lo.sort_by = "name";
  lo.order = core::SortOrder::Ascending;
  for (lo.page = 1;; ++lo.page) {
    auto page = store_.list(std::string(kClusterKind), "", storage::Store::ScopeMatch::Exact, lo);
    if (!page) return core::fail(page.error());
    for (auto& o : page->items) stored.push_back(std::move(o));
    if (page->items.size() < static_cast<std::size_t>(lo.limit)) break;
  }
  std::vector<std::shared_ptr<Entry>> fresh;
  {
    std::lock_guard l(mu_);
    for (const auto& o : stored) {
      auto it = entries_.find(o.name);
      if (it != entries_.end() &&
          (it->second->from_config || it->second->object.resource_version == o.resource_version))
        continue;
      auto entry = std::make_shared<Entry>();
      entry->name = o.name;
      entry->object = o;
      fresh.push_back(std::move(entry));
    }
  }
  // Open and parse outside the lock: a changed or new stored cluster (another replica wrote it).
  for (auto& entry : fresh) {
    auto doc = core::parse_json(entry->object.data);
    std::string sealed, context;
    if (doc && doc->is_object()) {
      if (auto* spec = object_at(doc->as_object(), "spec")) {
        sealed = string_at(*spec, "kubeconfig");
        context = string_at(*spec, "context");
      }
    }
    std::string why;
    if (!sealed.starts_with(kSealedPrefix)) {
      why = "the stored kubeconfig is missing or not sealed";
    } else if (auto plain = keyring_.open(sealed.substr(kSealedPrefix.size()), seal_context(entry->name)); !plain) {
      why = "the stored kubeconfig cannot be opened: " + plain.error().message;
    } else if (auto e = connect(entry->name, *plain, context, {.reachability = Reachability::Skipped}); !e) {
      why = "the stored kubeconfig is not usable: " + e.error().message;
    } else {
      (*e)->object = std::move(entry->object);
      entry = std::move(*e);
    }
    entry->context = context;
    entry->status.source = std::string(kSourceApi);
    if (!why.empty()) {
      entry->connect_error = why;
      entry->status.phase = std::string(kPhaseUnreachable);
      entry->status.message = why;
    }
  }
  std::vector<std::string> forgotten;
  {
    std::lock_guard l(mu_);
    for (auto& entry : fresh) {
      auto it = entries_.find(entry->name);
      if (it != entries_.end() && it->second->object.resource_version >= entry->object.resource_version) continue;
      if (it != entries_.end()) forgotten.push_back(entry->name);
      entries_[entry->name] = std::move(entry);
    }
    for (auto it = entries_.begin(); it != entries_.end();) {
      bool present = it->second->from_config ||
                     std::any_of(stored.begin(), stored.end(), [&](const auto& o) { return o.name == it->first; });
      if (present) {
        ++it;
      } else {
        forgotten.push_back(it->first);
        it = entries_.erase(it);
      }
    }
  }
  for (const auto& name : forgotten) forget(name);
  return {};
}

void ClusterRegistry::forget(std::string_view name) {
  if (options_.on_forget) options_.on_forget(name);
}

// --- probing ---

void ClusterRegistry::probe(Entry& entry) {
  ClusterStatus s;
  s.source = entry.from_config ? std::string(kSourceConfiguration) : std::string(kSourceApi);
  s.last_probe_time = core::format_rfc3339(clock_.now());
  if (!entry.probe_client) {
    s.phase = std::string(kPhaseUnreachable);
    s.message = entry.connect_error;
  } else {
    Client& c = *entry.probe_client;
    auto version = c.send(Request{"GET", "/version"});
    if (!version || version->status != 200) {
      s.phase = std::string(kPhaseUnreachable);
      s.message = describe_failure(version, "/version");
    } else {
      s.phase = std::string(kPhaseReady);
      auto doc = core::parse_json(version->body);
      if (doc && doc->is_object()) s.kubernetes_version = string_at(doc->as_object(), "gitVersion");
      std::vector<std::string> problems;
      // Control plane: /readyz (1.16+) lists every check; older servers only have /healthz.
      s.control_plane.endpoint = "/readyz";
      auto health = c.send(Request{"GET", "/readyz?verbose"});
      if (health && health->status == 404) {
        s.control_plane.endpoint = "/healthz";
        health = c.send(Request{"GET", "/healthz?verbose"});
      }
      if (health) {
        s.control_plane.healthy = health->status == 200;
        s.control_plane.failed = failed_checks(health->body);
        if (!s.control_plane.healthy && s.control_plane.failed.empty()) {
          problems.push_back(describe_failure(health, s.control_plane.endpoint));
        }
      } else {
        problems.push_back(fmt::format("GET {}: {}", s.control_plane.endpoint, health.error().message));
      }
      auto nodes = c.send(Request{"GET", "/api/v1/nodes"});
      if (nodes && nodes->status == 200) {
        auto list = core::parse_json(nodes->body, core::JsonLimits{.max_bytes = 64 << 20, .max_depth = 64});
        const json::array* items = nullptr;
        if (list && list->is_object()) {
          if (const auto* v = list->as_object().if_contains("items"); v && v->is_array()) items = &v->as_array();
        }
        if (items) {
          s.nodes.total = static_cast<std::int64_t>(items->size());
          for (const auto& n : *items) {
            const json::value* conds = nullptr;
            if (n.is_object()) {
              if (const auto* st = n.as_object().if_contains("status"); st && st->is_object()) {
                conds = st->as_object().if_contains("conditions");
              }
            }
            if (!conds || !conds->is_array()) continue;
            for (const auto& cond : conds->as_array()) {
              if (cond.is_object() && string_at(cond.as_object(), "type") == "Ready" &&
                  string_at(cond.as_object(), "status") == "True") {
                ++s.nodes.ready;
              }
            }
          }
        } else {
          problems.push_back("GET /api/v1/nodes: the answer is not a node list");
        }
      } else {
        problems.push_back("cannot count nodes: " + describe_failure(nodes, "/api/v1/nodes"));
      }
      if (!s.kubernetes_version.empty()) {
        for (const auto& action : preflight_actions()) {
          auto checks = kube::preflight(s.kubernetes_version, action);
          if (!checks) {
            problems.push_back(checks.error().message);
            break;
          }
          s.preflight.insert(s.preflight.end(), checks->begin(), checks->end());
        }
      }
      std::string joined;
      for (const auto& p : problems) joined += (joined.empty() ? "" : "; ") + p;
      s.message = std::move(joined);
    }
  }
  std::string previous;
  {
    std::lock_guard l(mu_);
    previous = entry.status.phase;
    entry.status = s;
  }
  if (previous != s.phase) {
    core::log_info("cluster phase changed", {{"cluster", std::string_view(entry.name)},
                                             {"phase", std::string_view(s.phase)},
                                             {"message", std::string_view(s.message)}});
  }
}

void ClusterRegistry::probe_all() {
  std::vector<std::shared_ptr<Entry>> entries;
  {
    std::lock_guard l(mu_);
    for (const auto& [name, e] : entries_) entries.push_back(e);
  }
  // In parallel: a dead cluster costs one probe timeout, never the others' time.
  std::vector<std::thread> threads;
  threads.reserve(entries.size());
  for (auto& e : entries) threads.emplace_back([this, e] { probe(*e); });
  for (auto& t : threads) t.join();
}

core::Status ClusterRegistry::start() {
  auto s = sync_from_store();
  if (!s) return s;
  std::lock_guard l(prober_mu_);
  if (prober_.joinable()) return {};
  stopping_ = false;
  prober_ = std::thread([this] { prober_loop(); });
  return {};
}

void ClusterRegistry::stop() {
  {
    std::lock_guard l(prober_mu_);
    stopping_ = true;
  }
  prober_cv_.notify_all();
  if (prober_.joinable()) prober_.join();
}

void ClusterRegistry::prober_loop() {
  for (;;) {
    if (auto s = sync_from_store(); !s) {
      core::log_warn("cannot read the stored clusters", {{"error", std::string_view(s.error().message)}});
    }
    probe_all();
    std::unique_lock l(prober_mu_);
    if (prober_cv_.wait_for(l, options_.probe_period, [this] { return stopping_; })) return;
  }
}

// --- reads ---

core::Result<std::shared_ptr<ClusterRegistry::Entry>> ClusterRegistry::find_entry(std::string_view name) const {
  std::lock_guard l(mu_);
  auto it = entries_.find(name);
  if (it == entries_.end()) {
    return core::fail(core::ErrorCode::NotFound, fmt::format("cluster \"{}\" not found", name.substr(0, 253)));
  }
  return it->second;
}

bool ClusterRegistry::contains(std::string_view name) const {
  std::lock_guard l(mu_);
  return entries_.contains(name);
}

json::object ClusterRegistry::render(const Entry& entry) const {
  json::object doc;
  if (auto parsed = core::parse_json(entry.object.data); parsed && parsed->is_object()) doc = parsed->as_object();
  if (auto* spec = object_at(doc, "spec")) spec->erase("kubeconfig");
  if (auto* meta = object_at(doc, "metadata"); meta && entry.object.resource_version > 0) {
    (*meta)["resourceVersion"] = std::to_string(entry.object.resource_version);
  }
  ClusterStatus status;
  {
    std::lock_guard l(mu_);
    status = entry.status;
  }
  doc["status"] = ClusterStatus::schema().encode_value(status);
  return doc;
}

core::Result<json::object> ClusterRegistry::get(const std::string& name) const {
  auto entry = find_entry(name);
  if (!entry) return core::fail(entry.error());
  return render(**entry);
}

core::Result<core::Page<json::object>> ClusterRegistry::list(
    const core::ListOptions& options, const std::function<bool(std::string_view)>& visible) const {
  struct Item {
    std::shared_ptr<Entry> entry;
    std::string created;
  };
  std::vector<Item> items;
  {
    std::lock_guard l(mu_);
    for (const auto& [name, e] : entries_) {
      if (!options.name.empty() && name.find(options.name) == std::string::npos) continue;
      items.push_back({e, {}});
    }
  }
  std::vector<Item> kept;
  for (auto& it : items) {
    if (visible && !visible(it.entry->name)) continue;
    auto doc = core::parse_json(it.entry->object.data);
    std::map<std::string, std::string, std::less<>> labels;
    if (doc && doc->is_object()) {
      if (auto* meta = object_at(doc->as_object(), "metadata")) {
        it.created = string_at(*meta, "creationTimestamp");
        if (auto* l = object_at(*meta, "labels")) {
          for (const auto& kv : *l) {
            if (kv.value().is_string()) labels.emplace(std::string(kv.key()), std::string(kv.value().as_string()));
          }
        }
      }
    }
    if (!options.label_selector.empty() && !options.label_selector.matches(labels)) continue;
    kept.push_back(std::move(it));
  }
  const bool by_name = options.sort_by == "name";
  const bool ascending = options.order == core::SortOrder::Ascending;
  std::sort(kept.begin(), kept.end(), [&](const Item& a, const Item& b) {
    if (!by_name && a.created != b.created) return ascending ? a.created < b.created : a.created > b.created;
    return (by_name && !ascending) ? a.entry->name > b.entry->name : a.entry->name < b.entry->name;
  });
  core::Page<json::object> page;
  page.total = static_cast<std::int64_t>(kept.size());
  for (std::int64_t i = options.offset(); i < page.total && i < options.offset() + options.limit; ++i) {
    page.items.push_back(render(*kept[static_cast<std::size_t>(i)].entry));
  }
  return page;
}

core::Result<std::shared_ptr<Client>> ClusterRegistry::client(std::string_view name) const {
  auto entry = find_entry(name);
  if (!entry) return core::fail(entry.error());
  std::lock_guard l(mu_);
  const Entry& e = **entry;
  if (!e.client) {
    return core::fail(core::ErrorCode::Unavailable,
                      fmt::format("cluster {} cannot be used: {}", e.name, e.connect_error));
  }
  if (e.status.phase == kPhaseUnreachable) {
    return core::fail(core::ErrorCode::Unavailable,
                      fmt::format("cluster {} is unreachable: {}", e.name, e.status.message));
  }
  return e.client;
}

core::Result<std::vector<PreflightCheck>> ClusterRegistry::preflight(std::string_view name,
                                                                     std::string_view action) const {
  auto entry = find_entry(name);
  if (!entry) return core::fail(entry.error());
  ClusterStatus status;
  {
    std::lock_guard l(mu_);
    status = (*entry)->status;
  }
  const auto actions = preflight_actions();
  if (std::find(actions.begin(), actions.end(), action) == actions.end()) {
    return kube::preflight("v0.0.0", action);  // the unknown-action error, listing the known ones
  }
  if (status.phase == kPhaseUnreachable) {
    return core::fail(core::ErrorCode::Unavailable, fmt::format("cluster {} is unreachable: {}", name, status.message));
  }
  if (status.kubernetes_version.empty()) {
    return core::fail(core::ErrorCode::Unavailable,
                      fmt::format("the version of cluster {} is not known yet; try again after its first probe", name));
  }
  return kube::preflight(status.kubernetes_version, action);
}

core::Status ClusterRegistry::require_preflight(std::string_view name, std::string_view action) {
  if (auto entry = find_entry(name)) {
    bool never_probed = false;
    {
      std::lock_guard l(mu_);
      never_probed = (*entry)->status.kubernetes_version.empty() && (*entry)->status.phase != kPhaseUnreachable;
    }
    if (never_probed) probe(**entry);
  }
  auto checks = preflight(name, action);
  if (!checks) return core::fail(checks.error());
  std::string version;
  if (auto entry = find_entry(name)) {
    std::lock_guard l(mu_);
    version = (*entry)->status.kubernetes_version;
  }
  return kube::require_preflight(name, *checks, version);
}

// --- writes ---

core::Result<json::object> ClusterRegistry::create(const json::value& body, WriteOptions options) {
  auto doc = cluster_type().decode(body);
  if (!doc) return core::fail(doc.error());
  const auto* spec_in = body.as_object().if_contains("spec");
  auto spec = ClusterSpec::schema().decode_value(spec_in ? *spec_in : json::value(json::object()), "cluster");
  if (!spec) return core::fail(spec.error());
  const std::string name(doc->at("metadata").at("name").as_string());
  if (spec->kubeconfig.empty()) return core::fail(invalid("spec.kubeconfig", "required field is missing"));
  if (contains(name)) {
    return core::fail(core::ErrorCode::AlreadyExists, fmt::format("cluster \"{}\" already exists", name));
  }
  auto entry = connect(name, spec->kubeconfig, spec->context, options);
  if (!entry) return core::fail(entry.error());
  auto sealed = keyring_.seal(spec->kubeconfig, seal_context(name));
  if (!sealed) return core::fail(sealed.error());

  doc->erase("status");
  auto& meta = doc->at("metadata").as_object();
  meta.erase("resourceVersion");
  const auto now = clock_.now();
  meta["uid"] = core::new_uid();
  meta["creationTimestamp"] = core::format_rfc3339(now);
  doc->at("spec").as_object()["kubeconfig"] = std::string(kSealedPrefix) + *sealed;
  storage::StoredObject o;
  o.kind = std::string(kClusterKind);
  o.name = name;
  o.uid = std::string(meta["uid"].as_string());
  o.created_at_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  o.labels = meta.contains("labels") ? json::serialize(meta["labels"]) : "{}";
  o.data = json::serialize(*doc);
  if (options.dry_run == DryRun::No) {
    auto written = store_.create(o);
    if (!written) {
      if (written.error().code == core::ErrorCode::AlreadyExists) {
        return core::fail(core::ErrorCode::AlreadyExists, fmt::format("cluster \"{}\" already exists", name));
      }
      return core::fail(written.error());
    }
    o = std::move(*written);
  }
  (*entry)->object = std::move(o);
  if (options.reachability == Reachability::Required) probe(**entry);
  if (options.dry_run == DryRun::No) {
    std::lock_guard l(mu_);
    entries_[name] = *entry;
  }
  core::log_info("cluster added", {{"cluster", std::string_view(name)}, {"dry_run", options.dry_run == DryRun::Yes}});
  return render(**entry);
}

core::Result<json::object> ClusterRegistry::update(const std::string& name, const json::value& body,
                                                   WriteOptions options) {
  auto existing = find_entry(name);
  if (!existing) return core::fail(existing.error());
  if ((*existing)->from_config) {
    return core::fail(core::ErrorCode::FailedPrecondition,
                      fmt::format("cluster \"{}\" comes from the server configuration (kubeconfig setting); change "
                                  "it there",
                                  name));
  }
  auto doc = cluster_type().decode(body);
  if (!doc) return core::fail(doc.error());
  if (doc->at("metadata").at("name").as_string() != name) {
    return core::fail(core::Error(core::ErrorCode::InvalidArgument,
                                  "metadata.name in the body does not match the name in the path",
                                  {core::Cause{"metadata.name", "must match the path"}}));
  }
  const auto* spec_in = body.as_object().if_contains("spec");
  auto spec = ClusterSpec::schema().decode_value(spec_in ? *spec_in : json::value(json::object()), "cluster");
  if (!spec) return core::fail(spec.error());

  auto current = store_.get(std::string(kClusterKind), "", name);
  if (!current) {
    if (current.error().code == core::ErrorCode::NotFound) {
      return core::fail(core::ErrorCode::NotFound, fmt::format("cluster \"{}\" not found", name));
    }
    return core::fail(current.error());
  }
  const std::string sent_version = string_at(doc->at("metadata").as_object(), "resourceVersion");
  if (!sent_version.empty() && sent_version != std::to_string(current->resource_version)) {
    return core::fail(core::ErrorCode::Conflict,
                      fmt::format("Operation cannot be fulfilled on clusters \"{}\": the object has been modified; "
                                  "please apply your changes to the latest version and try again",
                                  name));
  }
  auto stored = core::parse_json(current->data);
  if (!stored || !stored->is_object()) return core::fail(core::ErrorCode::Internal, "stored cluster is corrupt");
  auto& stored_doc = stored->as_object();
  json::object* stored_spec = object_at(stored_doc, "spec");
  json::object* stored_meta = object_at(stored_doc, "metadata");
  if (!stored_spec || !stored_meta) return core::fail(core::ErrorCode::Internal, "stored cluster is corrupt");
  std::string sealed = string_at(*stored_spec, "kubeconfig");
  const bool reconnect = !spec->kubeconfig.empty() || spec->context != string_at(*stored_spec, "context");

  std::shared_ptr<Entry> entry;
  if (reconnect) {
    std::string kubeconfig = spec->kubeconfig;
    if (kubeconfig.empty()) {
      if (!sealed.starts_with(kSealedPrefix)) {
        return core::fail(invalid("spec.kubeconfig", "the stored kubeconfig is missing; send a new one"));
      }
      auto plain = keyring_.open(sealed.substr(kSealedPrefix.size()), seal_context(name));
      if (!plain) return core::fail(plain.error().with_context("stored kubeconfig"));
      kubeconfig = std::move(*plain);
    }
    auto connected = connect(name, kubeconfig, spec->context, options);
    if (!connected) return core::fail(connected.error());
    entry = std::move(*connected);
    if (!spec->kubeconfig.empty()) {
      auto s = keyring_.seal(spec->kubeconfig, seal_context(name));
      if (!s) return core::fail(s.error());
      sealed = std::string(kSealedPrefix) + *s;
    }
  } else {
    entry = std::make_shared<Entry>(**existing);
    std::lock_guard l(mu_);
    entry->status = (*existing)->status;
  }

  doc->erase("status");
  auto& meta = doc->at("metadata").as_object();
  meta.erase("resourceVersion");
  meta["uid"] = string_at(*stored_meta, "uid");
  meta["creationTimestamp"] = string_at(*stored_meta, "creationTimestamp");
  doc->at("spec").as_object()["kubeconfig"] = sealed;
  storage::StoredObject next = *current;
  next.labels = meta.contains("labels") ? json::serialize(meta["labels"]) : "{}";
  next.data = json::serialize(*doc);
  if (options.dry_run == DryRun::No) {
    auto written = store_.update(next, current->resource_version);
    if (!written) {
      if (written.error().code == core::ErrorCode::Conflict) {
        return core::fail(core::ErrorCode::Conflict,
                          fmt::format("cluster \"{}\" changed meanwhile; read it again and retry", name));
      }
      return core::fail(written.error());
    }
    next = std::move(*written);
  }
  entry->object = std::move(next);
  if (reconnect && options.reachability == Reachability::Required) probe(*entry);
  if (options.dry_run == DryRun::No) {
    {
      std::lock_guard l(mu_);
      entries_[name] = entry;
    }
    if (reconnect) forget(name);
  }
  return render(*entry);
}

core::Status ClusterRegistry::remove(const std::string& name) {
  auto existing = find_entry(name);
  if (!existing) return core::fail(existing.error());
  if ((*existing)->from_config) {
    return core::fail(core::ErrorCode::FailedPrecondition,
                      fmt::format("cluster \"{}\" comes from the server configuration (kubeconfig setting); remove "
                                  "it there",
                                  name));
  }
  if (options_.before_remove) {
    if (auto s = options_.before_remove(name); !s) return s;
  }
  if (auto s = store_.remove(std::string(kClusterKind), "", name, 0); !s) {
    if (s.error().code != core::ErrorCode::NotFound) return s;
  }
  {
    std::lock_guard l(mu_);
    entries_.erase(name);
  }
  forget(name);
  core::log_info("cluster removed", {{"cluster", std::string_view(name)}});
  return {};
}

}  // namespace atrium::kube
