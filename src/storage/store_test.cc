// One suite, run against both backends: SQLite on a fresh temporary file and PostgreSQL on a fresh database of a
// real server started once for the binary. Raw SQL (sqlite3, libpq) is used only to inspect or tamper with the
// schema bookkeeping.
#include "storage/store.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <latch>
#include <limits>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/list_options.h"
#include "storage/audit_table.h"
#include "storage/migrations.h"
#include "storage/object_rules.h"
#include "support/postgres_server.h"

namespace atrium::storage {
namespace {

using core::ErrorCode;

class PostgresEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    auto started = testing::PostgresServer::start();
    if (started) {
      server_ = std::move(*started);
    } else {
      error_ = started.error().message;
    }
  }
  void TearDown() override { server_.reset(); }

  testing::PostgresServer* server() const { return server_.get(); }
  const std::string& error() const { return error_; }

 private:
  std::unique_ptr<testing::PostgresServer> server_;
  std::string error_;
};

PostgresEnvironment* const postgres =
    static_cast<PostgresEnvironment*>(::testing::AddGlobalTestEnvironment(new PostgresEnvironment));

enum class Backend { Sqlite, Postgres };

std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::Sqlite ? "Sqlite" : "Postgres";
}

StoredObject make(std::string kind, std::string scope, std::string name, std::int64_t created_at_ms = 1000,
                  std::string labels = "{}", std::string data = "{\"spec\":{}}") {
  StoredObject o;
  o.kind = std::move(kind);
  o.scope = std::move(scope);
  o.name = std::move(name);
  o.uid = "uid-" + o.name;
  o.created_at_ms = created_at_ms;
  o.labels = std::move(labels);
  o.data = std::move(data);
  return o;
}

std::vector<std::string> names(const ListResult& r) {
  std::vector<std::string> out;
  for (const auto& o : r.items) out.push_back(o.name);
  return out;
}

core::ListOptions options(std::string sort_by = "name", core::SortOrder order = core::SortOrder::Ascending) {
  core::ListOptions o;
  o.sort_by = std::move(sort_by);
  o.order = order;
  return o;
}

class StoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    int n = counter++;
    if (GetParam() == Backend::Postgres) {
      ASSERT_NE(postgres->server(), nullptr) << "PostgreSQL test server did not start: " << postgres->error();
      database_ = "store_test_" + std::to_string(n);
      auto url = postgres->server()->create_database(database_);
      ASSERT_TRUE(url) << url.error().message;
      url_ = *url;
    } else {
      dir_ = std::filesystem::temp_directory_path() /
             ("atrium-store-test-" + std::to_string(getpid()) + "-" + std::to_string(n));
      std::filesystem::remove_all(dir_);
      std::filesystem::create_directories(dir_);
      url_ = "sqlite://" + (dir_ / "atrium.db").string();
    }
    store_ = open();
    ASSERT_NE(store_, nullptr);
  }

  void TearDown() override {
    store_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<Store> open() {
    auto s = open_store(url_);
    EXPECT_TRUE(s) << s.error().message;
    return s ? std::move(*s) : nullptr;
  }

  // Runs SQL on the test database directly, bypassing the store; returns the first column of the first row
  // (0 when there is none).
  std::int64_t raw_sql(const std::string& sql) {
    std::int64_t value = 0;
    if (GetParam() == Backend::Sqlite) {
      sqlite3* db = nullptr;
      EXPECT_EQ(sqlite3_open((dir_ / "atrium.db").c_str(), &db), SQLITE_OK);
      sqlite3_busy_timeout(db, 5000);
      char* err = nullptr;
      auto first = [](void* out, int, char** values, char**) {
        if (values[0] != nullptr) *static_cast<std::int64_t*>(out) = std::stoll(values[0]);
        return 0;
      };
      EXPECT_EQ(sqlite3_exec(db, sql.c_str(), first, &value, &err), SQLITE_OK) << (err ? err : "");
      sqlite3_free(err);
      sqlite3_close(db);
    } else {
      PGconn* conn = PQconnectdb(url_.c_str());
      EXPECT_EQ(PQstatus(conn), CONNECTION_OK) << PQerrorMessage(conn);
      PGresult* r = PQexec(conn, sql.c_str());
      EXPECT_TRUE(PQresultStatus(r) == PGRES_TUPLES_OK || PQresultStatus(r) == PGRES_COMMAND_OK)
          << PQresultErrorMessage(r);
      if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0) value = std::stoll(PQgetvalue(r, 0, 0));
      PQclear(r);
      PQfinish(conn);
    }
    return value;
  }

  // The query plan of an audit statement, one line per plan row: SQLite's EXPLAIN QUERY PLAN, or PostgreSQL's
  // EXPLAIN with sequential scans, bitmap scans and sorts priced out, so that an index appears in the plan
  // exactly when it can serve the filter and the order by itself.
  std::string audit_query_plan(const AuditStatement& st) {
    std::string out;
    if (GetParam() == Backend::Sqlite) {
      sqlite3* db = nullptr;
      EXPECT_EQ(sqlite3_open((dir_ / "atrium.db").c_str(), &db), SQLITE_OK);
      sqlite3_stmt* stmt = nullptr;
      std::string sql = "EXPLAIN QUERY PLAN " + st.sql;
      EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
      while (stmt != nullptr && sqlite3_step(stmt) == SQLITE_ROW) {
        out += reinterpret_cast<const char*>(sqlite3_column_text(stmt, 3));
        out += '\n';
      }
      sqlite3_finalize(stmt);
      sqlite3_close(db);
      return out;
    }
    std::string sql = st.sql;
    for (std::size_t n = st.params.size(); n >= 1; --n) {  // $10 before $1
      const AuditParam& p = st.params[n - 1];
      std::string literal = p.is_int ? std::to_string(p.value) : "'" + p.text + "'";
      for (auto pos = sql.find("$" + std::to_string(n)); pos != std::string::npos;
           pos = sql.find("$" + std::to_string(n))) {
        sql.replace(pos, 1 + std::to_string(n).size(), literal);
      }
    }
    PGconn* conn = PQconnectdb(url_.c_str());
    EXPECT_EQ(PQstatus(conn), CONNECTION_OK) << PQerrorMessage(conn);
    PQclear(PQexec(conn, "SET enable_seqscan = off; SET enable_bitmapscan = off; SET enable_sort = off"));
    PGresult* r = PQexec(conn, ("EXPLAIN " + sql).c_str());
    EXPECT_EQ(PQresultStatus(r), PGRES_TUPLES_OK) << PQresultErrorMessage(r);
    for (int i = 0; PQresultStatus(r) == PGRES_TUPLES_OK && i < PQntuples(r); ++i) {
      out += PQgetvalue(r, i, 0);
      out += '\n';
    }
    PQclear(r);
    PQfinish(conn);
    return out;
  }

  std::int64_t latest_schema_version() const {
    auto all = GetParam() == Backend::Sqlite ? sqlite_migrations() : postgres_migrations();
    return all.back().version;
  }

  // A fresh, never-opened database of this backend.
  std::string fresh_url() {
    static std::atomic<int> counter{0};
    int n = counter++;
    if (GetParam() == Backend::Sqlite) return "sqlite://" + (dir_ / ("fresh-" + std::to_string(n) + ".db")).string();
    auto url = postgres->server()->create_database(database_ + "_fresh_" + std::to_string(n));
    EXPECT_TRUE(url) << url.error().message;
    return url ? *url : std::string();
  }

  std::filesystem::path dir_;
  std::string database_;
  std::string url_;
  std::unique_ptr<Store> store_;
};

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::Values(Backend::Sqlite, Backend::Postgres), backend_name);

