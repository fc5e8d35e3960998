#include "audit/audit_log.h"

#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "core/testing/fake_clock.h"
#include "storage/testing/temp_store.h"

namespace atrium::audit {
namespace {

class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(store_.ok()); }
  AuditEvent event(std::string user, std::string verb, std::string ws, Outcome o, int minute) {
    AuditEvent e;
    e.time = clock_.now() + std::chrono::minutes(minute);
    e.request_id = "req-" + std::to_string(minute);
    e.user = std::move(user);
    e.source_address = "127.0.0.1";
    e.verb = std::move(verb);
    e.resource = "projects";
    e.name = "p";
    e.scope.level = ws.empty() ? core::Scope::Level::Platform : core::Scope::Level::Workspace;
    e.scope.workspace = std::move(ws);
    e.outcome = o;
    e.status = o == Outcome::Success ? 201 : 403;
    return e;
  }
  using Params = std::multimap<std::string, std::string, std::less<>>;
  core::json::object query(Params p, AuditLog& log) {
    auto q = parse_audit_query(p);
    EXPECT_TRUE(q) << q.error().message;
    auto r = log.query(*q);
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : core::json::object();
  }

  core::FakeClock clock_;
  storage::testing::TempStore store_;
};

TEST_F(AuditLogTest, RecordsAndFiltersEvents) {
  AuditLog log(*store_, clock_);
  log.record(event("lead", "create", "merchant-platform", Outcome::Success, 1));
  log.record(event("dev", "delete", "merchant-platform", Outcome::Denied, 2));
  log.record(event("dev", "create", "other-team", Outcome::Success, 3));
  AuditEvent odd = event("weird user@x", "login", "", Outcome::Failure, 4);
  odd.resource = "session";
  log.record(odd);
  log.flush();
  EXPECT_EQ(log.written(), 4u);

  auto all = query({}, log);
  EXPECT_EQ(all.at("total").as_int64(), 4);
  EXPECT_EQ(all.at("items").at(0).at("user").as_string(), "weird user@x") << "newest first";
  EXPECT_EQ(query({{"user", "dev"}}, log).at("total").as_int64(), 2);
  EXPECT_EQ(query({{"workspace", "merchant-platform"}}, log).at("total").as_int64(), 2);
  auto denied = query({{"outcome", "denied"}}, log);
  ASSERT_EQ(denied.at("total").as_int64(), 1);
  EXPECT_EQ(denied.at("items").at(0).at("verb").as_string(), "delete");
  EXPECT_EQ(denied.at("items").at(0).at("scope").at("workspace").as_string(), "merchant-platform");
  std::string since = core::format_rfc3339(clock_.now() + std::chrono::minutes(2));
  std::string until = core::format_rfc3339(clock_.now() + std::chrono::minutes(3));
  EXPECT_EQ(query({{"since", since}, {"until", until}}, log).at("total").as_int64(), 2);
  auto page = query({{"limit", "1"}, {"page", "2"}, {"ascending", "true"}}, log);
  EXPECT_EQ(page.at("total").as_int64(), 4);
  ASSERT_EQ(page.at("items").as_array().size(), 1u);
  EXPECT_EQ(page.at("items").at(0).at("requestId").as_string(), "req-2");
}

TEST_F(AuditLogTest, HostileQueriesAreRefused) {
  for (Params p : {Params{{"outcome", "maybe"}}, Params{{"since", "yesterday"}}, Params{{"limit", "0"}},
                   Params{{"user", std::string(300, 'a')}}, Params{{"until", "2026-13-01T00:00:00Z"}}}) {
    EXPECT_FALSE(parse_audit_query(p));
  }
  AuditLog log(*store_, clock_);
  log.record(event("a", "create", "", Outcome::Success, 1));
  log.record(event("b", "delete", "", Outcome::Success, 2));
  log.flush();
  // Filter values are matched literally by the store, never parsed: selector or SQL syntax matches nothing.
  for (const char* hostile : {"a,verb!=create", "a' OR '1'='1", "%", "*"}) {
    auto q = parse_audit_query({{"user", hostile}});
    ASSERT_TRUE(q);
    auto r = log.query(*q);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->at("total").as_int64(), 0) << hostile;
  }
}

TEST_F(AuditLogTest, AnyUserNameIsRecordedAndFilterableEvenWhenNotUtf8) {
  AuditLog log(*store_, clock_);
  // What a client typed at login: spaces, '@', upper case, and bytes that are not UTF-8 (and a NUL).
  log.record(event("Weird User@x", "login", "", Outcome::Failure, 1));
  log.record(event(std::string("bad\xff\0name", 9), "login", "", Outcome::Failure, 2));
  log.record(event("ok", "create", "ws", Outcome::Success, 3));
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (log.written() < 3 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(log.written(), 3u) << "an unwritable event must not stall the log";
  auto weird = query({{"user", "Weird User@x"}}, log);
  ASSERT_EQ(weird.at("total").as_int64(), 1);
  EXPECT_EQ(weird.at("items").at(0).at("outcome").as_string(), "failure");
  auto bad = query({{"user", "bad\xEF\xBF\xBD\xEF\xBF\xBDname"}}, log);
  ASSERT_EQ(bad.at("total").as_int64(), 1) << "invalid bytes and NUL are kept as U+FFFD";
  EXPECT_EQ(query({{"verb", "login"}}, log).at("total").as_int64(), 2);
}

TEST_F(AuditLogTest, WorkspaceFilterIncludesItsProjects) {
  AuditLog log(*store_, clock_);
  AuditEvent in_project = event("dev", "create", "ws", Outcome::Success, 1);
  in_project.scope.level = core::Scope::Level::Project;
  in_project.scope.project = "p1";
  log.record(in_project);
  log.record(event("lead", "update", "ws", Outcome::Success, 2));
  log.record(event("lead", "update", "ws-other", Outcome::Success, 3));
  log.flush();
  EXPECT_EQ(query({{"workspace", "ws"}}, log).at("total").as_int64(), 2);
  auto project = query({{"workspace", "ws"}, {"project", "p1"}}, log);
  ASSERT_EQ(project.at("total").as_int64(), 1);
  EXPECT_EQ(project.at("items").at(0).at("scope").at("project").as_string(), "p1");
}

TEST_F(AuditLogTest, ConcurrentRecordersLoseNothing) {
  {
    AuditLog log(*store_, clock_, 16);  // a small queue forces backpressure
    std::vector<std::thread> ts;
    for (int t = 0; t < 4; ++t) {
      ts.emplace_back([&, t] {
        for (int i = 0; i < 250; ++i) log.record(event("u" + std::to_string(t), "create", "", Outcome::Success, i));
      });
    }
    for (auto& t : ts) t.join();
  }  // destructor flushes
  AuditLog reader(*store_, clock_);
  EXPECT_EQ(query({{"limit", "1"}}, reader).at("total").as_int64(), 1000);
}

TEST_F(AuditLogTest, AQueryIncludesEverythingRecordedBeforeIt) {
  // Read your writes: an auditor who just made a request finds it, although the writer works in batches of 500.
  AuditLog log(*store_, clock_);
  for (int i = 0; i < 3000; ++i) log.record(event("dev", "create", "merchant-platform", Outcome::Denied, i));
  EXPECT_EQ(query({{"user", "dev"}, {"outcome", "denied"}, {"limit", "1"}}, log).at("total").as_int64(), 3000);
}

}  // namespace
}  // namespace atrium::audit
