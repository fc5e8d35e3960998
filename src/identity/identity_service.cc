#include "identity/identity_service.h"

#include <algorithm>
#include <charconv>
#include <set>

#include <fmt/format.h>

#include "core/log.h"
#include "core/uid.h"
#include "core/validation.h"
#include "crypto/random.h"
#include "identity/user.h"

namespace atrium::identity {
namespace {

namespace json = core::json;

constexpr std::string_view kBadLogin = "invalid user name or password";

std::int64_t to_ms(core::TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

core::Error invalid_field(std::string field, std::string message) {
  std::string summary = field + ": " + message;
  return core::Error(core::ErrorCode::InvalidArgument, summary, {core::Cause{std::move(field), std::move(message)}});
}

// The raw spec.password of a client document (the canonical form drops write-only fields).
std::optional<std::string> password_of(const json::value& body) {
  if (!body.is_object()) return std::nullopt;
  auto* spec = body.as_object().if_contains("spec");
  if (!spec || !spec->is_object()) return std::nullopt;
  auto* p = spec->as_object().if_contains("password");
  if (!p || !p->is_string()) return std::nullopt;
  return std::string(p->as_string());
}

core::Result<std::int64_t> expected_version_of(const json::value& body) {
  if (!body.is_object()) return 0;
  auto* m = body.as_object().if_contains("metadata");
  if (!m || !m->is_object()) return 0;
  auto* rv = m->as_object().if_contains("resourceVersion");
  if (!rv || !rv->is_string() || rv->as_string().empty()) return 0;
  std::string_view s = rv->as_string();
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < 1) {
    return core::fail(invalid_field("metadata.resourceVersion", "not a valid resource version"));
  }
  return v;
}

std::string labels_text(const json::object& doc) {
  const auto& meta = doc.at("metadata").as_object();
  if (auto* l = meta.if_contains("labels"); l && l->is_object()) return json::serialize(*l);
  return "{}";
}

json::object& spec_of(json::object& doc) {
  if (!doc["spec"].is_object()) doc["spec"] = json::object();
  return doc["spec"].as_object();
}

std::string string_at(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

core::Error conflict(const std::string& name) {
  return core::Error(core::ErrorCode::Conflict,
                     fmt::format("Operation cannot be fulfilled on users \"{}\": the object has been modified; please "
                                 "apply your changes to the latest version and try again",
                                 name));
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

IdentityService::IdentityService(storage::Store& store, const core::Clock& clock, IdentityOptions options)
    : store_(store),
      clock_(clock),
      options_(std::move(options)),
      pool_(options_.hash_pool),
      throttle_(clock, options_.throttle),
      tokens_(store, clock, options_.lifetimes) {
  // Verified in place of a missing hash, so unknown users cost what known ones do.
  dummy_hash_ = crypto::unverifiable_hash(options_.hash_cost);
}

core::Result<std::string> IdentityService::hash(std::string_view password) {
  std::string copy(password);
  auto cost = options_.hash_cost;
  return pool_.run([copy = std::move(copy), cost]() { return crypto::hash_password(copy, cost); });
}

core::Result<std::optional<storage::Mutation>> IdentityService::credential_mutation(const std::string& user,
                                                                                    std::string_view password) {
  if (auto s = check_password(user, password, options_.password_policy); !s) return core::fail(s.error());
  auto hashed = hash(password);
  if (!hashed) return core::fail(hashed.error());
  storage::Mutation m;
  m.object.kind = std::string(kCredentialKind);
  m.object.name = user;
  m.object.labels = "{}";
  m.object.data = json::serialize(json::object{{"hash", *hashed}});
  auto existing = store_.get(m.object.kind, "", user);
  if (existing) {
    m.op = storage::Mutation::Op::Update;
    m.object.uid = existing->uid;
    m.object.created_at_ms = existing->created_at_ms;
    m.expected_version = existing->resource_version;
  } else if (existing.error().code == core::ErrorCode::NotFound) {
    m.op = storage::Mutation::Op::Create;
    m.object.uid = core::new_uid();
    m.object.created_at_ms = to_ms(clock_.now());
  } else {
    return core::fail(existing.error());
  }
  return std::optional<storage::Mutation>(std::move(m));
}

core::Result<storage::StoredObject> IdentityService::create_user(const json::value& body) {
  auto decoded = user_type().decode(body);
  if (!decoded) return core::fail(decoded.error());
  json::object& doc = *decoded;
  auto& meta = doc["metadata"].as_object();
  std::string name(meta.at("name").as_string());
  auto& spec = spec_of(doc);
  spec["source"] = kSourceLocal;
  spec.erase("ldapDN");
  if (string_at(spec, "state").empty()) spec["state"] = kStateActive;
  doc.erase("status");

  std::vector<storage::Mutation> batch(1);
  if (auto password = password_of(body)) {
    auto cred = credential_mutation(name, *password);
    if (!cred) return core::fail(cred.error());
    if (*cred) {
      (*cred)->op = storage::Mutation::Op::Create;  // a stale credential of a deleted user is replaced below
      (*cred)->expected_version = 0;
      batch.push_back(std::move(**cred));
    }
  }
  auto now = clock_.now();
  storage::StoredObject& obj = batch[0].object;
  batch[0].op = storage::Mutation::Op::Create;
  obj.kind = std::string(kUserKind);
  obj.name = name;
  obj.uid = core::new_uid();
  obj.created_at_ms = to_ms(now);
  meta.erase("resourceVersion");
  meta["uid"] = obj.uid;
  meta["creationTimestamp"] = core::format_rfc3339(now);
  obj.labels = labels_text(doc);
  obj.data = json::serialize(doc);
  auto written = store_.commit(batch);
  if (!written) {
    if (written.error().code == core::ErrorCode::AlreadyExists) {
      return core::fail(core::ErrorCode::AlreadyExists, fmt::format("User \"{}\" already exists", name));
    }
    return core::fail(written.error());
  }
  return written->front();
}

core::Result<storage::StoredObject> IdentityService::replace_user(const std::string& name, const json::value& body) {
  auto expected = expected_version_of(body);
  if (!expected) return core::fail(expected.error());
  auto current = store_.get(std::string(kUserKind), "", name);
  if (!current) return core::fail(current.error());
  auto decoded = user_type().decode(body);
  if (!decoded) return core::fail(decoded.error());
  json::object& doc = *decoded;
  auto& meta = doc["metadata"].as_object();
  if (meta.at("name").as_string() != name) {
    return core::fail(invalid_field("metadata.name", "must match the name in the path"));
  }
  auto cur = core::parse_json(current->data);
  if (!cur || !cur->is_object()) return core::fail(core::ErrorCode::Internal, "stored user is corrupt");
  const auto& cur_doc = cur->as_object();
  const auto& cur_meta = cur_doc.at("metadata").as_object();
  const auto* cur_spec_v = cur_doc.if_contains("spec");
  json::object cur_spec = cur_spec_v && cur_spec_v->is_object() ? cur_spec_v->as_object() : json::object();

  auto& spec = spec_of(doc);
  // Server-owned fields keep their stored values whatever the client sent.
  std::string source = string_at(cur_spec, "source");
  spec["source"] = source.empty() ? std::string(kSourceLocal) : source;
  if (auto dn = string_at(cur_spec, "ldapDN"); !dn.empty())
    spec["ldapDN"] = dn;
  else
    spec.erase("ldapDN");
  if (auto* st = cur_doc.if_contains("status"))
    doc["status"] = *st;
  else
    doc.erase("status");
  if (string_at(spec, "state").empty()) spec["state"] = kStateActive;
  if (string_at(spec, "state") == kStateDisabled && string_at(cur_spec, "state") != kStateDisabled &&
      options_.before_disable_user) {
    if (auto s = options_.before_disable_user(name); !s) return core::fail(s.error());
  }

  std::vector<storage::Mutation> batch(1);
  if (auto password = password_of(body)) {
    if (source == kSourceLdap) {
      return core::fail(invalid_field("spec.password", "LDAP users change their password in the directory"));
    }
    auto cred = credential_mutation(name, *password);
    if (!cred) return core::fail(cred.error());
    if (*cred) batch.push_back(std::move(**cred));
  }
  meta.erase("resourceVersion");
  meta["uid"] = cur_meta.at("uid");
  meta["creationTimestamp"] = cur_meta.at("creationTimestamp");
  batch[0].op = storage::Mutation::Op::Update;
  batch[0].object = *current;
  batch[0].object.labels = labels_text(doc);
  batch[0].object.data = json::serialize(doc);
  batch[0].expected_version = *expected != 0 ? *expected : current->resource_version;
  auto written = store_.commit(batch);
  if (!written) {
    if (written.error().code == core::ErrorCode::Conflict) return core::fail(conflict(name));
    return core::fail(written.error());
  }
  return written->front();
}

core::Result<std::vector<storage::Mutation>> IdentityService::group_removals_for(const std::string& user) {
  std::vector<storage::Mutation> out;
  core::ListOptions opts;
  opts.limit = core::ListOptions::kMaxLimit;
  opts.sort_by = "name";
  opts.order = core::SortOrder::Ascending;
  for (opts.page = 1;; ++opts.page) {
    auto page = store_.list(std::string(kGroupKind), "", storage::Store::ScopeMatch::Exact, opts);
    if (!page) return core::fail(page.error());
    for (const auto& g : page->items) {
      auto doc = core::parse_json(g.data);
      if (!doc || !doc->is_object()) continue;
      auto* spec = doc->as_object().if_contains("spec");
      auto* members = spec && spec->is_object() ? spec->as_object().if_contains("members") : nullptr;
      if (!members || !members->is_array()) continue;
      auto& list = members->as_array();
      auto before = list.size();
      list.erase(std::remove_if(list.begin(), list.end(),
                                [&](const json::value& v) { return v.is_string() && v.as_string() == user; }),
                 list.end());
      if (list.size() == before) continue;
      storage::Mutation m;
      m.op = storage::Mutation::Op::Update;
      m.object = g;
      m.object.data = json::serialize(*doc);
      m.expected_version = g.resource_version;
      out.push_back(std::move(m));
    }
    if (opts.page * opts.limit >= page->total) break;
  }
  return out;
}

core::Status IdentityService::delete_user(const std::string& name, std::int64_t expected_version) {
  auto current = store_.get(std::string(kUserKind), "", name);
  if (!current) return core::fail(current.error());
  if (options_.before_delete_user) {
    if (auto s = options_.before_delete_user(name); !s) return s;
  }
  std::vector<storage::Mutation> batch;
  storage::Mutation user;
  user.op = storage::Mutation::Op::Delete;
  user.object = *current;
  user.expected_version = expected_version != 0 ? expected_version : current->resource_version;
  batch.push_back(std::move(user));
  if (auto cred = store_.get(std::string(kCredentialKind), "", name)) {
    storage::Mutation m;
    m.op = storage::Mutation::Op::Delete;
    m.object = *cred;
    batch.push_back(std::move(m));
  }
  auto revocations = tokens_.revocations_for(name);
  if (!revocations) return core::fail(revocations.error());
  for (auto& m : *revocations) batch.push_back(std::move(m));
  auto memberships = group_removals_for(name);
  if (!memberships) return core::fail(memberships.error());
  for (auto& m : *memberships) batch.push_back(std::move(m));
  if (options_.deletion_mutations) {
    auto extra = options_.deletion_mutations(name);
    if (!extra) return core::fail(extra.error());
    for (auto& m : *extra) batch.push_back(std::move(m));
  }
  auto written = store_.commit(batch);
  if (!written) {
    if (written.error().code == core::ErrorCode::Conflict) return core::fail(conflict(name));
    return core::fail(written.error());
  }
  return {};
}

core::Result<std::optional<std::string>> IdentityService::ensure_bootstrap_admin(std::string_view password_from_env) {
  const std::string name(kBootstrapAdmin);
  auto existing = store_.get(std::string(kUserKind), "", name);
  if (existing) return std::optional<std::string>();
  if (existing.error().code != core::ErrorCode::NotFound) return core::fail(existing.error());
  std::string password = password_from_env.empty() ? crypto::random_token(18) : std::string(password_from_env);
  json::object body{{"apiVersion", user_type().info().api_version()},
                    {"kind", user_type().info().kind},
                    {"metadata", json::object{{"name", name}}},
                    {"spec", json::object{{"displayName", "Administrator"}, {"password", password}}}};
  auto created = create_user(body);
  if (!created) {
    if (created.error().code == core::ErrorCode::AlreadyExists) return std::optional<std::string>();  // a replica won
    if (created.error().code == core::ErrorCode::InvalidArgument) {
      std::string why = created.error().causes.empty() ? created.error().message : created.error().causes[0].message;
      return core::fail(core::ErrorCode::FailedPrecondition,
                        "ATRIUM_ADMIN_PASSWORD does not meet the password policy: it " + why);
    }
    return core::fail(created.error());
  }
  if (!password_from_env.empty()) return std::optional<std::string>();
  return std::optional<std::string>(std::move(password));
}

void IdentityService::report(const LoginRequest& r, LoginEvent::Outcome outcome, std::string reason,
                             std::string source) {
  if (!options_.on_login) return;
  options_.on_login(LoginEvent{r.username.substr(0, kMaxUserNameBytes), r.client_address, outcome, std::move(reason),
                               std::move(source)});
}

core::Result<storage::StoredObject> IdentityService::provision_ldap_user(const std::string& name,
                                                                         const LdapIdentity& identity) {
  auto now = clock_.now();
  json::object spec{{"source", kSourceLdap}, {"state", kStateActive}, {"ldapDN", identity.dn}};
  if (!identity.display_name.empty()) spec["displayName"] = identity.display_name.substr(0, 128);
  if (!identity.email.empty() && schema::check_format(schema::Format::Email, identity.email).empty()) {
    spec["email"] = identity.email;
  }
  json::object doc{{"apiVersion", user_type().info().api_version()},
                   {"kind", user_type().info().kind},
                   {"metadata", json::object{{"name", name}}},
                   {"spec", std::move(spec)}};
  storage::StoredObject obj;
  obj.kind = std::string(kUserKind);
  obj.name = name;
  obj.uid = core::new_uid();
  obj.created_at_ms = to_ms(now);
  auto& meta = doc["metadata"].as_object();
  meta["uid"] = obj.uid;
  meta["creationTimestamp"] = core::format_rfc3339(now);
  obj.labels = "{}";
  obj.data = json::serialize(doc);
  return store_.create(obj);
}

core::Status IdentityService::record_login(storage::StoredObject user, const LdapIdentity* identity) {
  auto doc = core::parse_json(user.data);
  if (!doc || !doc->is_object()) return core::fail(core::ErrorCode::Internal, "stored user is corrupt");
  json::object status;
  status["lastLoginTime"] = core::format_rfc3339(clock_.now());
  if (identity) {
    json::array groups;
    for (const auto& g : identity->group_dns) groups.push_back(json::string(g));
    status["ldapGroups"] = std::move(groups);
  } else if (auto* st = doc->as_object().if_contains("status"); st && st->is_object()) {
    if (auto* g = st->as_object().if_contains("ldapGroups")) status["ldapGroups"] = *g;
  }
  doc->as_object()["status"] = std::move(status);
  user.data = json::serialize(*doc);
  auto updated = store_.update(user, user.resource_version);
  if (!updated && updated.error().code != core::ErrorCode::Conflict) return core::fail(updated.error());
  return {};  // a concurrent edit of the user wins over the login timestamp
}

void IdentityService::rehash(storage::StoredObject credential, std::string_view password) {
  auto doc = core::parse_json(credential.data);
  if (!doc || !doc->is_object()) return;
  auto hashed = hash(password);
  if (!hashed) {  // the pool is busy: the login stands, the next one tries again
    core::log_warn("password rehash deferred",
                   {{"user", std::string_view(credential.name)}, {"error", std::string_view(hashed.error().message)}});
    return;
  }
  doc->as_object()["hash"] = *hashed;
  credential.data = json::serialize(*doc);
  // Conditional on the version verified: a password changed meanwhile wins over the rehash of the old one.
  auto updated = store_.update(credential, credential.resource_version);
  if (!updated && updated.error().code != core::ErrorCode::Conflict) {
    core::log_warn("password rehash not stored",
                   {{"user", std::string_view(credential.name)}, {"error", std::string_view(updated.error().message)}});
    return;
  }
  if (updated) core::log_info("password rehashed with the current cost", {{"user", std::string_view(credential.name)}});
}

core::Status IdentityService::change_own_password(const std::string& user, std::string_view current,
                                                  std::string_view next, const std::string& client_address) {
  if (current.size() > crypto::kMaxPasswordBytes || next.size() > crypto::kMaxPasswordBytes) {
    return core::fail(core::ErrorCode::InvalidArgument,
                      fmt::format("passwords are at most {} bytes", crypto::kMaxPasswordBytes));
  }
  if (auto wait = throttle_.retry_after(user, client_address)) {
    return core::fail(core::ErrorCode::ResourceExhausted,
                      fmt::format("too many failed attempts; retry in {} s", wait->count()));
  }
  auto stored = store_.get(std::string(kUserKind), "", user);
  if (!stored) return core::fail(stored.error());
  auto doc = core::parse_json(stored->data);
  if (!doc || !doc->is_object()) return core::fail(core::ErrorCode::Internal, "stored user is corrupt");
  const auto* spec = doc->as_object().if_contains("spec");
  std::string source = spec && spec->is_object() ? string_at(spec->as_object(), "source") : std::string();
  if (!source.empty() && source != kSourceLocal) {
    return core::fail(core::ErrorCode::FailedPrecondition,
                      "the password of a directory user is changed in the directory, not in Atrium");
  }
  std::string hash = dummy_hash_;
  auto cred = store_.get(std::string(kCredentialKind), "", user);
  if (cred) {
    if (auto c = core::parse_json(cred->data); c && c->is_object()) hash = string_at(c->as_object(), "hash");
  } else if (cred.error().code != core::ErrorCode::NotFound) {
    return core::fail(cred.error());
  }
  auto ok = pool_.run([hash, password = std::string(current)] { return crypto::verify_password(hash, password); });
  if (!ok) return core::fail(core::ErrorCode::ResourceExhausted, ok.error().message);
  if (!*ok || !cred) {
    throttle_.record_failure(user, client_address);
    return core::fail(core::Error(core::ErrorCode::InvalidArgument, "the current password is not right",
                                  {{"currentPassword", "not your current password"}}));
  }
  if (auto s = check_password(user, next, options_.password_policy, "newPassword"); !s) return core::fail(s.error());
  auto m = credential_mutation(user, next);
  if (!m) return core::fail(m.error());
  if (!*m) return core::fail(core::ErrorCode::Internal, "no credential to write");
  auto written = store_.commit({std::move(**m)});
  if (!written) {
    if (written.error().code == core::ErrorCode::Conflict) {
      return core::fail(core::ErrorCode::Conflict, "the password changed meanwhile; try again");
    }
    return core::fail(written.error());
  }
  return {};
}

LoginResult IdentityService::login(const LoginRequest& r) {
  using Outcome = LoginEvent::Outcome;
  auto refuse = [](core::ErrorCode code, std::string message, std::chrono::seconds retry = {}) {
    return tl::unexpected<LoginError>(LoginError{core::Error(code, std::move(message)), retry});
  };
  if (r.username.empty() || r.username.size() > kMaxUserNameBytes || r.password.size() > crypto::kMaxPasswordBytes) {
    report(r, Outcome::Failure, "oversized or empty input", "");
    return refuse(core::ErrorCode::InvalidArgument,
                  fmt::format("username must be 1 to {} bytes and password at most {} bytes", kMaxUserNameBytes,
                              crypto::kMaxPasswordBytes));
  }
  if (auto wait = throttle_.retry_after(r.username, r.client_address)) {
    report(r, Outcome::Throttled, "throttled", "");
    return refuse(core::ErrorCode::ResourceExhausted,
                  fmt::format("too many failed logins; retry in {} s", wait->count()), *wait);
  }

  // Only valid user names can exist; anything else (NUL bytes, upper case, 300 characters) is an unknown user.
  std::optional<storage::StoredObject> user;
  if (core::validate_dns1123_label(r.username).empty()) {
    auto got = store_.get(std::string(kUserKind), "", r.username);
    if (got)
      user = std::move(*got);
    else if (got.error().code != core::ErrorCode::NotFound)
      return tl::unexpected<LoginError>(LoginError{got.error()});
  }
  json::object user_doc;
  std::string source = std::string(kSourceLocal);
  if (user) {
    auto parsed = core::parse_json(user->data);
    if (parsed && parsed->is_object()) user_doc = parsed->as_object();
    if (auto* spec = user_doc.if_contains("spec"); spec && spec->is_object()) {
      if (auto s = string_at(spec->as_object(), "source"); !s.empty()) source = s;
    }
  }

  auto verify = [this](std::string hash, std::string password) -> core::Result<bool> {
    return pool_.run(
        [hash = std::move(hash), password = std::move(password)] { return crypto::verify_password(hash, password); });
  };
  auto busy = [&](const core::Error& e) {
    report(r, Outcome::Throttled, "busy", source);
    return refuse(core::ErrorCode::ResourceExhausted, e.message, std::chrono::seconds(1));
  };
  auto wrong = [&](std::string reason, std::string src) {
    throttle_.record_failure(r.username, r.client_address);
    report(r, Outcome::Failure, std::move(reason), std::move(src));
    return refuse(core::ErrorCode::Unauthenticated, std::string(kBadLogin));
  };

  std::optional<LdapIdentity> ldap_identity;
  std::optional<storage::StoredObject> outdated_credential;  // hashed with other argon2id parameters than ours
  if (user && source == kSourceLocal) {
    std::string hash = dummy_hash_;
    auto cred = store_.get(std::string(kCredentialKind), "", r.username);
    if (cred) {
      if (auto c = core::parse_json(cred->data); c && c->is_object()) hash = string_at(c->as_object(), "hash");
    }
    auto ok = verify(hash, r.password);
    if (!ok) return busy(ok.error());
    if (!*ok || !cred) return wrong(cred ? "wrong password" : "no password set", source);
    if (crypto::needs_rehash(hash, options_.hash_cost)) outdated_credential = std::move(*cred);
  } else if (options_.directory != nullptr) {
    auto id = options_.directory->authenticate(r.username, r.password);
    if (!id) {
      if (id.error().code == core::ErrorCode::Unavailable) {
        report(r, Outcome::Failure, "ldap unavailable: " + id.error().message, "ldap");
        return refuse(core::ErrorCode::Unavailable, "the directory is unavailable; try again later");
      }
      if (!user) {
        auto ok = verify(dummy_hash_, r.password);  // the same cost as a local miss
        if (!ok) return busy(ok.error());
      }
      return wrong(user ? "wrong password" : "unknown user", "ldap");
    }
    ldap_identity = std::move(*id);
    if (user && !iequals(string_at(user_doc.at("spec").as_object(), "ldapDN"), ldap_identity->dn)) {
      return wrong("LDAP entry differs from the provisioned user", "ldap");
    }
    if (!user) {
      if (!core::validate_dns1123_label(r.username).empty()) {
        return wrong("LDAP user name is not a valid Atrium user name", "ldap");
      }
      auto created = provision_ldap_user(r.username, *ldap_identity);
      if (!created) {
        if (created.error().code == core::ErrorCode::AlreadyExists) {
          return wrong("a local user of this name exists", "ldap");  // never merge a local and an LDAP user
        }
        return tl::unexpected<LoginError>(LoginError{created.error()});
      }
      user = std::move(*created);
      source = std::string(kSourceLdap);
      core::log_info("provisioned LDAP user", {{"user", std::string_view(r.username)}});
    }
  } else {
    auto ok = verify(dummy_hash_, r.password);
    if (!ok) return busy(ok.error());
    return wrong(user ? "LDAP is not configured" : "unknown user", source);
  }

  auto fresh = store_.get(std::string(kUserKind), "", r.username);
  if (!fresh) return wrong("user deleted during login", source);
  if (auto d = core::parse_json(fresh->data); d && d->is_object()) {
    auto* spec = d->as_object().if_contains("spec");
    if (spec && spec->is_object() && string_at(spec->as_object(), "state") == kStateDisabled) {
      report(r, Outcome::Failure, "disabled", source);
      return refuse(core::ErrorCode::Unauthenticated, "the account is disabled");
    }
  }
  throttle_.record_success(r.username);
  if (outdated_credential) rehash(std::move(*outdated_credential), r.password);
  if (auto s = record_login(*fresh, ldap_identity ? &*ldap_identity : nullptr); !s) {
    return tl::unexpected<LoginError>(LoginError{s.error()});
  }
  auto session = tokens_.create_session(r.username);
  if (!session) return tl::unexpected<LoginError>(LoginError{session.error()});
  report(r, Outcome::Success, "", source);
  return *session;
}

core::Status IdentityService::logout(std::string_view session_token) { return tokens_.revoke_session(session_token); }

core::Result<core::Principal> IdentityService::principal_for(const std::string& user, std::string auth_method) {
  auto obj = store_.get(std::string(kUserKind), "", user);
  if (!obj) {
    if (obj.error().code == core::ErrorCode::NotFound) {
      return core::fail(core::ErrorCode::Unauthenticated, "the token is invalid, expired or revoked");
    }
    return core::fail(obj.error());
  }
  auto doc = core::parse_json(obj->data);
  if (!doc || !doc->is_object()) return core::fail(core::ErrorCode::Internal, "stored user is corrupt");
  std::set<std::string, std::less<>> ldap_groups;
  if (auto* spec = doc->as_object().if_contains("spec"); spec && spec->is_object()) {
    if (string_at(spec->as_object(), "state") == kStateDisabled) {
      return core::fail(core::ErrorCode::Unauthenticated, "the account is disabled");
    }
  }
  if (auto* st = doc->as_object().if_contains("status"); st && st->is_object()) {
    if (auto* g = st->as_object().if_contains("ldapGroups"); g && g->is_array()) {
      for (const auto& v : g->as_array()) {
        if (v.is_string()) ldap_groups.insert(std::string(v.as_string()));
      }
    }
  }
  core::Principal p{user, {}, std::move(auth_method)};
  core::ListOptions opts;
  opts.limit = core::ListOptions::kMaxLimit;
  opts.sort_by = "name";
  opts.order = core::SortOrder::Ascending;
  std::int64_t seen = 0;
  for (opts.page = 1;; ++opts.page) {
    auto page = store_.list_shared(std::string(kGroupKind), "", storage::Store::ScopeMatch::Exact, opts);
    if (!page) return core::fail(page.error());
    for (const auto& g : (*page)->items) {
      auto gd = core::parse_json(g.data);
      if (!gd || !gd->is_object()) continue;
      auto* spec = gd->as_object().if_contains("spec");
      if (!spec || !spec->is_object()) continue;
      bool member = false;
      if (auto* m = spec->as_object().if_contains("members"); m && m->is_array()) {
        for (const auto& v : m->as_array()) member = member || (v.is_string() && v.as_string() == user);
      }
      if (!member) {
        std::string dn = string_at(spec->as_object(), "ldapGroup");
        for (const auto& lg : ldap_groups) member = member || (!dn.empty() && iequals(dn, lg));
      }
      if (member) p.groups.push_back(g.name);
    }
    seen += static_cast<std::int64_t>((*page)->items.size());
    if (seen >= (*page)->total || (*page)->items.empty()) break;
  }
  return p;
}

}  // namespace atrium::identity