TEST_P(StoreTest, ReportsItsBackend) {
  EXPECT_EQ(store_->backend(), GetParam() == Backend::Sqlite ? "sqlite" : "postgres");
}

TEST_P(StoreTest, CreateThenGetReturnsTheObject) {
  auto created = store_->create(make("Workspace", "", "alpha", 1234, R"({"team":"a"})", R"({"spec":{"x":1}})"));
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_GT(created->resource_version, 0);
  auto got = store_->get("Workspace", "", "alpha");
  ASSERT_TRUE(got) << got.error().message;
  EXPECT_EQ(got->kind, "Workspace");
  EXPECT_EQ(got->scope, "");
  EXPECT_EQ(got->name, "alpha");
  EXPECT_EQ(got->uid, "uid-alpha");
  EXPECT_EQ(got->created_at_ms, 1234);
  EXPECT_EQ(got->labels, R"({"team":"a"})");
  EXPECT_EQ(got->data, R"({"spec":{"x":1}})");
  EXPECT_EQ(got->resource_version, created->resource_version);
}

TEST_P(StoreTest, EmptyLabelsAreStoredAsEmptyObject) {
  auto created = store_->create(make("Workspace", "", "alpha", 1, ""));
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(created->labels, "{}");
  EXPECT_EQ(store_->get("Workspace", "", "alpha")->labels, "{}");
}

TEST_P(StoreTest, CreateOfExistingKeyIsAlreadyExists) {
  ASSERT_TRUE(store_->create(make("Workspace", "", "alpha")));
  auto again = store_->create(make("Workspace", "", "alpha", 5, "{}", R"({"other":true})"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::AlreadyExists);
  EXPECT_NE(again.error().message.find("alpha"), std::string::npos) << again.error().message;
  EXPECT_EQ(store_->get("Workspace", "", "alpha")->data, R"({"spec":{}})");
  // The same name in another scope or of another kind is another object.
  EXPECT_TRUE(store_->create(make("Workspace", "cluster/a", "alpha")));
  EXPECT_TRUE(store_->create(make("User", "", "alpha")));
}

TEST_P(StoreTest, MissingObjectIsNotFound) {
  auto got = store_->get("Workspace", "", "ghost");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, ErrorCode::NotFound);
  auto updated = store_->update(make("Workspace", "", "ghost"), 0);
  ASSERT_FALSE(updated);
  EXPECT_EQ(updated.error().code, ErrorCode::NotFound);
  auto updated_cas = store_->update(make("Workspace", "", "ghost"), 7);
  ASSERT_FALSE(updated_cas);
  EXPECT_EQ(updated_cas.error().code, ErrorCode::NotFound);
  auto removed = store_->remove("Workspace", "", "ghost", 0);
  ASSERT_FALSE(removed);
  EXPECT_EQ(removed.error().code, ErrorCode::NotFound);
  auto removed_cas = store_->remove("Workspace", "", "ghost", 7);
  ASSERT_FALSE(removed_cas);
  EXPECT_EQ(removed_cas.error().code, ErrorCode::NotFound);
}

TEST_P(StoreTest, UpdateReplacesDataAndLabelsButKeepsUidAndCreationTime) {
  auto created = store_->create(make("Workspace", "", "alpha", 1000, R"({"a":"1"})", R"({"v":1})"));
  ASSERT_TRUE(created);
  StoredObject change = make("Workspace", "", "alpha", 999999, R"({"b":"2"})", R"({"v":2})");
  change.uid = "someone-else";
  auto updated = store_->update(change, created->resource_version);
  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_GT(updated->resource_version, created->resource_version);
  EXPECT_EQ(updated->uid, "uid-alpha");
  EXPECT_EQ(updated->created_at_ms, 1000);
  auto got = store_->get("Workspace", "", "alpha");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->data, R"({"v":2})");
  EXPECT_EQ(got->labels, R"({"b":"2"})");
  EXPECT_EQ(got->uid, "uid-alpha");
  EXPECT_EQ(got->created_at_ms, 1000);
  EXPECT_EQ(got->resource_version, updated->resource_version);
}

TEST_P(StoreTest, StaleVersionIsConflict) {
  auto v1 = store_->create(make("Workspace", "", "alpha"));
  ASSERT_TRUE(v1);
  auto v2 = store_->update(make("Workspace", "", "alpha", 1000, "{}", R"({"v":2})"), v1->resource_version);
  ASSERT_TRUE(v2) << v2.error().message;

  auto stale_update = store_->update(make("Workspace", "", "alpha", 1000, "{}", R"({"v":3})"), v1->resource_version);
  ASSERT_FALSE(stale_update);
  EXPECT_EQ(stale_update.error().code, ErrorCode::Conflict);
  auto stale_remove = store_->remove("Workspace", "", "alpha", v1->resource_version);
  ASSERT_FALSE(stale_remove);
  EXPECT_EQ(stale_remove.error().code, ErrorCode::Conflict);
  EXPECT_EQ(store_->get("Workspace", "", "alpha")->data, R"({"v":2})");

  // Unconditional writes ignore versions.
  auto v3 = store_->update(make("Workspace", "", "alpha", 1000, "{}", R"({"v":3})"), 0);
  ASSERT_TRUE(v3) << v3.error().message;
  EXPECT_TRUE(store_->remove("Workspace", "", "alpha", v3->resource_version));
  EXPECT_EQ(store_->get("Workspace", "", "alpha").error().code, ErrorCode::NotFound);
}

