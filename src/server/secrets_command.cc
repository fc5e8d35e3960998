#include "server/secrets_command.h"

#include <iostream>

#include <fmt/format.h>

#include "crypto/key_file.h"
#include "storage/store.h"
#include "tenancy/workspace.h"

namespace atrium::server {
namespace {

core::Status walk(core::json::value& v, const std::string& context, const std::string& path,
                  const crypto::Keyring& keyring, int& changed) {
  if (v.is_string()) {
    std::string_view s = v.as_string();
    if (!s.starts_with(kSealedPrefix)) return {};
    std::string_view blob = s.substr(kSealedPrefix.size());
    if (!keyring.needs_rotation(blob)) return {};
    auto resealed = keyring.reseal(blob, context + "#" + path);
    if (!resealed) return core::fail(resealed.error().with_context(context + "#" + path));
    v = std::string(kSealedPrefix) + *resealed;
    ++changed;
  } else if (v.is_object()) {
    for (auto& kv : v.as_object()) {
      if (auto s = walk(kv.value(), context, path.empty() ? std::string(kv.key()) : path + "." + std::string(kv.key()),
                        keyring, changed);
          !s) {
        return s;
      }
    }
  } else if (v.is_array()) {
    auto& a = v.as_array();
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (auto s = walk(a[i], context, path + "[" + std::to_string(i) + "]", keyring, changed); !s) return s;
    }
  }
  return {};
}

// Every kind whose documents may hold sealed values. [iam] and later modules add theirs here.
std::vector<std::string> sealed_kinds() { return {tenancy::workspace_type().info().kind}; }

}  // namespace

core::Result<int> reseal_document(core::json::value& doc, const std::string& object_context,
                                  const crypto::Keyring& keyring) {
  int changed = 0;
  if (auto s = walk(doc, object_context, "", keyring, changed); !s) return core::fail(s.error());
  return changed;
}

void add_secrets_commands(CLI::App& app, std::function<ServerConfig(std::string_view)> load_config) {
  auto* secrets = app.add_subcommand("secrets", "Manage the keys that encrypt secrets at rest");
  secrets->require_subcommand(1);
  auto* add = secrets->add_subcommand("add-key", "Add a new newest key to the key file (rotation)");
  add->callback([load_config] {
    ServerConfig cfg = load_config("add-key");
    auto ring = crypto::add_key(cfg.secret_key_file);
    if (!ring) {
      std::cerr << "error: " << ring.error().message << "\n";
      throw CLI::RuntimeError(1);
    }
    std::cout << fmt::format(
        "added key {} to {} ({} keys); run `atrium secrets reencrypt` to re-seal stored "
        "secrets with it\n",
        ring->newest_id(), cfg.secret_key_file, ring->size());
  });
  auto* re = secrets->add_subcommand("reencrypt", "Re-seal every stored secret with the newest key");
  re->callback([load_config] {
    ServerConfig cfg = load_config("reencrypt");
    auto fail = [](const core::Error& e) {
      std::cerr << "error: " << e.message << "\n";
      throw CLI::RuntimeError(1);
    };
    auto ring = crypto::load_keyring(cfg.secret_key_file);
    if (!ring) fail(ring.error());
    auto store = storage::open_store(cfg.store);
    if (!store) fail(store.error());
    int objects = 0, values = 0;
    for (const auto& kind : sealed_kinds()) {
      core::ListOptions opts;
      opts.limit = core::ListOptions::kMaxLimit;
      opts.sort_by = "name";
      opts.order = core::SortOrder::Ascending;
      for (opts.page = 1;; ++opts.page) {
        auto page = (*store)->list(kind, "", storage::Store::ScopeMatch::All, opts);
        if (!page) fail(page.error());
        for (auto& obj : page->items) {
          auto doc = core::parse_json(obj.data);
          if (!doc) fail(doc.error());
          auto changed = reseal_document(*doc, kind + "/" + obj.scope + "/" + obj.name, *ring);
          if (!changed) fail(*&changed.error());
          if (*changed == 0) continue;
          obj.data = core::json::serialize(*doc);
          auto updated = (*store)->update(obj, obj.resource_version);
          if (!updated) fail(updated.error().with_context(fmt::format("{} {}", kind, obj.name)));
          ++objects;
          values += *changed;
        }
        if (opts.page * opts.limit >= page->total) break;
      }
    }
    std::cout << fmt::format("re-sealed {} values in {} objects with key {}\n", values, objects, ring->newest_id());
  });
}

}  // namespace atrium::server
