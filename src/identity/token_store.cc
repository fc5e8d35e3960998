#include "identity/token_store.h"

#include <fmt/format.h>

#include "core/json.h"
#include "core/uid.h"
#include "crypto/random.h"
#include "identity/user.h"

namespace atrium::identity {
namespace {

namespace json = core::json;

std::int64_t to_ms(core::TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
core::TimePoint from_ms(std::int64_t ms) {
  return core::TimePoint(std::chrono::duration_cast<core::TimePoint::duration>(std::chrono::milliseconds(ms)));
}

core::Error invalid_token() {
  return core::Error(core::ErrorCode::Unauthenticated, "the token is invalid, expired or revoked");
}

bool well_formed(std::string_view token) {
  if (token.empty() || token.size() > kMaxTokenLength) return false;
  for (char c : token) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::string labels_for(const std::string& user) {
  std::string out = "{";
  core::append_json_string(out, kUserLabel);
  out += ':';
  core::append_json_string(out, user);
  out += '}';
  return out;
}

std::int64_t int_field(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_int64() ? v->as_int64() : 0;
}
std::string string_field(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace

TokenStore::TokenStore(storage::Store& store, const core::Clock& clock, TokenLifetimes lifetimes)
    : store_(store), clock_(clock), lifetimes_(lifetimes) {}

core::Result<IssuedToken> TokenStore::create_session(const std::string& user) {
  auto now = clock_.now();
  IssuedToken issued{crypto::random_token(), "", user, now + lifetimes_.session_absolute};
  storage::StoredObject obj;
  obj.kind = std::string(kSessionKind);
  obj.name = crypto::sha256_hex(issued.token);
  obj.uid = core::new_uid();
  obj.created_at_ms = to_ms(now);
  obj.labels = labels_for(user);
  obj.data = json::serialize(json::object{
      {"user", user}, {"createdMs", to_ms(now)}, {"lastUsedMs", to_ms(now)}, {"expiresMs", to_ms(issued.expires_at)}});
  if (auto s = store_.create(obj); !s) return core::fail(s.error());
  return issued;
}

core::Result<IssuedToken> TokenStore::create_api_token(const std::string& user, const std::string& description,
                                                       std::optional<std::chrono::seconds> lifetime) {
  if (description.size() > 256) {
    return core::fail(core::Error(core::ErrorCode::InvalidArgument, "the description is too long",
                                  {core::Cause{"description", "must be at most 256 bytes"}}));
  }
  std::chrono::seconds life = lifetime.value_or(lifetimes_.api_token_default);
  if (life <= std::chrono::seconds(0) || life > lifetimes_.api_token_max) {
    return core::fail(core::Error(
        core::ErrorCode::InvalidArgument, "the token lifetime is out of range",
        {core::Cause{"expiresInSeconds", fmt::format("must be between 1 and {}", lifetimes_.api_token_max.count())}}));
  }
  auto now = clock_.now();
  IssuedToken issued{std::string(kApiTokenPrefix) + crypto::random_token(), "", user, now + life};
  std::string digest = crypto::sha256_hex(issued.token);
  issued.id = digest.substr(0, 16);  // a digest prefix: names the token without revealing anything usable
  storage::StoredObject obj;
  obj.kind = std::string(kApiTokenKind);
  obj.name = digest;
  obj.uid = core::new_uid();
  obj.created_at_ms = to_ms(now);
  obj.labels = labels_for(user);
  obj.data = json::serialize(json::object{{"id", issued.id},
                                          {"user", user},
                                          {"description", description},
                                          {"createdMs", to_ms(now)},
                                          {"expiresMs", to_ms(issued.expires_at)}});
  if (auto s = store_.create(obj); !s) return core::fail(s.error());
  return issued;
}

core::Result<TokenOwner> TokenStore::resolve(std::string_view token) {
  if (!well_formed(token)) return core::fail(invalid_token());
  const bool api = token.starts_with(kApiTokenPrefix);
  const std::string kind(api ? kApiTokenKind : kSessionKind);
  auto obj = store_.get(kind, "", crypto::sha256_hex(token));
  if (!obj) {
    if (obj.error().code == core::ErrorCode::NotFound) return core::fail(invalid_token());
    return core::fail(obj.error());
  }
  auto doc = core::parse_json(obj->data);
  if (!doc || !doc->is_object()) return core::fail(core::ErrorCode::Internal, "stored token is corrupt");
  const auto& o = doc->as_object();
  auto now = clock_.now();
  TokenOwner owner{string_field(o, "user"), api ? TokenKind::ApiToken : TokenKind::Session};
  if (api && now >= from_ms(int_field(o, "expiresMs"))) return core::fail(invalid_token());
  if (!api) {
    if (session_expired(o, now)) {
      (void)store_.remove(kind, "", obj->name, obj->resource_version);
      return core::fail(invalid_token());
    }
    auto last_used = from_ms(int_field(o, "lastUsedMs"));
    if (now - last_used >= lifetimes_.touch_interval) {
      json::object updated = o;
      updated["lastUsedMs"] = to_ms(now);
      storage::StoredObject touched = *obj;
      touched.data = json::serialize(updated);
      // A concurrent touch or logout wins; either way this request may proceed (or the next one is refused).
      (void)store_.update(touched, obj->resource_version);
    }
  }
  return owner;
}

bool TokenStore::session_expired(const json::object& session, core::TimePoint now) const {
  return now >= from_ms(int_field(session, "expiresMs")) ||
         now - from_ms(int_field(session, "lastUsedMs")) >= lifetimes_.session_idle;
}

core::Result<std::size_t> TokenStore::sweep_expired(core::TimePoint now) {
  struct Expired {
    std::string name;
    std::int64_t version;
  };
  // Collected first and deleted afterwards, so deletions do not shift the pages being read.
  std::vector<Expired> expired;
  core::ListOptions opts;
  opts.limit = core::ListOptions::kMaxLimit;
  opts.sort_by = "name";
  opts.order = core::SortOrder::Ascending;
  std::int64_t seen = 0;
  for (opts.page = 1;; ++opts.page) {
    auto page = store_.list(std::string(kSessionKind), "", storage::Store::ScopeMatch::Exact, opts);
    if (!page) return core::fail(page.error());
    for (const auto& obj : page->items) {
      auto doc = core::parse_json(obj.data);
      // A corrupt session can never be resolved; it goes too.
      if (!doc || !doc->is_object() || session_expired(doc->as_object(), now)) {
        expired.push_back(Expired{obj.name, obj.resource_version});
      }
    }
    seen += static_cast<std::int64_t>(page->items.size());
    if (seen >= page->total || page->items.empty()) break;
  }
  std::size_t deleted = 0;
  for (const auto& e : expired) {
    auto s = store_.remove(std::string(kSessionKind), "", e.name, e.version);
    if (s) {
      ++deleted;
    } else if (s.error().code != core::ErrorCode::NotFound && s.error().code != core::ErrorCode::Conflict) {
      return core::fail(s.error());  // NotFound: logged out meanwhile; Conflict: used meanwhile (and so alive)
    }
  }
  return deleted;
}

core::Status TokenStore::revoke_session(std::string_view token) {
  if (!well_formed(token) || token.starts_with(kApiTokenPrefix)) return {};
  auto s = store_.remove(std::string(kSessionKind), "", crypto::sha256_hex(token), 0);
  if (!s && s.error().code != core::ErrorCode::NotFound) return s;
  return {};
}

core::Result<std::vector<storage::StoredObject>> TokenStore::owned(std::string_view kind, const std::string& user) {
  auto selector = core::LabelSelector::parse(std::string(kUserLabel) + "=" + user);
  if (!selector) return core::fail(selector.error());
  std::vector<storage::StoredObject> out;
  core::ListOptions opts;
  opts.limit = core::ListOptions::kMaxLimit;
  opts.sort_by = "creationTimestamp";
  opts.order = core::SortOrder::Ascending;
  opts.label_selector = *selector;
  for (opts.page = 1;; ++opts.page) {
    auto page = store_.list(std::string(kind), "", storage::Store::ScopeMatch::Exact, opts);
    if (!page) return core::fail(page.error());
    for (auto& item : page->items) out.push_back(std::move(item));
    if (static_cast<std::int64_t>(out.size()) >= page->total || page->items.empty()) break;
  }
  return out;
}

core::Result<std::vector<ApiTokenInfo>> TokenStore::list_api_tokens(const std::string& user) {
  auto objects = owned(kApiTokenKind, user);
  if (!objects) return core::fail(objects.error());
  std::vector<ApiTokenInfo> out;
  for (const auto& obj : *objects) {
    auto doc = core::parse_json(obj.data);
    if (!doc || !doc->is_object()) continue;
    const auto& o = doc->as_object();
    out.push_back(ApiTokenInfo{string_field(o, "id"), string_field(o, "description"),
                               from_ms(int_field(o, "createdMs")), from_ms(int_field(o, "expiresMs"))});
  }
  return out;
}

core::Status TokenStore::delete_api_token(const std::string& user, const std::string& id) {
  auto objects = owned(kApiTokenKind, user);
  if (!objects) return core::fail(objects.error());
  for (const auto& obj : *objects) {
    if (obj.name.starts_with(id) && id.size() == 16) {
      return store_.remove(std::string(kApiTokenKind), "", obj.name, 0);
    }
  }
  return core::fail(core::ErrorCode::NotFound, fmt::format("API token \"{}\" not found", id.substr(0, 64)));
}

core::Result<std::vector<storage::Mutation>> TokenStore::revocations_for(const std::string& user) {
  std::vector<storage::Mutation> out;
  for (std::string_view kind : {kSessionKind, kApiTokenKind}) {
    auto objects = owned(kind, user);
    if (!objects) return core::fail(objects.error());
    for (auto& obj : *objects) {
      storage::Mutation m;
      m.op = storage::Mutation::Op::Delete;
      m.object = std::move(obj);
      out.push_back(std::move(m));
    }
  }
  return out;
}

}  // namespace atrium::identity
