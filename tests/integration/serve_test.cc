// `atrium serve` as a user runs it: the real binary, on SQLite and on a real PostgreSQL, driven over HTTP
// and through its CLI.
#include <signal.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include <gtest/gtest.h>

#include "core/json.h"
#include "net/http_client.h"
#include "support/atrium_server.h"
#include "support/kube_cluster.h"
#include "support/ldap_server.h"
#include "support/postgres_server.h"
#include "support/process.h"

namespace atrium {
namespace {

namespace fs = std::filesystem;
using testing::ChildProcess;

constexpr const char* kAdminPassword = "Correct-Horse-Battery-9";

std::string binary() {
  const char* dir = std::getenv("ATRIUM_BUILD_DIR");
  return std::string(dir ? dir : "build/dev") + "/atrium";
}

class Atrium {
 public:
  Atrium(const std::string& data_dir, std::vector<std::string> extra = {}, std::map<std::string, std::string> env = {})
      : data_dir_(data_dir) {
    auto port = testing::free_loopback_port();
    EXPECT_TRUE(port);
    port_ = *port;
    std::vector<std::string> argv = {binary(),        "serve",    "--data-dir",
                                     data_dir,        "--listen", "127.0.0.1:" + std::to_string(port_),
                                     "--console-dir", ""};
    argv.insert(argv.end(), extra.begin(), extra.end());
    fs::create_directories(data_dir);
    env.emplace("ATRIUM_METRICS_TOKEN", "scrape-token");
    env.emplace("ATRIUM_ADMIN_PASSWORD", kAdminPassword);
    auto p = ChildProcess::start(argv, env, data_dir + "/../atrium.log");
    EXPECT_TRUE(p) << p.error().message;
    process_ = std::move(*p);
  }
  // Polls /readyz until it answers 200 or the deadline passes.
  bool wait_ready(std::chrono::seconds deadline = std::chrono::seconds(30)) {
    auto until = std::chrono::steady_clock::now() + deadline;
    net::HttpClient c({.timeout = std::chrono::milliseconds(500)});
    while (std::chrono::steady_clock::now() < until) {
      if (!process_->running()) return false;
      auto r = c.request("GET", url("/readyz"));
      if (r && r->status == 200) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  std::string token() const {
    std::ifstream in(data_dir_ + "/admin.token");
    std::string t;
    in >> t;
    return t;
  }
  net::Headers auth() const {
    net::Headers h;
    h.add("Authorization", "Bearer " + token());
    h.add("Content-Type", "application/json");
    return h;
  }
  ChildProcess& process() { return *process_; }

 private:
  std::string data_dir_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

std::string workspace(const std::string& name, const std::string& rv = "", const std::string& display = "W") {
  std::string meta = "\"name\":\"" + name + "\"";
  if (!rv.empty()) meta += ",\"resourceVersion\":\"" + rv + "\"";
  return R"({"apiVersion":"tenant.atrium.io/v1","kind":"Workspace","metadata":{)" + meta +
         R"(},"spec":{"displayName":")" + display + R"("}})";
}

core::json::value body(const net::ClientResponse& r) {
  auto v = core::parse_json(r.body);
  EXPECT_TRUE(v) << r.body;
  return v ? *v : core::json::value();
}

class ServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("atrium-serve-test-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

// Concurrent writers with the same resourceVersion: exactly one wins, every other gets 409.
void expect_one_winner(Atrium& a) {
  net::HttpClient c;
  auto created = c.request("POST", a.url("/api/v1/workspaces"), a.auth(), workspace("contested"));
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201) << created->body;
  std::string rv(body(*created).at("metadata").at("resourceVersion").as_string());
  constexpr int kWriters = 16;
  std::atomic<int> ok{0}, conflict{0}, other{0};
  std::vector<std::thread> writers;
  for (int i = 0; i < kWriters; ++i) {
    writers.emplace_back([&, i] {
      net::HttpClient wc;
      auto r = wc.request("PUT", a.url("/api/v1/workspaces/contested"), a.auth(),
                          workspace("contested", rv, "writer-" + std::to_string(i)));
      if (r && r->status == 200)
        ok++;
      else if (r && r->status == 409 && body(*r).at("reason").as_string() == "Conflict")
        conflict++;
      else
        other++;
    });
  }
  for (auto& t : writers) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(conflict.load(), kWriters - 1);
  EXPECT_EQ(other.load(), 0);
}

TEST_F(ServeTest, PostgresStoreConcurrentWritersAndBadInput) {
  auto pg = testing::PostgresServer::start();
  ASSERT_TRUE(pg) << pg.error().message;
  Atrium a((dir_ / "data").string(), {"--store", (*pg)->url()});
  ASSERT_TRUE(a.wait_ready()) << a.process().log();
  expect_one_winner(a);

  net::HttpClient c;
  struct Case {
    std::string method, path, body;
    bool auth;
    int status;
  };
  for (const auto& k : std::vector<Case>{
           {"POST", "/api/v1/workspaces", "{\"metadata\":", true, 400},
           {"POST", "/api/v1/workspaces", R"({"metadata":{"name":"x"},"spec":{"nope":1}})", true, 422},
           {"POST", "/api/v1/workspaces", R"({"metadata":{"name":"UPPER"}})", true, 422},
           {"POST", "/api/v1/workspaces", workspace("contested"), true, 409},
           {"GET", "/api/v1/workspaces/absent", "", true, 404},
           {"GET", "/api/v1/nothing-here", "", true, 404},
           {"POST", "/api/v1/workspaces/contested", "{}", true, 405},
           {"GET", "/api/v1/workspaces", "", false, 401},
           {"GET", "/api/v1/workspaces?limit=abc", "", true, 400},
       }) {
    net::Headers h = k.auth ? a.auth() : net::Headers();
    auto r = c.request(k.method, a.url(k.path), h, k.body);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, k.status) << k.method << " " << k.path << " " << k.body << " -> " << r->body;
    EXPECT_EQ(body(*r).at("kind").as_string(), "Status");
    EXPECT_TRUE(r->headers.get("X-Request-Id"));
  }
  auto list = c.request("GET", a.url("/api/v1/workspaces"), a.auth());
  ASSERT_TRUE(list);
  EXPECT_EQ(body(*list).at("total").as_int64(), 1) << "a refused request wrote something";

  auto metrics = c.request("GET", a.url("/metrics"), [] {
    net::Headers h;
    h.add("Authorization", "Bearer scrape-token");
    return h;
  }());
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_NE(
      metrics->body.find("atrium_store_operation_duration_seconds_count{backend=\"postgres\",operation=\"update\""),
      std::string::npos);
  EXPECT_NE(metrics->body.find("atrium_process_resident_memory_bytes"), std::string::npos);
  EXPECT_NE(metrics->body.find("atrium_http_request_duration_seconds_bucket"), std::string::npos);

  EXPECT_EQ(a.process().signal_and_wait(SIGTERM, std::chrono::seconds(15)), 0) << a.process().log();
}

TEST_F(ServeTest, SqliteDefaultsServeAndShutDownGracefully) {
  Atrium a((dir_ / "data").string());
  ASSERT_TRUE(a.wait_ready()) << a.process().log();
  EXPECT_TRUE(fs::exists(dir_ / "data" / "atrium.db"));
  auto key_perms = fs::status(dir_ / "data" / "secret.key").permissions();
  EXPECT_EQ(key_perms & (fs::perms::group_all | fs::perms::others_all), fs::perms::none);
  expect_one_winner(a);
  net::HttpClient c;
  auto openapi = c.request("GET", a.url("/api/v1/openapi.json"));
  ASSERT_TRUE(openapi);
  EXPECT_EQ(openapi->status, 200);
  EXPECT_TRUE(body(*openapi).at("paths").as_object().contains("/api/v1/workspaces/{workspace}"));

  // The CLI against the running server: a table, then the server's message and a non-zero exit.
  std::map<std::string, std::string> env = {{"ATRIUM_TOKEN", a.token()},
                                            {"ATRIUM_CONFIG", (dir_ / "cli-config").string()}};
  auto listed = testing::run_command({binary(), "get", "/api/v1/workspaces", "--server", a.url("")}, env);
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->status, 0) << listed->output;
  EXPECT_NE(listed->output.find("contested"), std::string::npos) << listed->output;
  auto missing = testing::run_command({binary(), "get", "/api/v1/workspaces/absent", "--server", a.url("")}, env);
  ASSERT_TRUE(missing);
  EXPECT_NE(missing->status, 0);
  EXPECT_NE(missing->output.find("not found"), std::string::npos) << missing->output;

  EXPECT_EQ(a.process().signal_and_wait(SIGTERM, std::chrono::seconds(15)), 0) << a.process().log();
  EXPECT_NE(a.process().log().find("\"msg\":\"stopped\""), std::string::npos);
}

TEST_F(ServeTest, LoginSessionsAndTheAuditTrail) {
  Atrium a((dir_ / "data").string());
  ASSERT_TRUE(a.wait_ready()) << a.process().log();
  net::HttpClient c;
  net::Headers json;
  json.add("Content-Type", "application/json");
  auto wrong = c.request("POST", a.url("/api/v1/login"), json, R"({"username":"admin","password":"nope-nope-nope"})");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401) << wrong->body;
  auto unknown = c.request("POST", a.url("/api/v1/login"), json, R"({"username":"ghost","password":"nope-nope-nope"})");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 401);
  EXPECT_EQ(body(*unknown).at("message"), body(*wrong).at("message")) << "unknown users must look like wrong passwords";
  auto ok = c.request("POST", a.url("/api/v1/login"), json,
                      std::string(R"({"username":"admin","password":")") + kAdminPassword + R"("})");
  ASSERT_TRUE(ok);
  ASSERT_EQ(ok->status, 200) << ok->body;
  std::string token(body(*ok).at("token").as_string());
  EXPECT_NE(ok->headers.get("Set-Cookie").value_or("").find("HttpOnly"), std::string::npos);

  net::Headers session;
  session.add("Authorization", "Bearer " + token);
  session.add("Content-Type", "application/json");
  auto created = c.request("POST", a.url("/api/v1/workspaces"), session, workspace("merchant-platform"));
  ASSERT_TRUE(created);
  EXPECT_EQ(created->status, 201) << created->body;

  auto audit = c.request("GET", a.url("/api/v1/audit?limit=50"), session);
  ASSERT_TRUE(audit);
  ASSERT_EQ(audit->status, 200) << audit->body;
  // Newest first: the workspace creation, the successful login, then the two failures.
  std::string trail;
  const core::json::value events = body(*audit);
  for (const auto& e : events.at("items").as_array()) {
    trail += std::string(e.at("verb").as_string()) + ":" + std::string(e.at("outcome").as_string()) + " ";
  }
  EXPECT_NE(trail.find("create:success login:success login:failure login:failure"), std::string::npos) << trail;

  auto out = c.request("POST", a.url("/api/v1/logout"), session, "{}");
  ASSERT_TRUE(out);
  EXPECT_LT(out->status, 300) << out->body;
  auto after = c.request("GET", a.url("/api/v1/workspaces"), session);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 401) << "a logged-out session must not work";
}

// Journey 2 of the product story through the CLI: the admin creates a workspace and makes a lead its admin;
// the lead creates two projects and gives a developer operator in one and viewer in the other; the developer
// sees both, changes neither it may not, sees nothing of another workspace; an auditor sees every step.
TEST_F(ServeTest, TenancyJourneyThroughTheCli) {
  // The two clusters of the story are the project's real ones: `sandbox` is the local cluster, `production` the
  // second; each project is a namespace there, unique to this run.
  auto clusters = testing::kube_clusters();
  ASSERT_TRUE(clusters) << clusters.error().message;
  const std::string sandbox_project = testing::unique_namespace("merchant-sandbox");
  const std::string prod_project = testing::unique_namespace("merchant-prod");
  struct Cleanup {
    const testing::KubeClusters& c;
    std::vector<std::pair<std::string, std::string>> namespaces;  // kubeconfig, namespace
    ~Cleanup() {
      for (const auto& [kubeconfig, ns] : namespaces) {
        (void)testing::kubectl(c, kubeconfig, {"delete", "namespace", ns, "--wait=false", "--ignore-not-found"});
      }
    }
  } cleanup{*clusters, {{clusters->local_kubeconfig, sandbox_project}, {clusters->second_kubeconfig, prod_project}}};
  Atrium a((dir_ / "data").string());
  ASSERT_TRUE(a.wait_ready()) << a.process().log();
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return (dir_ / name).string();
  };
  // Runs the CLI as `who` (each user has their own CLI config); returns exit status and output.
  auto cli = [&](const std::string& who, std::vector<std::string> args, std::string password = "") {
    std::vector<std::string> argv = {binary(), "--server", a.url("")};
    argv.insert(argv.end(), args.begin(), args.end());
    std::map<std::string, std::string> env = {{"ATRIUM_CONFIG", (dir_ / ("cli-" + who)).string()}};
    if (!password.empty()) env["ATRIUM_PASSWORD"] = password;
    auto r = testing::run_command(argv, env);
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : testing::CommandResult{};
  };
  auto ok = [](const testing::CommandResult& r) { return r.status == 0; };
  const std::string pw = "Journey-Password-42";