TEST_P(StoreTest, ResourceVersionsIncreaseOnEveryWrite) {
  auto v0 = store_->current_version();
  ASSERT_TRUE(v0) << v0.error().message;
  EXPECT_EQ(*v0, 0);
  std::int64_t last = 0;
  auto expect_next = [&](std::int64_t v) {
    EXPECT_GT(v, last);
    last = v;
    auto current = store_->current_version();
    ASSERT_TRUE(current);
    EXPECT_EQ(*current, v);
  };
  auto a = store_->create(make("Workspace", "", "a"));
  ASSERT_TRUE(a);
  expect_next(a->resource_version);
  auto b = store_->create(make("User", "x", "b"));  // one counter for all kinds and scopes
  ASSERT_TRUE(b);
  expect_next(b->resource_version);
  auto a2 = store_->update(make("Workspace", "", "a"), a->resource_version);
  ASSERT_TRUE(a2);
  expect_next(a2->resource_version);
  ASSERT_TRUE(store_->remove("User", "x", "b", 0));
  auto after_delete = store_->current_version();
  ASSERT_TRUE(after_delete);
  EXPECT_GT(*after_delete, last);
  last = *after_delete;
  auto batch = store_->commit(
      {{Mutation::Op::Create, make("Workspace", "", "c"), 0}, {Mutation::Op::Create, make("Workspace", "", "d"), 0}});
  ASSERT_TRUE(batch) << batch.error().message;
  EXPECT_GT((*batch)[0].resource_version, last);
  EXPECT_GT((*batch)[1].resource_version, (*batch)[0].resource_version);
}

TEST_P(StoreTest, CommitWritesEverythingAndReturnsObjectsInOrder) {
  auto existing = store_->create(make("Workspace", "", "old"));
  ASSERT_TRUE(existing);
  auto gone = store_->create(make("Workspace", "", "gone"));
  ASSERT_TRUE(gone);
  auto written = store_->commit({
      {Mutation::Op::Create, make("Workspace", "", "new"), 0},
      {Mutation::Op::Update, make("Workspace", "", "old", 1, "{}", R"({"v":2})"), existing->resource_version},
      {Mutation::Op::Delete, make("Workspace", "", "gone"), gone->resource_version},
  });
  ASSERT_TRUE(written) << written.error().message;
  ASSERT_EQ(written->size(), 3u);
  EXPECT_EQ((*written)[0].name, "new");
  EXPECT_EQ((*written)[1].name, "old");
  EXPECT_EQ((*written)[1].data, R"({"v":2})");
  EXPECT_EQ((*written)[2].name, "gone");
  EXPECT_TRUE(store_->get("Workspace", "", "new"));
  EXPECT_EQ(store_->get("Workspace", "", "old")->data, R"({"v":2})");
  EXPECT_EQ(store_->get("Workspace", "", "gone").error().code, ErrorCode::NotFound);
}

TEST_P(StoreTest, CommitIsAllOrNothing) {
  auto existing = store_->create(make("Workspace", "", "old"));
  ASSERT_TRUE(existing);
  auto before = store_->current_version();
  ASSERT_TRUE(before);

  // The second mutation fails: the first must not be visible.
  auto missing = store_->commit({{Mutation::Op::Create, make("Workspace", "", "first"), 0},
                                 {Mutation::Op::Update, make("Workspace", "", "ghost"), 0}});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
  EXPECT_EQ(store_->get("Workspace", "", "first").error().code, ErrorCode::NotFound);

  auto conflict =
      store_->commit({{Mutation::Op::Create, make("Workspace", "", "first"), 0},
                      {Mutation::Op::Delete, make("Workspace", "", "old"), existing->resource_version + 99}});
  ASSERT_FALSE(conflict);
  EXPECT_EQ(conflict.error().code, ErrorCode::Conflict);
  EXPECT_EQ(store_->get("Workspace", "", "first").error().code, ErrorCode::NotFound);
  EXPECT_TRUE(store_->get("Workspace", "", "old"));

  auto duplicate = store_->commit({{Mutation::Op::Update, make("Workspace", "", "old", 1, "{}", R"({"v":9})"), 0},
                                   {Mutation::Op::Create, make("Workspace", "", "dup"), 0},
                                   {Mutation::Op::Create, make("Workspace", "", "dup"), 0}});
  ASSERT_FALSE(duplicate);
  EXPECT_EQ(duplicate.error().code, ErrorCode::AlreadyExists);
  EXPECT_EQ(store_->get("Workspace", "", "old")->data, R"({"spec":{}})");
  EXPECT_EQ(store_->get("Workspace", "", "dup").error().code, ErrorCode::NotFound);

  auto invalid = store_->commit({{Mutation::Op::Create, make("Workspace", "", "ok"), 0},
                                 {Mutation::Op::Create, make("Workspace", "", "bad", 1, "[1]"), 0}});
  ASSERT_FALSE(invalid);
  EXPECT_EQ(invalid.error().code, ErrorCode::InvalidArgument);
  EXPECT_EQ(store_->get("Workspace", "", "ok").error().code, ErrorCode::NotFound);

  // Nothing else was written: a later write still works and versions only moved forward.
  auto after = store_->create(make("Workspace", "", "after"));
  ASSERT_TRUE(after) << after.error().message;
  EXPECT_GT(after->resource_version, *before);
}

