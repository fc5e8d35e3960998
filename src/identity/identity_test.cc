#include <unistd.h>

#include <filesystem>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/testing/fake_clock.h"
#include "identity/identity_authenticator.h"
#include "identity/identity_service.h"
#include "identity/user.h"
#include "storage/testing/temp_store.h"

namespace atrium::identity {
namespace {

namespace json = core::json;
using std::chrono::minutes;
using std::chrono::seconds;

const std::string kGoodPassword = "Tr0ub4dor&3-horse";

class IdentityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.ok());
    make_service();
  }
  void TearDown() override {
    authn_.reset();
    service_.reset();
  }
  void make_service() {
    IdentityOptions o = options_;
    o.hash_cost = cost_;
    o.on_login = [this](const LoginEvent& e) { events_.push_back(e); };
    service_ = std::make_unique<IdentityService>(*store_, clock_, o);
    authn_ = std::make_unique<IdentityAuthenticator>(*service_);
  }
  static json::value user_doc(const std::string& name, std::string spec_extra = {}) {
    auto v = core::parse_json(R"({"apiVersion":"iam.atrium.io/v1","kind":"User","metadata":{"name":")" + name +
                              R"("},"spec":{"displayName":"D","email":"x@example.com")" + spec_extra + "}}");
    EXPECT_TRUE(v);
    return *v;
  }
  void create(const std::string& name, const std::string& password = kGoodPassword) {
    auto u = service_->create_user(user_doc(name, R"(,"password":")" + password + "\""));
    ASSERT_TRUE(u) << u.error().message;
  }
  LoginResult login(const std::string& user, const std::string& password, std::string address = "10.0.0.1") {
    return service_->login(LoginRequest{user, password, std::move(address)});
  }
  core::Result<core::Principal> auth_bearer(const std::string& token) {
    return authn_->authenticate(core::Credentials{token, std::nullopt, "10.0.0.1"});
  }

  core::FakeClock clock_;
  IdentityOptions options_;
  crypto::PasswordHashCost cost_ = crypto::PasswordHashCost::minimum();
  storage::testing::TempStore store_;
  std::unique_ptr<IdentityService> service_;
  std::unique_ptr<IdentityAuthenticator> authn_;
  std::vector<LoginEvent> events_;
};

TEST_F(IdentityTest, PasswordNeverLandsInTheUserDocument) {
  create("alice");
  auto stored = store_->get("User", "", "alice");
  ASSERT_TRUE(stored);
  EXPECT_EQ(stored->data.find(kGoodPassword), std::string::npos) << stored->data;
  EXPECT_EQ(stored->data.find("password"), std::string::npos) << stored->data;
  EXPECT_NE(stored->data.find("\"source\":\"local\""), std::string::npos);
  EXPECT_NE(stored->data.find("\"state\":\"Active\""), std::string::npos);
  auto cred = store_->get("UserCredential", "", "alice");
  ASSERT_TRUE(cred);
  EXPECT_NE(cred->data.find("$argon2id$"), std::string::npos);
  EXPECT_EQ(cred->data.find(kGoodPassword), std::string::npos);
}

TEST_F(IdentityTest, WeakPasswordIsRefusedAndNothingIsWritten) {
  auto u = service_->create_user(user_doc("bob", R"(,"password":"short")"));
  ASSERT_FALSE(u);
  EXPECT_EQ(u.error().code, core::ErrorCode::InvalidArgument);
  ASSERT_FALSE(u.error().causes.empty());
  EXPECT_EQ(u.error().causes[0].field, "spec.password");
  EXPECT_FALSE(store_->get("User", "", "bob"));
  EXPECT_FALSE(store_->get("UserCredential", "", "bob"));
}

TEST_F(IdentityTest, ClientCannotClaimLdapSource) {
  auto u = service_->create_user(user_doc("carol", R"(,"source":"ldap","ldapDN":"uid=carol,dc=x")"));
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_NE(u->data.find("\"source\":\"local\""), std::string::npos) << u->data;
  EXPECT_EQ(u->data.find("uid=carol"), std::string::npos) << u->data;
}