  ASSERT_TRUE(ok(cli("admin", {"login", "-u", "admin"}, kAdminPassword)));
  for (const std::string user : {"lead", "dev", "auditor", "outsider"}) {
    auto f =
        write(user + ".json", R"({"apiVersion":"iam.atrium.io/v1","kind":"User","metadata":{"name":")" + user +
                                  R"("},"spec":{"email":")" + user + R"(@example.com","password":")" + pw + R"("}})");
    auto r = cli("admin", {"users", "create", "-f", f});
    ASSERT_TRUE(ok(r)) << r.output;
  }
  for (auto [name, kubeconfig] :
       {std::pair{"sandbox", clusters->local_kubeconfig}, std::pair{"production", clusters->second_kubeconfig}}) {
    auto r = cli("admin", {"clusters", "create", "-f",
                           write(std::string(name) + ".json",
                                 R"({"apiVersion":"cluster.atrium.io/v1","kind":"Cluster","metadata":{"name":")" +
                                     std::string(name) + R"("},"spec":{"kubeconfig":)" +
                                     testing::json_string(testing::read_text_file(kubeconfig)) + "}}")});
    ASSERT_TRUE(ok(r)) << r.output;
  }
  auto listed = cli("admin", {"clusters", "list"});
  ASSERT_TRUE(ok(listed)) << listed.output;
  EXPECT_NE(listed.output.find("Ready"), std::string::npos) << listed.output;
  ASSERT_TRUE(ok(cli("admin", {"platform-members", "create", "-f",
                               write("aud.json", R"({"user":"auditor","role":"platform-auditor"})")})));
  for (const std::string ws : {"merchant-platform", "other-team"}) {
    auto r = cli("admin",
                 {"workspaces", "create", "-f",
                  write(ws + ".json", R"({"apiVersion":"tenant.atrium.io/v1","kind":"Workspace","metadata":{"name":")" +
                                          ws + R"("},"spec":{"clusters":["sandbox","production","staging"]}})")});
    ASSERT_TRUE(ok(r)) << r.output;
  }
  auto lead_admin = cli("admin", {"members", "--workspace", "merchant-platform", "create", "-f",
                                  write("lead-m.json", R"({"user":"lead","role":"admin"})")});
  ASSERT_TRUE(ok(lead_admin)) << lead_admin.output;

  ASSERT_TRUE(ok(cli("lead", {"login", "-u", "lead"}, pw)));
  // A project on a cluster the workspace names but Atrium has not registered yet is refused: it could not be a
  // namespace.
  auto nowhere =
      cli("lead", {"projects", "--workspace", "merchant-platform", "create", "-f",
                   write("nowhere.json", R"({"metadata":{"name":"nowhere"},"spec":{"cluster":"staging"}})")});
  EXPECT_FALSE(ok(nowhere));
  EXPECT_NE(nowhere.output.find("not registered"), std::string::npos) << nowhere.output;
  for (auto [project, cluster] :
       std::vector<std::pair<std::string, std::string>>{{sandbox_project, "sandbox"}, {prod_project, "production"}}) {
    auto r =
        cli("lead",
            {"projects", "--workspace", "merchant-platform", "create", "-f",
             write(project + ".json", R"({"apiVersion":"tenant.atrium.io/v1","kind":"Project","metadata":{"name":")" +
                                          project + R"("},"spec":{"cluster":")" + cluster + R"("}})")});
    ASSERT_TRUE(ok(r)) << r.output;
  }
  auto op = cli("lead", {"project-members", "--workspace", "merchant-platform", "--project", sandbox_project, "create",
                         "-f", write("dev-op.json", R"({"user":"dev","role":"operator"})")});
  ASSERT_TRUE(ok(op)) << op.output;
  auto view = cli("lead", {"project-members", "--workspace", "merchant-platform", "--project", prod_project, "create",
                           "-f", write("dev-view.json", R"({"user":"dev","role":"viewer"})")});
  ASSERT_TRUE(ok(view)) << view.output;
  // The lead has nothing in another workspace.
  EXPECT_FALSE(ok(cli("lead", {"projects", "--workspace", "other-team", "list"})));

  ASSERT_TRUE(ok(cli("dev", {"login", "-u", "dev"}, pw)));
  auto dev_projects = cli("dev", {"projects", "--workspace", "merchant-platform", "list"});
  ASSERT_TRUE(ok(dev_projects)) << dev_projects.output;
  EXPECT_NE(dev_projects.output.find(sandbox_project), std::string::npos) << dev_projects.output;
  EXPECT_NE(dev_projects.output.find(prod_project), std::string::npos);
  auto dev_ws = cli("dev", {"workspaces", "list"});
  EXPECT_EQ(dev_ws.output.find("other-team"), std::string::npos) << dev_ws.output;
  auto denied = cli("dev", {"projects", "--workspace", "merchant-platform", "delete", prod_project});
  EXPECT_FALSE(ok(denied));
  EXPECT_NE(denied.output.find("may not"), std::string::npos) << denied.output;
  EXPECT_FALSE(ok(cli("dev", {"projects", "--workspace", "other-team", "list"})));
  EXPECT_FALSE(ok(cli("dev", {"project-members", "--workspace", "merchant-platform", "--project", prod_project,
                              "create", "-f", write("x.json", R"({"user":"outsider","role":"viewer"})")})));

  // The lead reads the audit log of their workspace, not the platform's; the developer reads neither.
  auto lead_audit = cli("lead", {"audit", "--workspace", "merchant-platform", "--limit", "200", "-o", "json"});
  ASSERT_TRUE(ok(lead_audit)) << lead_audit.output;
  EXPECT_NE(lead_audit.output.find(sandbox_project), std::string::npos) << lead_audit.output;
  EXPECT_EQ(lead_audit.output.find("other-team"), std::string::npos) << lead_audit.output;
  EXPECT_FALSE(ok(cli("lead", {"audit"})));
  EXPECT_FALSE(ok(cli("dev", {"audit", "--workspace", "merchant-platform"})));

  ASSERT_TRUE(ok(cli("outsider", {"login", "-u", "outsider"}, pw)));
  auto outsider_ws = cli("outsider", {"workspaces", "list"});
  EXPECT_EQ(outsider_ws.output.find("merchant-platform"), std::string::npos) << outsider_ws.output;
  EXPECT_FALSE(ok(cli("outsider", {"projects", "--workspace", "merchant-platform", "list"})));

  // A deleted user leaves nothing behind: a new user of the same name inherits no binding and no group.
  ASSERT_TRUE(ok(cli("admin", {"groups", "create", "-f",
                               write("g.json", R"({"apiVersion":"iam.atrium.io/v1","kind":"Group","metadata":)"
                                               R"({"name":"payments"},"spec":{"members":["outsider","dev"]}})")})));
  ASSERT_TRUE(ok(cli("lead", {"project-members", "--workspace", "merchant-platform", "--project", sandbox_project,
                              "create", "-f", write("o.json", R"({"user":"outsider","role":"viewer"})")})));
  ASSERT_TRUE(ok(cli("outsider", {"projects", "--workspace", "merchant-platform", "list"})));
  auto removed = cli("admin", {"users", "delete", "outsider"});
  ASSERT_TRUE(ok(removed)) << removed.output;
  ASSERT_TRUE(ok(cli("admin", {"users", "create", "-f", (dir_ / "outsider.json").string()})));
  ASSERT_TRUE(ok(cli("outsider", {"login", "-u", "outsider"}, pw)));
  EXPECT_FALSE(ok(cli("outsider", {"projects", "--workspace", "merchant-platform", "list"})));
  auto group = cli("admin", {"groups", "get", "payments", "-o", "json"});
  ASSERT_TRUE(ok(group)) << group.output;
  EXPECT_EQ(group.output.find("outsider"), std::string::npos) << group.output;
  EXPECT_NE(group.output.find("dev"), std::string::npos) << group.output;

  ASSERT_TRUE(ok(cli("auditor", {"login", "-u", "auditor"}, pw)));
  auto trail = cli("auditor", {"audit", "--limit", "200", "-o", "json"});
  ASSERT_TRUE(ok(trail)) << trail.output;
  for (const char* step : {"\"workspaces\"", "\"workspacemembers\"", "\"projects\"", "\"members\"", "\"denied\""}) {
    EXPECT_NE(trail.output.find(step), std::string::npos) << step;
  }
  auto auditor_write =
      cli("auditor", {"workspaces", "create", "-f", write("w3.json", R"({"metadata":{"name":"sneaky"}})")});
  EXPECT_FALSE(ok(auditor_write));
  EXPECT_FALSE(ok(cli("auditor", {"workspaces", "delete", "other-team"})));

  // Each project is a namespace on its cluster, labelled with its workspace.
  for (auto [kubeconfig, ns] :
       {std::pair{clusters->local_kubeconfig, sandbox_project}, std::pair{clusters->second_kubeconfig, prod_project}}) {
    auto label = testing::kubectl(*clusters, kubeconfig,
                                  {"get", "namespace", ns, "-o", "jsonpath={.metadata.labels.atrium\\.io/workspace}"});
    ASSERT_TRUE(label);
    EXPECT_EQ(label->output, "merchant-platform") << ns;
  }
  // A cluster that holds projects cannot be removed; once its project is gone, it can.
  auto in_use = cli("admin", {"clusters", "delete", "production"});
  EXPECT_FALSE(ok(in_use));
  EXPECT_NE(in_use.output.find("merchant-platform/" + prod_project), std::string::npos) << in_use.output;
  auto released = cli("lead", {"projects", "--workspace", "merchant-platform", "delete", prod_project});
  ASSERT_TRUE(ok(released)) << released.output;
  auto gone = cli("admin", {"clusters", "delete", "production"});
  EXPECT_TRUE(ok(gone)) << gone.output;
}