TEST_P(StoreTest, NameFilterMatchesSubstringsLiterally) {
  for (const char* n : {"a%b", "a_b", "axb", "ab", "a\\b", "100%", "web-1", "Web-2"}) {
    ASSERT_TRUE(store_->create(make("Thing", "", n))) << n;
  }
  auto filter = [&](std::string substring) {
    auto o = options();
    o.name = std::move(substring);
    auto r = store_->list("Thing", "", Store::ScopeMatch::Exact, o);
    EXPECT_TRUE(r) << r.error().message;
    return r ? names(*r) : std::vector<std::string>{};
  };
  EXPECT_EQ(filter("%"), (std::vector<std::string>{"100%", "a%b"}));
  EXPECT_EQ(filter("_"), (std::vector<std::string>{"a_b"}));
  EXPECT_EQ(filter("a%b"), (std::vector<std::string>{"a%b"}));
  EXPECT_EQ(filter("\\"), (std::vector<std::string>{"a\\b"}));
  EXPECT_EQ(filter("b"), (std::vector<std::string>{"Web-2", "a%b", "a\\b", "a_b", "ab", "axb", "web-1"}));
  EXPECT_EQ(filter("web"), (std::vector<std::string>{"web-1"}));  // case-sensitive
  EXPECT_EQ(filter("'; --"), (std::vector<std::string>{}));
  auto o = options();
  o.name = "%";
  auto r = store_->list("Thing", "", Store::ScopeMatch::Exact, o);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->total, 2);
}

TEST_P(StoreTest, LabelSelectorFiltersBeforePaging) {
  for (int i = 0; i < 12; ++i) {
    std::string labels = i % 3 == 0   ? R"({"app":"api","tier":"web"})"
                         : i % 3 == 1 ? R"({"app":"db","tier":"data"})"
                                      : R"({"app":"api"})";
    char name[16];
    std::snprintf(name, sizeof(name), "o%02d", i);
    ASSERT_TRUE(store_->create(make("Thing", "", name, 1000 + i, labels)));
  }
  auto select = [&](std::string_view selector, std::int64_t page = 1, std::int64_t limit = 100) {
    auto o = options();
    auto parsed = core::LabelSelector::parse(selector);
    EXPECT_TRUE(parsed) << parsed.error().message;
    o.label_selector = *parsed;
    o.page = page;
    o.limit = limit;
    auto r = store_->list("Thing", "", Store::ScopeMatch::Exact, o);
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : ListResult{};
  };
  EXPECT_EQ(names(select("app=db")), (std::vector<std::string>{"o01", "o04", "o07", "o10"}));
  EXPECT_EQ(select("app=api").total, 8);
  EXPECT_EQ(names(select("app=api,!tier")), (std::vector<std::string>{"o02", "o05", "o08", "o11"}));
  EXPECT_EQ(names(select("tier in (web,data),app!=db")), (std::vector<std::string>{"o00", "o03", "o06", "o09"}));
  EXPECT_EQ(select("tier notin (web)").total, 8);
  EXPECT_EQ(select("missing").total, 0);
  // Paging applies to the matches, and the total counts all of them.
  auto page2 = select("app=api", 2, 3);
  EXPECT_EQ(names(page2), (std::vector<std::string>{"o05", "o06", "o08"}));
  EXPECT_EQ(page2.total, 8);
  auto page3 = select("app=api", 3, 3);
  EXPECT_EQ(names(page3), (std::vector<std::string>{"o09", "o11"}));
  auto beyond = select("app=api", 9, 3);
  EXPECT_TRUE(beyond.items.empty());
  EXPECT_EQ(beyond.total, 8);
  // Combined with the name filter and a descending sort.
  auto o = options("creationTimestamp", core::SortOrder::Descending);
  o.label_selector = *core::LabelSelector::parse("app=api");
  o.name = "o0";
  auto r = store_->list("Thing", "", Store::ScopeMatch::Exact, o);
  ASSERT_TRUE(r);
  EXPECT_EQ(names(*r), (std::vector<std::string>{"o09", "o08", "o06", "o05", "o03", "o02", "o00"}));
  EXPECT_EQ(r->total, 7);
}

TEST_P(StoreTest, SortsByNameBothWays) {
  for (const char* n : {"delta", "alpha", "Charlie", "bravo", "échelle"}) {
    ASSERT_TRUE(store_->create(make("Thing", "", n)));
  }
  auto asc = store_->list("Thing", "", Store::ScopeMatch::Exact, options("name", core::SortOrder::Ascending));
  ASSERT_TRUE(asc);
  // Byte order on both backends (PostgreSQL columns use the "C" collation).
  EXPECT_EQ(names(*asc), (std::vector<std::string>{"Charlie", "alpha", "bravo", "delta", "échelle"}));
  auto desc = store_->list("Thing", "", Store::ScopeMatch::Exact, options("name", core::SortOrder::Descending));
  ASSERT_TRUE(desc);
  EXPECT_EQ(names(*desc), (std::vector<std::string>{"échelle", "delta", "bravo", "alpha", "Charlie"}));
}

TEST_P(StoreTest, SortsByCreationTimeBreakingTiesByName) {
  ASSERT_TRUE(store_->create(make("Thing", "", "c", 30)));
  ASSERT_TRUE(store_->create(make("Thing", "", "b", 10)));
  ASSERT_TRUE(store_->create(make("Thing", "", "d", 20)));
  ASSERT_TRUE(store_->create(make("Thing", "", "a", 10)));
  ASSERT_TRUE(store_->create(make("Thing", "", "e", -5)));
  auto asc =
      store_->list("Thing", "", Store::ScopeMatch::Exact, options("creationTimestamp", core::SortOrder::Ascending));
  ASSERT_TRUE(asc);
  EXPECT_EQ(names(*asc), (std::vector<std::string>{"e", "a", "b", "d", "c"}));
  auto desc =
      store_->list("Thing", "", Store::ScopeMatch::Exact, options("creationTimestamp", core::SortOrder::Descending));
  ASSERT_TRUE(desc);
  EXPECT_EQ(names(*desc), (std::vector<std::string>{"c", "d", "b", "a", "e"}));
  // The default options sort newest first.
  auto defaults = store_->list("Thing", "", Store::ScopeMatch::Exact, core::ListOptions{});
  ASSERT_TRUE(defaults);
  EXPECT_EQ(names(*defaults), names(*desc));
}