TEST_F(IdentityTest, LoginIssuesASessionThatAuthenticatesAndLogoutRevokes) {
  create("alice");
  auto s = login("alice", kGoodPassword);
  ASSERT_TRUE(s) << s.error().error.message;
  EXPECT_EQ(s->user, "alice");
  EXPECT_EQ(s->expires_at, clock_.now() + std::chrono::hours(12));
  auto p = auth_bearer(s->token);
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(p->user, "alice");
  EXPECT_EQ(p->auth_method, "session");
  auto c = authn_->authenticate(core::Credentials{std::nullopt, s->token, "10.0.0.1"});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->auth_method, "cookie");
  // Only the digest is stored.
  EXPECT_FALSE(store_->get("Session", "", s->token));
  ASSERT_TRUE(service_->logout(s->token));
  EXPECT_FALSE(auth_bearer(s->token));
  ASSERT_EQ(events_.size(), 1u);
  EXPECT_EQ(events_[0].outcome, LoginEvent::Outcome::Success);
  EXPECT_EQ(events_[0].client_address, "10.0.0.1");
}

TEST_F(IdentityTest, UnknownUserAndWrongPasswordGetTheSameAnswer) {
  create("alice");
  auto wrong = login("alice", "Wrong-password-1");
  auto unknown = login("mallory", "Wrong-password-1");
  ASSERT_FALSE(wrong);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(wrong.error().error.code, core::ErrorCode::Unauthenticated);
  EXPECT_EQ(unknown.error().error.code, core::ErrorCode::Unauthenticated);
  EXPECT_EQ(wrong.error().error.message, unknown.error().error.message);
  ASSERT_EQ(events_.size(), 2u);
  EXPECT_EQ(events_[0].reason, "wrong password");
  EXPECT_EQ(events_[1].reason, "unknown user");
}

TEST_F(IdentityTest, HostileUserNamesAreUnknownUsers) {
  create("alice");
  for (std::string name : {std::string("alice\0", 6), std::string("ALICE"), std::string("*)(uid=*"),
                           std::string("älice"), std::string("../alice")}) {
    auto r = login(name, kGoodPassword, "10.9.9." + std::to_string(name.size()));
    ASSERT_FALSE(r) << name;
    EXPECT_EQ(r.error().error.code, core::ErrorCode::Unauthenticated) << name;
  }
  auto huge = login(std::string(100'000, 'a'), kGoodPassword);
  ASSERT_FALSE(huge);
  EXPECT_EQ(huge.error().error.code, core::ErrorCode::InvalidArgument);
  auto huge_pw = login("alice", std::string(1025, 'a'));
  ASSERT_FALSE(huge_pw);
  EXPECT_EQ(huge_pw.error().error.code, core::ErrorCode::InvalidArgument);
}

TEST_F(IdentityTest, DisabledUsersCannotLoginAndTheirSessionsStop) {
  create("alice");
  auto s = login("alice", kGoodPassword);
  ASSERT_TRUE(s);
  auto current = store_->get("User", "", "alice");
  ASSERT_TRUE(current);
  auto doc = core::parse_json(current->data);
  doc->as_object()["spec"].as_object()["state"] = "Disabled";
  auto updated = service_->replace_user("alice", *doc);
  ASSERT_TRUE(updated) << updated.error().message;
  auto p = auth_bearer(s->token);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, core::ErrorCode::Unauthenticated);
  auto again = login("alice", kGoodPassword);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().error.message, "the account is disabled");
}

TEST_F(IdentityTest, SessionsExpireWhenIdleAndAfterTheAbsoluteLifetime) {
  create("alice");
  auto s = login("alice", kGoodPassword);
  ASSERT_TRUE(s);
  clock_.advance(minutes(29));
  ASSERT_TRUE(auth_bearer(s->token)) << "used within the idle window";
  clock_.advance(minutes(29));
  ASSERT_TRUE(auth_bearer(s->token)) << "the last use renewed the idle window";
  clock_.advance(minutes(31));
  EXPECT_FALSE(auth_bearer(s->token)) << "idle for 31 minutes";

  auto s2 = login("alice", kGoodPassword);
  ASSERT_TRUE(s2);
  for (int i = 0; i < 12 * 3 - 1; ++i) {
    clock_.advance(minutes(20));
    ASSERT_TRUE(auth_bearer(s2->token)) << i;
  }
  clock_.advance(minutes(20));  // 12 h since login
  EXPECT_FALSE(auth_bearer(s2->token));
}