TEST_F(ServeTest, BadConfigurationIsRefusedNamingTheKey) {
  auto r = testing::run_command({binary(), "serve", "--data-dir", (dir_ / "d").string(), "--threads", "zero"}, {});
  ASSERT_TRUE(r);
  EXPECT_NE(r->status, 0);
  EXPECT_NE(r->output.find("threads"), std::string::npos) << r->output;
  std::ofstream(dir_ / "bad.yaml") << "listen: 127.0.0.1:0\nlimits:\n  maxBodyByte: 5\n";
  auto y = testing::run_command({binary(), "serve", "--config", (dir_ / "bad.yaml").string()}, {});
  ASSERT_TRUE(y);
  EXPECT_NE(y->status, 0);
  EXPECT_NE(y->output.find("limits.maxBodyByte"), std::string::npos) << y->output;
  auto env = testing::run_command({binary(), "serve"}, {{"ATRIUM_LISTEN", "nowhere"}});
  ASSERT_TRUE(env);
  EXPECT_NE(env->status, 0);
  EXPECT_NE(env->output.find("ATRIUM_LISTEN"), std::string::npos) << env->output;
}

// LDAP as an identity provider of the real binary: slapd refuses anything without TLS, atrium is configured
// through a YAML file (password in a file) to search-then-bind over StartTLS with the test CA.
TEST_F(ServeTest, LdapLoginOverStartTlsProvisionsUsersAndMapsGroups) {
  auto pki = testing::make_test_pki((dir_ / "pki").string());
  ASSERT_TRUE(pki) << pki.error().message;
  auto alice_pw = testing::LdapServer::hash_password("alice-Ldap-pass1");
  auto bob_pw = testing::LdapServer::hash_password("bob-Ldap-pass1");
  ASSERT_TRUE(alice_pw && bob_pw);
  const std::string people = "ou=people,dc=atrium,dc=test";
  const std::string groups = "ou=groups,dc=atrium,dc=test";
  std::string ldif = "dn: " + people + "\nobjectClass: organizationalUnit\nou: people\n\n" + "dn: " + groups +
                     "\nobjectClass: organizationalUnit\nou: groups\n\n"
                     "dn: uid=alice," +
                     people + "\nobjectClass: inetOrgPerson\nuid: alice\ncn: Alice Liddell\nsn: L\n" +
                     "mail: alice@example.com\nuserPassword: " + *alice_pw + "\n\n" + "dn: uid=bob," + people +
                     "\nobjectClass: inetOrgPerson\nuid: bob\ncn: Bob\nsn: B\nuserPassword: " + *bob_pw +
                     "\n\n"
                     // "clash" exists in the directory and as a local Atrium user.
                     "dn: uid=clash," +
                     people + "\nobjectClass: inetOrgPerson\nuid: clash\ncn: Clash\nsn: C\nuserPassword: " + *bob_pw +
                     "\n\n" + "dn: cn=auditors," + groups +
                     "\nobjectClass: groupOfNames\ncn: auditors\nmember: uid=alice," + people + "\n\n";
  auto ldap = testing::LdapServer::start({.ldif = ldif, .tls = *pki});
  ASSERT_TRUE(ldap) << ldap.error().message;

  const std::string bind_password = testing::LdapServer::kRootPassword;
  std::ofstream(dir_ / "ldap-bind.password") << bind_password << "\n";
  std::ofstream(dir_ / "atrium.yaml") << "ldap:\n  url: " << (*ldap)->url()
                                      << "\n  startTls: true\n  caFile: " << pki->ca_file
                                      << "\n  bindDn: " << testing::LdapServer::kRootDn
                                      << "\n  bindPasswordFile: " << (dir_ / "ldap-bind.password").string()
                                      << "\n  userBase: " << people
                                      << "\n  userFilter: \"(&(objectClass=inetOrgPerson)(uid=%s))\"\n  groupBase: "
                                      << groups << "\n  groupFilter: \"(&(objectClass=groupOfNames)(member=%s))\"\n";
  Atrium a((dir_ / "data").string(), {"--config", (dir_ / "atrium.yaml").string()});
  ASSERT_TRUE(a.wait_ready()) << a.process().log();

  net::HttpClient c;
  net::Headers json;
  json.add("Content-Type", "application/json");
  auto login = [&](const std::string& user, const std::string& password) {
    auto r = c.request("POST", a.url("/api/v1/login"), json,
                       R"({"username":")" + user + R"(","password":")" + password + R"("})");
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : net::ClientResponse{};
  };
  auto bearer = [](const std::string& token) {
    net::Headers h;
    h.add("Authorization", "Bearer " + token);
    h.add("Content-Type", "application/json");
    return h;
  };

  // A local user named like an LDAP entry, and an Atrium group mapped to an LDAP group that holds a role.
  const std::string local_pw = "Local-Clash-Password-7";
  auto clash = c.request("POST", a.url("/api/v1/users"), a.auth(),
                         R"({"apiVersion":"iam.atrium.io/v1","kind":"User","metadata":{"name":"clash"},)"
                         R"("spec":{"email":"clash@example.com","password":")" +
                             local_pw + R"("}})");
  ASSERT_TRUE(clash);
  ASSERT_EQ(clash->status, 201) << clash->body;
  auto group = c.request("POST", a.url("/api/v1/groups"), a.auth(),
                         R"({"apiVersion":"iam.atrium.io/v1","kind":"Group","metadata":{"name":"auditors"},)"
                         R"("spec":{"ldapGroup":"cn=auditors,ou=groups,dc=atrium,dc=test"}})");
  ASSERT_TRUE(group);
  ASSERT_EQ(group->status, 201) << group->body;
  auto bound =
      c.request("POST", a.url("/api/v1/members"), a.auth(), R"({"group":"auditors","role":"platform-auditor"})");
  ASSERT_TRUE(bound);
  ASSERT_LT(bound->status, 300) << bound->body;

  // First login of an LDAP user: 200 with a token, and a user provisioned with source ldap.
  auto alice = login("alice", "alice-Ldap-pass1");
  ASSERT_EQ(alice.status, 200) << alice.body << a.process().log();
  std::string alice_token(body(alice).at("token").as_string());
  ASSERT_FALSE(alice_token.empty());
  auto provisioned = c.request("GET", a.url("/api/v1/users/alice"), a.auth());
  ASSERT_TRUE(provisioned);
  ASSERT_EQ(provisioned->status, 200) << provisioned->body;
  const auto alice_doc = body(*provisioned);
  EXPECT_EQ(alice_doc.at("spec").at("source").as_string(), "ldap") << provisioned->body;
  EXPECT_EQ(alice_doc.at("spec").at("email").as_string(), "alice@example.com") << provisioned->body;
  // The LDAP group maps to the Atrium group: alice reads the audit log as a platform auditor; bob may not.
  auto alice_audit = c.request("GET", a.url("/api/v1/audit?limit=5"), bearer(alice_token));
  ASSERT_TRUE(alice_audit);
  EXPECT_EQ(alice_audit->status, 200) << alice_audit->body;
  auto bob = login("bob", "bob-Ldap-pass1");
  ASSERT_EQ(bob.status, 200) << bob.body;
  auto bob_audit =
      c.request("GET", a.url("/api/v1/audit?limit=5"), bearer(std::string(body(bob).at("token").as_string())));
  ASSERT_TRUE(bob_audit);
  EXPECT_EQ(bob_audit->status, 403) << bob_audit->body;

  // Wrong password and unknown user: 401 with the same answer; the second login of alice still works.
  auto wrong = login("alice", "not-alices-password");
  EXPECT_EQ(wrong.status, 401) << wrong.body;
  auto ghost = login("ghost", "whatever-password-1");
  EXPECT_EQ(ghost.status, 401) << ghost.body;
  EXPECT_EQ(body(ghost).at("message"), body(wrong).at("message"));
  EXPECT_EQ(login("alice", "alice-Ldap-pass1").status, 200);

  // The clash is refused, not merged: the directory's password does not log in as the local user, who stays local.
  auto clash_ldap = login("clash", "bob-Ldap-pass1");
  EXPECT_EQ(clash_ldap.status, 401) << clash_ldap.body;
  auto clash_doc = c.request("GET", a.url("/api/v1/users/clash"), a.auth());
  ASSERT_TRUE(clash_doc);
  ASSERT_EQ(clash_doc->status, 200);
  EXPECT_EQ(body(*clash_doc).at("spec").at("source").as_string(), "local") << clash_doc->body;
  EXPECT_FALSE(body(*clash_doc).at("spec").as_object().contains("ldapDN")) << clash_doc->body;
  EXPECT_EQ(login("clash", local_pw).status, 200);

  EXPECT_EQ(a.process().signal_and_wait(SIGTERM, std::chrono::seconds(15)), 0) << a.process().log();
  EXPECT_NE(a.process().log().find("\"msg\":\"LDAP directory\""), std::string::npos) << a.process().log();
  EXPECT_EQ(a.process().log().find(bind_password), std::string::npos) << "the bind password was logged";
}