TEST_P(StoreTest, PagesWithTotal) {
  for (int i = 0; i < 25; ++i) {
    char name[16];
    std::snprintf(name, sizeof(name), "n%02d", i);
    ASSERT_TRUE(store_->create(make("Thing", "", name, i)));
  }
  ASSERT_TRUE(store_->create(make("Other", "", "n99")));
  ASSERT_TRUE(store_->create(make("Thing", "elsewhere", "n98")));
  auto page = [&](std::int64_t p, std::int64_t limit) {
    auto o = options();
    o.page = p;
    o.limit = limit;
    auto r = store_->list("Thing", "", Store::ScopeMatch::Exact, o);
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : ListResult{};
  };
  auto first = page(1, 10);
  EXPECT_EQ(first.total, 25);
  ASSERT_EQ(first.items.size(), 10u);
  EXPECT_EQ(first.items.front().name, "n00");
  EXPECT_EQ(first.items.back().name, "n09");
  auto third = page(3, 10);
  EXPECT_EQ(third.total, 25);
  EXPECT_EQ(names(third), (std::vector<std::string>{"n20", "n21", "n22", "n23", "n24"}));
  auto beyond = page(4, 10);
  EXPECT_TRUE(beyond.items.empty());
  EXPECT_EQ(beyond.total, 25);
  auto empty_kind = store_->list("Nothing", "", Store::ScopeMatch::Exact, options());
  ASSERT_TRUE(empty_kind);
  EXPECT_EQ(empty_kind->total, 0);
  EXPECT_TRUE(empty_kind->items.empty());
}

TEST_P(StoreTest, ScopeAllListsAKindAcrossScopes) {
  ASSERT_TRUE(store_->create(make("Member", "workspace/a", "bob", 3)));
  ASSERT_TRUE(store_->create(make("Member", "workspace/b", "bob", 1)));
  ASSERT_TRUE(store_->create(make("Member", "workspace/b", "alice", 2)));
  ASSERT_TRUE(store_->create(make("Member", "", "carol", 4)));
  ASSERT_TRUE(store_->create(make("Role", "workspace/a", "admin", 5)));
  auto exact = store_->list("Member", "workspace/b", Store::ScopeMatch::Exact, options());
  ASSERT_TRUE(exact);
  EXPECT_EQ(names(*exact), (std::vector<std::string>{"alice", "bob"}));
  EXPECT_EQ(exact->total, 2);
  auto all = store_->list("Member", "", Store::ScopeMatch::All, options());
  ASSERT_TRUE(all) << all.error().message;
  ASSERT_EQ(all->total, 4);
  EXPECT_EQ(names(*all), (std::vector<std::string>{"alice", "bob", "bob", "carol"}));
  EXPECT_EQ(all->items[1].scope, "workspace/a");  // equal names: ordered by scope
  EXPECT_EQ(all->items[2].scope, "workspace/b");
  auto by_time = store_->list("Member", "ignored", Store::ScopeMatch::All,
                              options("creationTimestamp", core::SortOrder::Descending));
  ASSERT_TRUE(by_time);
  EXPECT_EQ(names(*by_time), (std::vector<std::string>{"carol", "bob", "alice", "bob"}));
  auto o = options();
  o.name = "b";
  o.limit = 1;
  o.page = 2;
  auto paged = store_->list("Member", "", Store::ScopeMatch::All, o);
  ASSERT_TRUE(paged);
  EXPECT_EQ(paged->total, 2);
  ASSERT_EQ(paged->items.size(), 1u);
  EXPECT_EQ(paged->items[0].scope, "workspace/b");
}