TEST_F(IdentityTest, ForgedTokensOfTheRightShapeAreRefused) {
  create("alice");
  auto s = login("alice", kGoodPassword);
  ASSERT_TRUE(s);
  std::string forged = s->token;
  forged[5] = forged[5] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(auth_bearer(forged));
  EXPECT_FALSE(auth_bearer(std::string(kApiTokenPrefix) + s->token));
  EXPECT_FALSE(auth_bearer(std::string(43, 'A')));
  EXPECT_FALSE(auth_bearer(std::string("abc\0def", 7)));
  EXPECT_FALSE(auth_bearer(std::string(10'000, 'a')));
  EXPECT_FALSE(auth_bearer(""));
}

TEST_F(IdentityTest, ApiTokensWorkUntilDeletedOrExpired) {
  create("alice");
  auto t = service_->tokens().create_api_token("alice", "ci", seconds(3600));
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_TRUE(t->token.starts_with("atrium_"));
  auto p = auth_bearer(t->token);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->auth_method, "api-token");
  auto list = service_->tokens().list_api_tokens("alice");
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].id, t->id);
  EXPECT_FALSE(service_->tokens().delete_api_token("bob", t->id)) << "only the owner deletes";
  ASSERT_TRUE(service_->tokens().delete_api_token("alice", t->id));
  EXPECT_FALSE(auth_bearer(t->token));

  auto t2 = service_->tokens().create_api_token("alice", "short", seconds(60));
  ASSERT_TRUE(t2);
  clock_.advance(seconds(61));
  EXPECT_FALSE(auth_bearer(t2->token));
  EXPECT_FALSE(service_->tokens().create_api_token("alice", "forever", seconds(400LL * 24 * 3600)));
}

TEST_F(IdentityTest, DeletingAUserRevokesEverythingAndHonoursTheHook) {
  options_.before_delete_user = [](const std::string& user) -> core::Status {
    if (user == "root") return core::fail(core::ErrorCode::FailedPrecondition, "the last platform admin");
    return {};
  };
  make_service();
  create("alice");
  create("root");
  auto s = login("alice", kGoodPassword);
  auto t = service_->tokens().create_api_token("alice", "x", std::nullopt);
  ASSERT_TRUE(s);
  ASSERT_TRUE(t);
  ASSERT_TRUE(service_->delete_user("alice", 0));
  EXPECT_FALSE(auth_bearer(s->token));
  EXPECT_FALSE(auth_bearer(t->token));
  EXPECT_FALSE(store_->get("UserCredential", "", "alice"));
  auto refused = service_->delete_user("root", 0);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, core::ErrorCode::FailedPrecondition);
  EXPECT_TRUE(store_->get("User", "", "root"));
}

TEST_F(IdentityTest, ThrottleAnswers429WithoutHashingAndLockoutExpires) {
  create("admin", kGoodPassword);
  for (int i = 0; i < 5; ++i) {
    clock_.advance(minutes(1));
    ASSERT_FALSE(login("admin", "Wrong-password-" + std::to_string(i), "203.0.113.1"));
  }
  auto throttled = login("admin", kGoodPassword, "198.51.100.7");
  ASSERT_FALSE(throttled);
  EXPECT_EQ(throttled.error().error.code, core::ErrorCode::ResourceExhausted);
  EXPECT_EQ(throttled.error().retry_after, seconds(1));
  EXPECT_EQ(events_.back().outcome, LoginEvent::Outcome::Throttled);
  for (int i = 5; i < 10; ++i) {
    clock_.advance(minutes(2));
    ASSERT_FALSE(login("admin", "Wrong-password-" + std::to_string(i), "203.0.113.1"));
  }
  auto locked = login("admin", kGoodPassword, "198.51.100.7");
  ASSERT_FALSE(locked);
  EXPECT_EQ(locked.error().retry_after, minutes(15));
  clock_.advance(minutes(15));
  EXPECT_TRUE(login("admin", kGoodPassword, "198.51.100.7")) << "the administrator gets back in";
}