// A directory that does not offer TLS: StartTLS fails and the login is refused (503), never sent in plaintext.
TEST_F(ServeTest, LdapStartTlsFailureRefusesTheLogin) {
  auto pw = testing::LdapServer::hash_password("carol-Ldap-pass1");
  ASSERT_TRUE(pw);
  auto ldap = testing::LdapServer::start(
      {.ldif = "dn: uid=carol,dc=atrium,dc=test\nobjectClass: inetOrgPerson\nuid: carol\ncn: C\nsn: C\n"
               "userPassword: " +
               *pw + "\n\n"});
  ASSERT_TRUE(ldap) << ldap.error().message;
  auto pki = testing::make_test_pki((dir_ / "pki").string());
  ASSERT_TRUE(pki) << pki.error().message;
  std::map<std::string, std::string> env = {{"ATRIUM_LDAP_URL", (*ldap)->url()},
                                            {"ATRIUM_LDAP_START_TLS", "true"},
                                            {"ATRIUM_LDAP_CA_FILE", pki->ca_file},
                                            {"ATRIUM_LDAP_USER_BASE", "dc=atrium,dc=test"}};
  Atrium a((dir_ / "data").string(), {}, env);
  ASSERT_TRUE(a.wait_ready()) << a.process().log();
  net::HttpClient c;
  net::Headers json;
  json.add("Content-Type", "application/json");
  auto r = c.request("POST", a.url("/api/v1/login"), json, R"({"username":"carol","password":"carol-Ldap-pass1"})");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503) << r->body;
  auto user = c.request("GET", a.url("/api/v1/users/carol"), a.auth());
  ASSERT_TRUE(user);
  EXPECT_EQ(user->status, 404) << "nobody is provisioned without a verified directory";
}