TEST_P(StoreTest, HostileKeysAndValuesRoundTripVerbatim) {
  const std::vector<std::string> hostile = {
      "Robert'); DROP TABLE objects;--",
      "\" OR 1=1 --",
      "quote'quote\"back\\slash",
      "名前-ñ-🚀-עברית-Ω",
      "%_*?[]{}$1?1:name",
      "line\nbreak\ttab\r",
      "\xef\xbb\xbf"
      "bom",
      std::string(200, '\x7f'),
  };
  std::string long_name;
  while (long_name.size() + 4 <= kMaxNameBytes) long_name += "🚀";
  while (long_name.size() < kMaxNameBytes) long_name += "x";
  std::string big_data = R"({"blob":")" + std::string(1 << 20, 'z') + R"(","q":"'\"\\u0000"})";
  std::vector<StoredObject> objects;
  int i = 0;
  for (const auto& h : hostile) {
    objects.push_back(
        make("Kind'; DROP TABLE objects;--", h, h, ++i, R"({"k'\"":"v\\'"})", R"({"text":"x","raw":"')" + h + "\"}"));
    objects.back().uid = h;
  }
  objects.push_back(make("Kind'; DROP TABLE objects;--", "", long_name, 100, "{}", big_data));
  objects.back().uid = "long";
  for (const auto& o : objects) {
    auto created = store_->create(o);
    ASSERT_TRUE(created) << created.error().message;
  }
  for (const auto& o : objects) {
    auto got = store_->get(o.kind, o.scope, o.name);
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ(got->kind, o.kind);
    EXPECT_EQ(got->scope, o.scope);
    EXPECT_EQ(got->name, o.name);
    EXPECT_EQ(got->uid, o.uid);
    EXPECT_EQ(got->labels, o.labels);
    EXPECT_EQ(got->data, o.data);
  }
  auto all = store_->list("Kind'; DROP TABLE objects;--", "", Store::ScopeMatch::All, options());
  ASSERT_TRUE(all) << all.error().message;
  EXPECT_EQ(all->total, static_cast<std::int64_t>(objects.size()));
  auto o = options();
  o.name = "DROP TABLE";
  auto found = store_->list("Kind'; DROP TABLE objects;--", hostile[0], Store::ScopeMatch::Exact, o);
  ASSERT_TRUE(found);
  EXPECT_EQ(names(*found), (std::vector<std::string>{hostile[0]}));
  ASSERT_TRUE(store_->remove(objects[0].kind, objects[0].scope, objects[0].name, 0));
  EXPECT_TRUE(store_->get(objects[1].kind, objects[1].scope, objects[1].name));
}

TEST_P(StoreTest, RejectsInvalidInputTheSameWayOnBothBackends) {
  auto expect_invalid = [](const auto& result, std::string_view what) {
    ASSERT_FALSE(result) << what;
    EXPECT_EQ(result.error().code, ErrorCode::InvalidArgument) << what << ": " << result.error().message;
  };
  expect_invalid(store_->create(make("Thing", "", "")), "empty name");
  expect_invalid(store_->create(make("", "", "x")), "empty kind");
  expect_invalid(store_->create(make("Thing", "", std::string(kMaxNameBytes + 1, 'n'))), "name too long");
  expect_invalid(store_->create(make("Thing", std::string(kMaxScopeBytes + 1, 's'), "x")), "scope too long");
  expect_invalid(store_->create(make("Thing", "", std::string("nul\0inside", 10))), "NUL in name");
  expect_invalid(store_->create(make("Thing", "",
                                     "bad\xff"
                                     "utf8")),
                 "invalid UTF-8 name");
  expect_invalid(store_->create(make("Thing", "", "x", 1, "{}", std::string("{\"a\":\"\0\"}", 10))), "NUL in data");
  expect_invalid(store_->create(make("Thing", "", "x", 1, "[]")), "labels not an object");
  expect_invalid(store_->create(make("Thing", "", "x", 1, R"({"a":1})")), "non-string label");
  expect_invalid(store_->create(make("Thing", "", "x", 1, "{")), "labels not JSON");
  expect_invalid(store_->get("Thing", "", ""), "get with empty name");
  auto bad_sort = options("uid");
  expect_invalid(store_->list("Thing", "", Store::ScopeMatch::Exact, bad_sort), "unknown sort field");
  auto bad_page = options();
  bad_page.page = 0;
  expect_invalid(store_->list("Thing", "", Store::ScopeMatch::Exact, bad_page), "page 0");
  auto bad_limit = options();
  bad_limit.limit = 0;
  expect_invalid(store_->list("Thing", "", Store::ScopeMatch::Exact, bad_limit), "limit 0");
  auto huge_page = options();
  huge_page.page = std::numeric_limits<std::int64_t>::max();
  expect_invalid(store_->list("Thing", "", Store::ScopeMatch::Exact, huge_page), "page overflows the offset");
  // Nothing was written.
  EXPECT_EQ(*store_->current_version(), 0);
}

TEST_P(StoreTest, ReopenKeepsDataAndAppliesMigrationsOnce) {
  auto created = store_->create(make("Workspace", "", "alpha"));
  ASSERT_TRUE(created);
  store_.reset();
  for (int i = 0; i < 3; ++i) {
    auto reopened = open();
    ASSERT_NE(reopened, nullptr);
    auto got = reopened->get("Workspace", "", "alpha");
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ(got->resource_version, created->resource_version);
    EXPECT_EQ(*reopened->current_version(), created->resource_version);
  }
  EXPECT_EQ(raw_sql("SELECT count(*) FROM schema_migrations"), latest_schema_version());
  EXPECT_EQ(raw_sql("SELECT max(version) FROM schema_migrations"), latest_schema_version());
}

TEST_P(StoreTest, RefusesADatabaseWithANewerSchema) {
  store_.reset();
  std::int64_t newer = latest_schema_version() + 1;
  if (GetParam() == Backend::Sqlite) {
    raw_sql("INSERT INTO schema_migrations (version, description, applied_at_ms) VALUES (" + std::to_string(newer) +
            ", 'from the future', 0)");
  } else {
    raw_sql("INSERT INTO schema_migrations (version, description) VALUES (" + std::to_string(newer) +
            ", 'from the future')");
  }
  auto reopened = open_store(url_);
  ASSERT_FALSE(reopened);
  EXPECT_EQ(reopened.error().code, ErrorCode::FailedPrecondition);
  EXPECT_NE(reopened.error().message.find(std::to_string(newer)), std::string::npos) << reopened.error().message;
}

TEST_P(StoreTest, ConcurrentUpdatesWithTheSameVersionExactlyOneWins) {
  constexpr int kWriters = 16;
  auto created = store_->create(make("Workspace", "", "contended"));
  ASSERT_TRUE(created);
  // Each writer has its own store instance (own connections), as separate replicas would.
  std::vector<std::unique_ptr<Store>> stores;
  for (int i = 0; i < kWriters; ++i) {
    stores.push_back(open());
    ASSERT_NE(stores.back(), nullptr);
  }
  std::atomic<int> succeeded{0};
  std::atomic<int> conflicted{0};
  std::vector<std::string> unexpected(kWriters);
  std::latch start(kWriters);
  std::vector<std::thread> threads;
  for (int i = 0; i < kWriters; ++i) {
    threads.emplace_back([&, i] {
      auto read = stores[i]->get("Workspace", "", "contended");
      if (!read) {
        unexpected[i] = read.error().message;
        start.count_down();
        return;
      }
      StoredObject mine = *read;
      mine.data = "{\"writer\":" + std::to_string(i) + "}";
      start.arrive_and_wait();
      auto updated = stores[i]->update(mine, read->resource_version);
      if (updated) {
        ++succeeded;
      } else if (updated.error().code == ErrorCode::Conflict) {
        ++conflicted;
      } else {
        unexpected[i] = updated.error().message;
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kWriters; ++i) EXPECT_EQ(unexpected[i], "") << "writer " << i;
  EXPECT_EQ(succeeded.load(), 1);
  EXPECT_EQ(conflicted.load(), kWriters - 1);
  auto final_state = store_->get("Workspace", "", "contended");
  ASSERT_TRUE(final_state);
  EXPECT_GT(final_state->resource_version, created->resource_version);
}

TEST_P(StoreTest, ConcurrentCreatesOfOneKeyExactlyOneWins) {
  constexpr int kWriters = 8;
  std::vector<std::unique_ptr<Store>> stores;
  for (int i = 0; i < kWriters; ++i) {
    stores.push_back(open());
    ASSERT_NE(stores.back(), nullptr);
  }
  std::atomic<int> succeeded{0};
  std::atomic<int> existed{0};
  std::latch start(kWriters);
  std::vector<std::thread> threads;
  for (int i = 0; i < kWriters; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      auto created = stores[i]->commit({{Mutation::Op::Create, make("Workspace", "", "race"), 0},
                                        {Mutation::Op::Create, make("Workspace", "", "race-" + std::to_string(i)), 0}});
      if (created) {
        ++succeeded;
      } else if (created.error().code == ErrorCode::AlreadyExists) {
        ++existed;
      } else {
        ADD_FAILURE() << created.error().message;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(succeeded.load(), 1);
  EXPECT_EQ(existed.load(), kWriters - 1);
  auto listed = store_->list("Workspace", "", Store::ScopeMatch::Exact, options());
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->total, 2);  // "race" and the winner's second object; the losers' batches left nothing
}

TEST_P(StoreTest, OneStoreServesManyThreads) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string name = "t" + std::to_string(t) + "-" + std::to_string(i);
        auto created = store_->create(make("Thing", "", name, i));
        if (!created) ADD_FAILURE() << created.error().message;
        auto listed = store_->list("Thing", "", Store::ScopeMatch::Exact, options());
        if (!listed) ADD_FAILURE() << listed.error().message;
        auto got = store_->get("Thing", "", name);
        if (!got) ADD_FAILURE() << got.error().message;
      }
    });
  }
  for (auto& t : threads) t.join();
  auto listed = store_->list("Thing", "", Store::ScopeMatch::Exact, options());
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->total, kThreads * kPerThread);
}