TEST_F(IdentityTest, AUserChangesTheirOwnPasswordProvingTheCurrentOne) {
  create("alice", kGoodPassword);
  const std::string next = "Another-Good-Password-7";
  // Wrong current password: named on its field, nothing changes, and it counts like a failed login.
  auto wrong = service_->change_own_password("alice", "Not-the-password-1", next, "10.0.0.1");
  ASSERT_FALSE(wrong);
  EXPECT_EQ(wrong.error().code, core::ErrorCode::InvalidArgument);
  EXPECT_EQ(wrong.error().causes.at(0).field, "currentPassword");
  EXPECT_TRUE(login("alice", kGoodPassword));
  // A new password breaking the policy is named on its field.
  auto weak = service_->change_own_password("alice", kGoodPassword, "short", "10.0.0.1");
  ASSERT_FALSE(weak);
  EXPECT_EQ(weak.error().causes.at(0).field, "newPassword");
  auto oversized = service_->change_own_password("alice", std::string(5000, 'x'), next, "10.0.0.1");
  ASSERT_FALSE(oversized);
  EXPECT_EQ(oversized.error().code, core::ErrorCode::InvalidArgument);
  // The right one: the new password works and the old one no longer does.
  ASSERT_TRUE(service_->change_own_password("alice", kGoodPassword, next, "10.0.0.1"));
  EXPECT_TRUE(login("alice", next));
  EXPECT_FALSE(login("alice", kGoodPassword));
  // Guessing the current password is throttled like logins.
  for (int i = 0; i < 5; ++i) {
    clock_.advance(minutes(1));
    ASSERT_FALSE(service_->change_own_password("alice", "Guess-number-" + std::to_string(i), next, "203.0.113.9"));
  }
  auto throttled = service_->change_own_password("alice", next, kGoodPassword, "203.0.113.9");
  ASSERT_FALSE(throttled);
  EXPECT_EQ(throttled.error().code, core::ErrorCode::ResourceExhausted);
  EXPECT_FALSE(service_->change_own_password("nobody", "x", next, "10.0.0.1"));
}

TEST_F(IdentityTest, FullHashPoolAnswersResourceExhausted) {
  // One worker, no queue, and real argon2id cost (tens of ms): a second concurrent login finds the pool busy.
  options_.hash_pool = HashPoolOptions{.workers = 1, .queue_capacity = 0};
  cost_ = crypto::PasswordHashCost::interactive();
  make_service();
  create("alice");
  std::atomic<bool> stop{false};
  std::atomic<int> exhausted{0};
  std::thread spinner([&] {
    while (!stop) (void)login("alice", kGoodPassword, "10.1.1.1");
  });
  for (int i = 0; i < 200 && exhausted == 0; ++i) {
    auto r = login("alice", kGoodPassword, "10.2.2.2");
    if (!r && r.error().error.code == core::ErrorCode::ResourceExhausted) {
      EXPECT_EQ(r.error().retry_after, seconds(1));
      exhausted++;
    }
  }
  stop = true;
  spinner.join();
  EXPECT_GT(exhausted, 0) << "two concurrent logins with one worker and no queue must refuse one";
}

TEST_F(IdentityTest, BootstrapAdminIsCreatedOnce) {
  auto first = service_->ensure_bootstrap_admin("");
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_TRUE(first->has_value());
  EXPECT_GE((*first)->size(), 20u);
  EXPECT_TRUE(login("admin", **first));
  auto second = service_->ensure_bootstrap_admin("");
  ASSERT_TRUE(second);
  EXPECT_FALSE(second->has_value());
}

TEST_F(IdentityTest, BootstrapAdminTakesTheEnvironmentPasswordAndChecksIt) {
  auto weak = service_->ensure_bootstrap_admin("admin");
  ASSERT_FALSE(weak);
  EXPECT_EQ(weak.error().code, core::ErrorCode::FailedPrecondition);
  auto ok = service_->ensure_bootstrap_admin(kGoodPassword);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_FALSE(ok->has_value()) << "a password the operator chose is not echoed";
  EXPECT_TRUE(login("admin", kGoodPassword));
}