TEST_F(ServeTest, BadLdapConfigurationIsRefusedAtStart) {
  auto pki = testing::make_test_pki((dir_ / "pki").string());
  ASSERT_TRUE(pki) << pki.error().message;
  std::string data = (dir_ / "d").string();
  struct Case {
    std::map<std::string, std::string> env;
    std::string expect;
  };
  for (const auto& k : std::vector<Case>{
           {{{"ATRIUM_LDAP_URL", "ldaps://127.0.0.1:636"},
             {"ATRIUM_LDAP_START_TLS", "true"},
             {"ATRIUM_LDAP_USER_BASE", "dc=x"}},
            "ldap.startTls"},
           {{{"ATRIUM_LDAP_URL", "ldap://127.0.0.1:389"}}, "ldap.userBase"},
           {{{"ATRIUM_LDAP_URL", "ldap://127.0.0.1:389"},
             {"ATRIUM_LDAP_START_TLS", "true"},
             {"ATRIUM_LDAP_USER_BASE", "dc=x"},
             {"ATRIUM_LDAP_CA_FILE", (dir_ / "absent.pem").string()}},
            "ldap.caFile"},
           {{{"ATRIUM_LDAP_URL", "http://127.0.0.1"}}, "ATRIUM_LDAP_URL"},
       }) {
    auto r = testing::run_command({binary(), "serve", "--data-dir", data, "--listen", "127.0.0.1:0"}, k.env);
    ASSERT_TRUE(r);
    EXPECT_NE(r->status, 0) << k.expect;
    EXPECT_NE(r->output.find(k.expect), std::string::npos) << r->output;
  }
  // The bind password has no flag: it would be visible in the process list.
  auto flag = testing::run_command({binary(), "serve", "--data-dir", data, "--ldap-bind-password", "x"}, {});
  ASSERT_TRUE(flag);
  EXPECT_NE(flag->status, 0);
}

TEST_F(ServeTest, KeyRotationAndReencryption) {
  std::string data = (dir_ / "data").string();
  {
    Atrium a(data);
    ASSERT_TRUE(a.wait_ready()) << a.process().log();
  }
  std::map<std::string, std::string> env = {{"ATRIUM_DATA_DIR", data}};
  auto add = testing::run_command({binary(), "secrets", "add-key"}, env);
  ASSERT_TRUE(add);
  EXPECT_EQ(add->status, 0) << add->output;
  std::ifstream key(data + "/secret.key");
  int keys = 0;
  for (std::string line; std::getline(key, line);) keys += !line.empty() && line[0] != '#';
  EXPECT_EQ(keys, 2);
  auto re = testing::run_command({binary(), "secrets", "reencrypt"}, env);
  ASSERT_TRUE(re);
  EXPECT_EQ(re->status, 0) << re->output;
  EXPECT_NE(re->output.find("re-sealed"), std::string::npos) << re->output;
}

}  // namespace
}  // namespace atrium