TEST_P(StoreTest, ReplicasOpeningAFreshDatabaseTogetherBothSucceed) {
  constexpr int kReplicas = 4;
  for (int round = 0; round < 3; ++round) {
    std::string url = fresh_url();
    ASSERT_FALSE(url.empty());
    std::vector<std::unique_ptr<Store>> opened(kReplicas);
    std::vector<std::string> errors(kReplicas);
    std::latch start(kReplicas);
    std::vector<std::thread> threads;
    for (int i = 0; i < kReplicas; ++i) {
      threads.emplace_back([&, i] {
        start.arrive_and_wait();
        auto s = open_store(url);
        if (s) {
          opened[i] = std::move(*s);
        } else {
          errors[i] = s.error().message;
        }
      });
    }
    for (auto& t : threads) t.join();
    for (int i = 0; i < kReplicas; ++i) {
      ASSERT_NE(opened[i], nullptr) << "replica " << i << ": " << errors[i];
    }
    ASSERT_TRUE(opened[0]->create(make("Workspace", "", "shared")));
    auto seen = opened[kReplicas - 1]->get("Workspace", "", "shared");
    EXPECT_TRUE(seen) << seen.error().message;
  }
}

AuditRecord audit_record(std::string id, std::int64_t time_ms, std::string user, std::string verb,
                         std::string workspace = "", std::string project = "", std::string outcome = "success") {
  AuditRecord r;
  r.id = std::move(id);
  r.time_ms = time_ms;
  r.user = std::move(user);
  r.verb = std::move(verb);
  r.resource = "projects";
  r.outcome = std::move(outcome);
  r.workspace = std::move(workspace);
  r.project = std::move(project);
  r.data = "{\"id\":\"" + r.id + "\"}";
  return r;
}

std::vector<std::string> audit_ids(const AuditPage& page) {
  std::vector<std::string> out;
  for (const auto& d : page.items) out.push_back(d.substr(7, d.size() - 9));  // {"id":"<id>"}
  return out;
}

TEST_P(StoreTest, AuditTableFiltersSortsAndPages) {
  ASSERT_TRUE(store_->append_audit({
      audit_record("e1", 1000, "lead", "create", "ws-a"),
      audit_record("e2", 2000, "dev", "delete", "ws-a", "p1", "denied"),
      audit_record("e3", 3000, "dev", "create", "ws-b", "p1"),
      audit_record("e4", 3000, "weird user@x", "login", "", "", "failure"),  // same millisecond as e3
      audit_record("e5", 5000, "lead", "update", "ws-a", "p2"),
  }));
  auto q = [&](AuditFilter f) {
    auto page = store_->query_audit(f);
    EXPECT_TRUE(page) << page.error().message;
    return page ? *page : AuditPage{};
  };
  auto all = q({});
  EXPECT_EQ(all.total, 5);
  EXPECT_EQ(audit_ids(all), (std::vector<std::string>{"e5", "e4", "e3", "e2", "e1"})) << "newest first, then id";
  EXPECT_EQ(audit_ids(q({.order = core::SortOrder::Ascending})),
            (std::vector<std::string>{"e1", "e2", "e3", "e4", "e5"}));
  EXPECT_EQ(audit_ids(q({.user = "dev"})), (std::vector<std::string>{"e3", "e2"}));
  EXPECT_EQ(audit_ids(q({.user = "weird user@x"})), (std::vector<std::string>{"e4"})) << "any value is filterable";
  EXPECT_EQ(audit_ids(q({.verb = "create"})), (std::vector<std::string>{"e3", "e1"}));
  EXPECT_EQ(audit_ids(q({.outcome = "denied"})), (std::vector<std::string>{"e2"}));
  EXPECT_EQ(audit_ids(q({.workspace = "ws-a"})), (std::vector<std::string>{"e5", "e2", "e1"}));
  EXPECT_EQ(audit_ids(q({.workspace = "ws-a", .project = "p1"})), (std::vector<std::string>{"e2"}));
  EXPECT_EQ(audit_ids(q({.user = "lead", .verb = "delete", .workspace = "ws-a"})), std::vector<std::string>{});
  EXPECT_EQ(audit_ids(q({.verb = "update", .workspace = "ws-a"})), (std::vector<std::string>{"e5"}));
  EXPECT_EQ(audit_ids(q({.since_ms = 2000, .until_ms = 3000})), (std::vector<std::string>{"e4", "e3", "e2"}))
      << "bounds are inclusive";
  EXPECT_EQ(audit_ids(q({.user = "lead", .since_ms = 1001})), (std::vector<std::string>{"e5"}));

  auto page2 = q({.page = 2, .limit = 2, .order = core::SortOrder::Ascending});
  EXPECT_EQ(page2.total, 5);
  EXPECT_EQ(audit_ids(page2), (std::vector<std::string>{"e3", "e4"}));
  auto beyond = q({.user = "dev", .page = 3, .limit = 2});
  EXPECT_TRUE(beyond.items.empty());
  EXPECT_EQ(beyond.total, 2) << "the total is known past the last page";
  // Hostile filter values are values, never SQL.
  EXPECT_EQ(q({.user = "' OR '1'='1"}).total, 0);
  EXPECT_EQ(q({.user = "dev\" OR 1=1 --"}).total, 0);
  // Audit records are not objects: no resource version, nothing in lists.
  auto listed = store_->list("AuditEvent", "", Store::ScopeMatch::All, options());
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->total, 0);
}