TEST_F(IdentityTest, PrincipalCarriesLocalAndLdapMappedGroups) {
  create("alice");
  auto group = [&](const std::string& name, const std::string& spec) {
    storage::StoredObject g;
    g.kind = "Group";
    g.name = name;
    g.uid = name;
    g.labels = "{}";
    g.data =
        R"({"apiVersion":"iam.atrium.io/v1","kind":"Group","metadata":{"name":")" + name + R"("},"spec":)" + spec + "}";
    ASSERT_TRUE(store_->create(g));
  };
  group("devs", R"({"members":["bob","alice"]})");
  group("ops", R"({"members":["bob"]})");
  group("ldap-admins", R"({"ldapGroup":"cn=Admins,ou=groups,dc=atrium,dc=test"})");
  auto s = login("alice", kGoodPassword);
  ASSERT_TRUE(s);
  auto p = auth_bearer(s->token);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->groups, std::vector<std::string>{"devs"});
}

TEST_F(IdentityTest, PasswordChangeKeepsSourceAndRefusesLdapUsers) {
  create("alice");
  auto current = store_->get("User", "", "alice");
  auto doc = core::parse_json(current->data);
  doc->as_object()["spec"].as_object()["password"] = "N3w-password-long";
  doc->as_object()["spec"].as_object()["source"] = "ldap";
  ASSERT_TRUE(service_->replace_user("alice", *doc));
  EXPECT_FALSE(login("alice", kGoodPassword));
  EXPECT_TRUE(login("alice", "N3w-password-long"));
  auto after = store_->get("User", "", "alice");
  EXPECT_NE(after->data.find("\"source\":\"local\""), std::string::npos);
}

TEST_F(IdentityTest, LoginRehashesWhenTheArgon2CostChanges) {
  create("alice");  // hashed with the minimum cost
  auto hash_of = [&]() -> std::pair<std::string, std::int64_t> {
    auto cred = store_->get("UserCredential", "", "alice");
    EXPECT_TRUE(cred);
    if (!cred) return {};
    auto doc = core::parse_json(cred->data);
    return {std::string(doc->as_object().at("hash").as_string()), cred->resource_version};
  };
  auto [old_hash, old_version] = hash_of();
  ASSERT_TRUE(login("alice", kGoodPassword));
  EXPECT_EQ(hash_of().second, old_version) << "the same cost: the hash is left alone";

  // The policy changes: twice the memory, one more pass.
  const auto min = crypto::PasswordHashCost::minimum();
  cost_ = crypto::PasswordHashCost{min.ops_limit + 1, min.mem_limit * 2};
  make_service();
  ASSERT_TRUE(crypto::needs_rehash(old_hash, cost_));
  ASSERT_FALSE(login("alice", "Wrong-password-1"));
  EXPECT_EQ(hash_of().second, old_version) << "a wrong password never rewrites the hash";

  ASSERT_TRUE(login("alice", kGoodPassword));
  auto [new_hash, new_version] = hash_of();
  EXPECT_NE(new_hash, old_hash);
  EXPECT_GT(new_version, old_version);
  EXPECT_FALSE(crypto::needs_rehash(new_hash, cost_)) << new_hash;
  EXPECT_NE(new_hash.find(fmt::format("m={},t={},", cost_.mem_limit / 1024, cost_.ops_limit)), std::string::npos)
      << new_hash;
  EXPECT_TRUE(crypto::verify_password(new_hash, kGoodPassword));
  EXPECT_FALSE(crypto::verify_password(new_hash, "Wrong-password-1"));

  // The new hash is the current one: the next login verifies against it and does not rewrite it.
  ASSERT_TRUE(login("alice", kGoodPassword));
  EXPECT_EQ(hash_of().second, new_version);
  EXPECT_FALSE(login("alice", "Wrong-password-2"));
}

}  // namespace
}  // namespace atrium::identity