TEST_P(StoreTest, AuditTableRefusesBadRecordsAndFiltersAndWritesNothing) {
  ASSERT_TRUE(store_->append_audit({audit_record("e1", 1000, "lead", "create")}));
  auto version = store_->current_version();
  ASSERT_TRUE(version);
  auto bad_id = store_->append_audit({audit_record("e2", 2000, "a", "create"), audit_record("", 2000, "b", "x")});
  ASSERT_FALSE(bad_id);
  EXPECT_EQ(bad_id.error().code, ErrorCode::InvalidArgument);
  auto nul = store_->append_audit({audit_record("e3", 2000, std::string("a\0b", 3), "create")});
  ASSERT_FALSE(nul);
  EXPECT_EQ(nul.error().code, ErrorCode::InvalidArgument);
  auto bad_utf8 = store_->append_audit({audit_record("e4", 2000, "a", "create", "\xff\xfe")});
  ASSERT_FALSE(bad_utf8);
  EXPECT_EQ(bad_utf8.error().code, ErrorCode::InvalidArgument);
  // A duplicate id fails the whole batch, including the records before it.
  auto dup = store_->append_audit({audit_record("e5", 2000, "a", "create"), audit_record("e1", 2000, "a", "x")});
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, ErrorCode::AlreadyExists) << dup.error().message;
  auto all = store_->query_audit({});
  ASSERT_TRUE(all);
  EXPECT_EQ(audit_ids(*all), std::vector<std::string>{"e1"}) << "nothing of a refused batch was written";
  EXPECT_EQ(*store_->current_version(), *version) << "audit appends take no resource version";

  for (AuditFilter f : {AuditFilter{.limit = 0}, AuditFilter{.limit = core::ListOptions::kMaxLimit + 1},
                        AuditFilter{.page = 0}, AuditFilter{.page = std::numeric_limits<std::int64_t>::max()}}) {
    auto r = store_->query_audit(f);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument);
  }
}

TEST_P(StoreTest, AuditQueriesAreServedByIndexes) {
  ASSERT_TRUE(store_->append_audit({audit_record("e1", 1000, "lead", "create", "ws-a", "p1")}));
  const SqlDialect dialect = GetParam() == Backend::Sqlite ? SqlDialect::Sqlite : SqlDialect::Postgres;
  struct Case {
    AuditFilter filter;
    const char* index;
  };
  const Case cases[] = {
      {{}, "audit_by_time"},
      {{.order = core::SortOrder::Ascending}, "audit_by_time"},
      {{.since_ms = 10, .until_ms = 2000, .page = 3, .limit = 5}, "audit_by_time"},
      {{.user = "lead"}, "audit_by_user"},
      {{.user = "lead", .since_ms = 10, .order = core::SortOrder::Ascending}, "audit_by_user"},
      {{.verb = "create"}, "audit_by_verb"},
      {{.resource = "projects"}, "audit_by_resource"},
      {{.outcome = "denied", .until_ms = 5000}, "audit_by_outcome"},
      {{.workspace = "ws-a"}, "audit_by_workspace"},
      {{.project = "p1"}, "audit_by_project"},
  };
  for (const auto& c : cases) {
    AuditPlan plan = audit_plan(dialect, c.filter);
    for (const AuditStatement* st : {&plan.page, &plan.count}) {
      std::string text = audit_query_plan(*st);
      SCOPED_TRACE(st->sql + "\n" + text);
      // A count over every record may read any index; everything else must use the one of its filter.
      if (st == &plan.page) {
        EXPECT_NE(text.find(c.index), std::string::npos) << "expected " << c.index;
      }
      EXPECT_EQ(text.find("TEMP B-TREE"), std::string::npos) << "SQLite sorted outside the index";
      EXPECT_EQ(text.find("Sort"), std::string::npos) << "PostgreSQL sorted outside the index";
      EXPECT_EQ(text.find("Seq Scan"), std::string::npos);
      std::istringstream lines(text);
      for (std::string line; GetParam() == Backend::Sqlite && std::getline(lines, line);) {
        if (line.find("audit_events") != std::string::npos) {
          EXPECT_NE(line.find("INDEX"), std::string::npos) << "SQLite read the table without an index: " << line;
        }
      }
    }
  }
}

TEST_P(StoreTest, MigrationMovesAuditEventsOfEarlierReleasesIntoTheAuditTable) {
  // An audit event as releases before the audit table stored it: an AuditEvent object.
  ASSERT_TRUE(store_->create(make("AuditEvent", "", "0000000000001000-0000000001-abc", 1000,
                                  R"({"user":"lead","verb":"create"})",
                                  R"({"time":"x","user":"lead","verb":"create","resource":"workspaces",)"
                                  R"("scope":{"level":"workspace","workspace":"ws-a"},"outcome":"success"})")));
  ASSERT_TRUE(store_->create(make("Workspace", "", "ws-a")));
  store_.reset();
  // Back to schema version 1.
  raw_sql("DROP TABLE audit_events");
  raw_sql("DELETE FROM schema_migrations WHERE version >= 2");
  store_ = open();
  ASSERT_NE(store_, nullptr);
  auto moved = store_->query_audit({.workspace = "ws-a"});
  ASSERT_TRUE(moved) << moved.error().message;
  ASSERT_EQ(moved->total, 1);
  EXPECT_NE(moved->items[0].find("\"resource\":\"workspaces\""), std::string::npos) << moved->items[0];
  auto by_user = store_->query_audit({.user = "lead",
                                      .verb = "create",
                                      .resource = "workspaces",
                                      .outcome = "success",
                                      .since_ms = 1000,
                                      .until_ms = 1000});
  ASSERT_TRUE(by_user);
  EXPECT_EQ(by_user->total, 1);
  auto left = store_->list("AuditEvent", "", Store::ScopeMatch::All, options());
  ASSERT_TRUE(left);
  EXPECT_EQ(left->total, 0) << "moved, not copied";
  EXPECT_TRUE(store_->get("Workspace", "", "ws-a")) << "other objects stay";
  EXPECT_EQ(raw_sql("SELECT max(version) FROM schema_migrations"), latest_schema_version());
}

}  // namespace
}  // namespace atrium::storage
