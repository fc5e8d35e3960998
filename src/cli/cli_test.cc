#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "cli/api_client.h"
#include "cli/client_config.h"
#include "cli/commands.h"
#include "cli/output.h"

namespace atrium::cli {
namespace {

namespace fs = std::filesystem;
namespace json = core::json;
using core::ErrorCode;
using ::testing::HasSubstr;
using ::testing::Not;

json::value parse(std::string_view text) {
  auto v = core::parse_json(text);
  EXPECT_TRUE(v) << text;
  return v ? *v : json::value();
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "atrium-cli-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

mode_t file_mode(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0);
  return st.st_mode & 07777;
}

void write_file(const fs::path& p, std::string_view text, mode_t mode) {
  std::ofstream(p) << text;
  ASSERT_EQ(::chmod(p.c_str(), mode), 0);
}

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  for (std::string line; std::getline(ss, line);) out.push_back(line);
  return out;
}

// ---- output ----

const std::vector<Column> kColumns = {
    {"", "metadata.name"}, {"PHASE", "status.phase"}, {"Created", "metadata.creationTimestamp"}};

TEST(Output, TableIsAlignedWithUpperCaseHeaders) {
  auto v = parse(R"({"items":[
      {"metadata":{"name":"alpha","creationTimestamp":"2026-01-02T03:04:05Z"},"status":{"phase":"Active"}},
      {"metadata":{"name":"b","creationTimestamp":"2026-01-03T00:00:00Z"},"status":{"phase":"Terminating"}}],
      "total":2})");
  EXPECT_EQ(render_table(v, kColumns),
            "NAME    PHASE         CREATED\n"
            "alpha   Active        2026-01-02T03:04:05Z\n"
            "b       Terminating   2026-01-03T00:00:00Z\n");
}

TEST(Output, SingleObjectIsOneRow) {
  auto v = parse(R"({"metadata":{"name":"alpha"},"status":{"phase":"Active"}})");
  EXPECT_EQ(render_table(v, kColumns), "NAME    PHASE    CREATED\nalpha   Active   -\n");
}

TEST(Output, MissingNullAndWrongTypeFieldsShowDash) {
  auto v = parse(R"({"items":[{"metadata":{"name":null}},{"metadata":"oops"},{},
                               {"metadata":{"name":""},"status":{"phase":3}}]})");
  EXPECT_EQ(render_table(v, {{"", "metadata.name"}, {"", "status.phase"}}),
            "NAME   PHASE\n-      -\n-      -\n-      -\n-      3\n");
}

TEST(Output, NonStringValuesAreCompactJson) {
  auto v = parse(R"({"a":true,"b":[1,2],"c":{"d":"x"},"f":1.5,"i":-7})");
  EXPECT_EQ(render_table(v, {{"", "a"}, {"", "b"}, {"", "c"}, {"", "f"}, {"", "i"}}),
            "A      B       C           F     I\ntrue   [1,2]   {\"d\":\"x\"}   1.5   -7\n");
}

TEST(Output, HostileValuesCannotBreakTheTable) {
  auto v = parse(R"({"items":[
      {"metadata":{"name":"evil\nNAME   fake-row\r\u001b[31mred\t\u0007"}},
      {"metadata":{"name":"c1\u009b2Jcontrol"}},
      {"metadata":{"name":"ok"}}]})");
  std::string table = render_table(v, {{"", "metadata.name"}, {"", "status.phase"}});
  auto rows = lines(table);
  ASSERT_EQ(rows.size(), 4u) << table;
  EXPECT_EQ(rows[1], "evil\\nNAME   fake-row\\r\\x1b[31mred\\t\\x07   -");
  EXPECT_EQ(rows[2].substr(0, 16), "c1\\u009b2Jcontro");
  EXPECT_EQ(table.find('\x1b'), std::string::npos);
  EXPECT_EQ(table.find("\xc2\x9b"), std::string::npos);
  // Every row's second column starts at the same position.
  EXPECT_EQ(rows[0].find("PHASE"), rows[3].find("-"));
}

TEST(Output, LongCellsAreCutAndUtf8AlignsByCodePoint) {
  auto v = parse(R"({"items":[{"metadata":{"name":"héllo"}},{"metadata":{"name":"plain"}}]})");
  EXPECT_EQ(render_table(v, {{"", "metadata.name"}, {"X", "x"}}), "NAME    X\nhéllo   -\nplain   -\n");

  json::object long_one{{"name", std::string(5000, 'x')}};
  auto row = lines(render_table(long_one, {{"", "name"}}))[1];
  EXPECT_EQ(row.size(), kMaxCellWidth);
  EXPECT_EQ(row.substr(row.size() - 3), "...");

  std::string t = render_table(json::object{{"name", std::string(119, 'x') + "\xc3\xa9\xc3\xa9"}}, {{"", "name"}});
  EXPECT_EQ(lines(t)[1], std::string(117, 'x') + "...");
}

TEST(Output, EmptyListRendersNothing) { EXPECT_EQ(render_table(parse(R"({"items":[],"total":0})"), kColumns), ""); }

TEST(Output, FindPathFollowsKeysAndIndexes) {
  auto v = parse(R"({"spec":{"containers":[{"image":"a"},{"image":"b"}]}})");
  ASSERT_NE(find_path(v, "spec.containers[1].image"), nullptr);
  EXPECT_EQ(find_path(v, "spec.containers[1].image")->as_string(), "b");
  EXPECT_EQ(find_path(v, "spec.containers[2].image"), nullptr);
  EXPECT_EQ(find_path(v, "spec.containers[x]"), nullptr);
  EXPECT_EQ(find_path(v, "spec.containers[99999999999999999999]"), nullptr);
  EXPECT_EQ(find_path(v, "spec.containers.image"), nullptr);
  EXPECT_EQ(find_path(v, "spec[0]"), nullptr);
  EXPECT_EQ(find_path(v, "nope.deeper"), nullptr);
}

TEST(Output, PrettyJsonKeepsOrderAndReadsBack) {
  auto v = parse(R"({"z":1,"a":{"list":[1,"two",null],"empty":{},"none":[]},"s":"x\"y"})");
  std::string out = render_json(v);
  EXPECT_EQ(out,
            "{\n"
            "  \"z\": 1,\n"
            "  \"a\": {\n"
            "    \"list\": [\n"
            "      1,\n"
            "      \"two\",\n"
            "      null\n"
            "    ],\n"
            "    \"empty\": {},\n"
            "    \"none\": []\n"
            "  },\n"
            "  \"s\": \"x\\\"y\"\n"
            "}\n");
  EXPECT_EQ(parse(out), v);
}

TEST(Output, YamlKeepsOrderAndQuotesAmbiguousStrings) {
  auto v = parse(R"({"zeta":"true","alpha":{"num":123,"n":"n","s":"123","b":false,"yes":"no","e":"","nil":null,
                     "date":"2026-01-02","line":"a\nb","esc":"\u001b[2J","plain":"hello world"},
                     "items":[{"name":"a"}],"empty":[],"obj":{}})");
  std::string out = render_yaml(v);
  EXPECT_LT(out.find("zeta"), out.find("alpha")) << out;
  EXPECT_LT(out.find("alpha"), out.find("items")) << out;
  EXPECT_THAT(out, HasSubstr("zeta: \"true\"\n"));
  EXPECT_THAT(out, HasSubstr("  num: 123\n"));
  EXPECT_THAT(out, HasSubstr("  \"n\": \"n\"\n"));
  EXPECT_THAT(out, HasSubstr("  s: \"123\"\n"));
  EXPECT_THAT(out, HasSubstr("  b: false\n"));
  EXPECT_THAT(out, HasSubstr("  \"yes\": \"no\"\n"));
  EXPECT_THAT(out, HasSubstr("  plain: hello world\n"));
  EXPECT_THAT(out, HasSubstr("empty: []"));
  EXPECT_THAT(out, HasSubstr("obj: {}"));
  EXPECT_EQ(out.find('\x1b'), std::string::npos) << out;

  YAML::Node back = YAML::Load(out);
  EXPECT_EQ(back["zeta"].as<std::string>(), "true");
  EXPECT_EQ(back["zeta"].Tag(), "!");  // quoted: a string, not a bool
  EXPECT_EQ(back["alpha"]["line"].as<std::string>(), "a\nb");
  EXPECT_EQ(back["alpha"]["esc"].as<std::string>(), "\x1b[2J");
  EXPECT_EQ(back["alpha"]["e"].as<std::string>(), "");
  EXPECT_TRUE(back["alpha"]["nil"].IsNull());
  EXPECT_EQ(back["alpha"]["date"].Tag(), "!");
  EXPECT_EQ(back["items"][0]["name"].as<std::string>(), "a");
}

TEST(Output, OutputFormatNames) {
  EXPECT_EQ(*parse_output_format(""), OutputFormat::Table);
  EXPECT_EQ(*parse_output_format("table"), OutputFormat::Table);
  EXPECT_EQ(*parse_output_format("json"), OutputFormat::Json);
  EXPECT_EQ(*parse_output_format("yaml"), OutputFormat::Yaml);
  auto bad = parse_output_format("xml\n");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::InvalidArgument);
  EXPECT_THAT(bad.error().message, HasSubstr("xml\\n"));
  EXPECT_THAT(bad.error().message, HasSubstr("table, json or yaml"));
}

// ---- config ----

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(ClientConfig, PathRespectsOverridesInOrder) {
  EXPECT_EQ(*client_config_path(env_of({{"HOME", "/h"}})), fs::path("/h/.config/atrium/config"));
  EXPECT_EQ(*client_config_path(env_of({{"HOME", "/h"}, {"XDG_CONFIG_HOME", "/x"}})), fs::path("/x/atrium/config"));
  EXPECT_EQ(*client_config_path(env_of({{"HOME", "/h"}, {"XDG_CONFIG_HOME", "/x"}, {"ATRIUM_CONFIG", "/c.json"}})),
            fs::path("/c.json"));
  EXPECT_EQ(*client_config_path(env_of({{"HOME", "/h"}, {"XDG_CONFIG_HOME", ""}})),
            fs::path("/h/.config/atrium/config"));
  auto none = client_config_path(env_of({}));
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, ErrorCode::FailedPrecondition);
}

TEST(ClientConfig, SaveLoadRoundTripWithPrivateModes) {
  TempDir dir;
  auto path = dir.path() / "xdg" / "atrium" / "config";
  ClientConfig c{"https://atrium.example.com", "tok-123", "/etc/ca.pem", true};
  ASSERT_TRUE(save_client_config(path, c));
  EXPECT_EQ(file_mode(path), 0600u);
  EXPECT_EQ(file_mode(path.parent_path()), 0700u);
  EXPECT_EQ(file_mode(path.parent_path().parent_path()), 0700u);
  auto loaded = load_client_config(path);
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(*loaded, c);

  c.token = "tok-456";
  c.insecure_skip_tls_verify = false;
  ASSERT_TRUE(save_client_config(path, c));
  EXPECT_EQ(*load_client_config(path), c);
  EXPECT_EQ(std::distance(fs::directory_iterator(path.parent_path()), fs::directory_iterator()), 1);
}

TEST(ClientConfig, MissingFileIsEmptyConfig) {
  TempDir dir;
  auto loaded = load_client_config(dir.path() / "nope");
  ASSERT_TRUE(loaded);
  EXPECT_EQ(*loaded, ClientConfig{});
}

TEST(ClientConfig, GroupOrWorldReadableFileIsRefused) {
  TempDir dir;
  auto path = dir.path() / "config";
  ASSERT_TRUE(save_client_config(path, ClientConfig{"https://a.example", "secret-token", "", false}));
  for (mode_t mode : {0644, 0640, 0604, 0666}) {
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
    auto loaded = load_client_config(path);
    ASSERT_FALSE(loaded);
    EXPECT_EQ(loaded.error().code, ErrorCode::FailedPrecondition);
    EXPECT_THAT(loaded.error().message, HasSubstr(path.string()));
    EXPECT_THAT(loaded.error().message, HasSubstr("chmod 600"));
    EXPECT_THAT(loaded.error().message, Not(HasSubstr("secret-token")));
  }
}

TEST(ClientConfig, MalformedFilesGiveClearErrors) {
  TempDir dir;
  auto path = dir.path() / "config";
  struct Case {
    std::string text;
    std::string expect;
  };
  for (const auto& c : std::vector<Case>{
           {"", "invalid JSON"},
           {"{\"server\": ", "truncated"},
           {"server: https://x", "invalid JSON"},
           {"[1,2]", "expected a JSON object"},
           {R"({"server": 42})", "\"server\" must be a string"},
           {R"({"token": ["x"]})", "\"token\" must be a string"},
           {R"({"insecureSkipTlsVerify": "yes"})", "must be true or false"},
           {R"({"server": "ftp://x"})", "http:// or https://"},
           {R"({"server": "https://user:pw@x"})", "user info"},
           {std::string(1000, '[') + std::string(1000, ']'), "nesting"},
           {std::string("\xff\xfe\x00{", 4), "invalid JSON"},
       }) {
    write_file(path, c.text, 0600);
    auto loaded = load_client_config(path);
    ASSERT_FALSE(loaded) << c.text;
    EXPECT_EQ(loaded.error().code, ErrorCode::InvalidArgument) << loaded.error().message;
    EXPECT_THAT(loaded.error().message, HasSubstr("config file " + path.string()));
    EXPECT_THAT(loaded.error().message, HasSubstr(c.expect));
  }
  write_file(path, std::string(kMaxConfigBytes + 1, ' '), 0600);
  auto big = load_client_config(path);
  ASSERT_FALSE(big);
  EXPECT_EQ(big.error().code, ErrorCode::FailedPrecondition);

  fs::remove(path);
  fs::create_directory(path);
  auto directory = load_client_config(path);
  ASSERT_FALSE(directory);
  EXPECT_THAT(directory.error().message, HasSubstr("not a regular file"));
}

TEST(ClientConfig, UnknownKeysAreIgnored) {
  auto c = client_config_from_json(parse(R"({"server":"https://a.example/","future":{"x":1}})"));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->server, "https://a.example");
}

TEST(ClientConfig, ServerUrlNormalization) {
  EXPECT_EQ(*normalize_server_url("https://a.example:8443/"), "https://a.example:8443");
  EXPECT_EQ(*normalize_server_url("http://127.0.0.1:8080/prefix//"), "http://127.0.0.1:8080/prefix");
  for (std::string_view bad : {"", "a.example", "https://", "https:///x", "https://a b", "https://a\n", "https://a?x=1",
                               "https://a#f", "file:///etc/passwd", "https://u@a"}) {
    EXPECT_FALSE(normalize_server_url(bad)) << bad;
  }
}

// ---- API client ----

struct Recorded {
  std::string method;
  std::string url;
  net::Headers headers;
  std::string body;
};

// A transport answering from a queue of canned responses and recording the requests.
struct FakeServer {
  std::vector<Recorded> requests;
  std::vector<core::Result<net::ClientResponse>> responses;

  void respond(int status, std::string body) { responses.push_back(net::ClientResponse{status, {}, std::move(body)}); }
  void fail(core::Error e) { responses.push_back(tl::unexpected(std::move(e))); }

  Transport transport() {
    return [this](std::string_view method, const std::string& url, const net::Headers& headers,
                  std::string_view body) -> core::Result<net::ClientResponse> {
      requests.push_back({std::string(method), url, headers, std::string(body)});
      if (responses.empty()) return net::ClientResponse{500, {}, "no canned response"};
      auto r = std::move(responses.front());
      responses.erase(responses.begin());
      return r;
    };
  }
};

TEST(ApiClient, SendsBearerTokenAndJson) {
  FakeServer server;
  server.respond(201, R"({"metadata":{"name":"w1"}})");
  ApiClient client({.server = "https://a.example", .token = "tok"}, server.transport());
  auto v = client.post("/api/v1/workspaces", parse(R"({"metadata":{"name":"w1"}})"));
  ASSERT_TRUE(v) << v.error().message;
  EXPECT_EQ(find_path(*v, "metadata.name")->as_string(), "w1");
  ASSERT_EQ(server.requests.size(), 1u);
  const auto& r = server.requests[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url, "https://a.example/api/v1/workspaces");
  EXPECT_EQ(r.headers.get("authorization").value_or(""), "Bearer tok");
  EXPECT_EQ(r.headers.get("content-type").value_or(""), "application/json");
  EXPECT_EQ(parse(r.body), parse(R"({"metadata":{"name":"w1"}})"));
}

TEST(ApiClient, VerbsAndEmptyBodies) {
  FakeServer server;
  server.respond(204, "");
  server.respond(200, "{}");
  server.respond(200, "{}");
  ApiClient client({.server = "http://127.0.0.1:1"}, server.transport());
  auto deleted = client.del("/api/v1/users/u");
  ASSERT_TRUE(deleted);
  EXPECT_TRUE(deleted->is_null());
  ASSERT_TRUE(client.patch("/api/v1/users/u", json::object{{"a", 1}}));
  ASSERT_TRUE(client.put("/api/v1/users/u", json::object{{"a", 1}}));
  EXPECT_EQ(server.requests[0].method, "DELETE");
  EXPECT_FALSE(server.requests[0].headers.get("authorization"));
  EXPECT_EQ(server.requests[1].method, "PATCH");
  EXPECT_EQ(server.requests[1].headers.get("content-type").value_or(""), "application/merge-patch+json");
  EXPECT_EQ(server.requests[2].method, "PUT");
}

TEST(ApiClient, ErrorsCarryTheServersMessage) {
  FakeServer server;
  core::Error invalid(ErrorCode::InvalidArgument, "workspace is invalid", {{"metadata.name", "must be lowercase"}});
  server.respond(404, core::status_body(core::Error(ErrorCode::NotFound, "workspace \"w9\" not found")));
  server.respond(422, core::status_body(invalid));
  server.respond(502, "<html>bad gateway</html>");
  server.respond(200, "not json");
  server.fail(core::Error(ErrorCode::Unavailable, "connection refused"));
  ApiClient client({.server = "https://a.example"}, server.transport());

  auto nf = client.get("/api/v1/workspaces/w9");
  ASSERT_FALSE(nf);
  EXPECT_EQ(nf.error().code, ErrorCode::NotFound);
  EXPECT_EQ(nf.error().message, "workspace \"w9\" not found");

  auto inv = client.post("/api/v1/workspaces", json::object{});
  ASSERT_FALSE(inv);
  EXPECT_EQ(inv.error().code, ErrorCode::InvalidArgument);
  ASSERT_EQ(inv.error().causes.size(), 1u);
  EXPECT_EQ(inv.error().causes[0].field, "metadata.name");

  auto gw = client.get("/x");
  ASSERT_FALSE(gw);
  EXPECT_THAT(gw.error().message, HasSubstr("bad gateway"));

  auto garbage = client.get("/x");
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error().code, ErrorCode::Internal);
  EXPECT_THAT(garbage.error().message, HasSubstr("not JSON"));

  auto down = client.get("/x");
  ASSERT_FALSE(down);
  EXPECT_EQ(down.error().code, ErrorCode::Unavailable);
  EXPECT_THAT(down.error().message, HasSubstr("https://a.example/x"));
}

TEST(ApiClient, RefusesPathsThatAreNotServerPaths) {
  FakeServer server;
  ApiClient client({.server = "https://a.example", .token = "tok"}, server.transport());
  for (std::string_view bad : {"", "api/v1", "https://evil.example/x", "//evil.example/x", "/a b", "/a\nb", "/a#f"}) {
    auto r = client.get(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument);
  }
  EXPECT_TRUE(server.requests.empty());
  ApiClient unconfigured({}, server.transport());
  auto r = unconfigured.get("/x");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::FailedPrecondition);
}

TEST(ApiClient, EncodePathSegment) {
  EXPECT_EQ(encode_path_segment("alice"), "alice");
  EXPECT_EQ(encode_path_segment("a.b-c_d~"), "a.b-c_d~");
  EXPECT_EQ(encode_path_segment("a/b?c#d e%"), "a%2Fb%3Fc%23d%20e%25");
  EXPECT_EQ(encode_path_segment(".."), "%2E%2E");
  EXPECT_EQ(encode_path_segment("."), "%2E");
  EXPECT_EQ(encode_path_segment("é"), "%C3%A9");
}

// ---- commands ----

// One CLI run against a fake server, with its own config file.
class CliRun : public ::testing::Test {
 protected:
  CliRun() : ctx_(out_, err_, [this](std::string_view n) { return env(n); }) {
    vars_["ATRIUM_CONFIG"] = (dir_.path() / "atrium" / "config").string();
    ctx_.make_client = [this](ApiClientOptions o) {
      options_ = o;
      return std::make_unique<ApiClient>(std::move(o), server_.transport());
    };
  }

  std::optional<std::string> env(std::string_view name) const {
    auto it = vars_.find(std::string(name));
    if (it == vars_.end()) return std::nullopt;
    return it->second;
  }

  int run(std::vector<std::string> args) {
    out_.str("");
    err_.str("");
    ctx_.server_flag.clear();  // one parse per process in real use; CLI11 leaves unset options untouched
    ctx_.output_flag.clear();
    CLI::App app{"Atrium", "atrium"};
    add_commands(app, ctx_);
    add_resource_commands(app, ctx_,
                          {.name = "workspaces",
                           .path = "/api/v1/workspaces",
                           .columns = {{"NAME", "metadata.name"}, {"MANAGER", "spec.manager"}},
                           .aliases = {"ws"}});
    add_resource_commands(app, ctx_,
                          {.name = "projects",
                           .path = "/api/v1/workspaces/{workspace}/projects",
                           .columns = {{"NAME", "metadata.name"}}});
    return run_cli(app, ctx_, std::move(args));
  }

  void configure(const std::string& server, const std::string& token) {
    ASSERT_TRUE(save_client_config(vars_["ATRIUM_CONFIG"], ClientConfig{server, token, "", false}));
  }

  TempDir dir_;
  std::map<std::string, std::string> vars_;
  std::ostringstream out_;
  std::ostringstream err_;
  FakeServer server_;
  ApiClientOptions options_;
  CliContext ctx_;
};

TEST_F(CliRun, GetPrintsTableFromConfiguredServer) {
  configure("https://a.example", "tok");
  server_.respond(200, R"({"items":[{"metadata":{"name":"w1","creationTimestamp":"2026-01-01T00:00:00Z"}}],
                           "total":3})");
  EXPECT_EQ(run({"get", "/api/v1/workspaces"}), kExitOk) << err_.str();
  EXPECT_EQ(out_.str(), "NAME   CREATED\nw1     2026-01-01T00:00:00Z\n");
  EXPECT_THAT(err_.str(), HasSubstr("1 of 3 shown"));
  EXPECT_EQ(server_.requests.at(0).url, "https://a.example/api/v1/workspaces");
  EXPECT_EQ(options_.token, "tok");
}

TEST_F(CliRun, OutputOptionWorksBeforeOrAfterTheSubcommand) {
  configure("https://a.example", "tok");
  server_.respond(200, R"({"metadata":{"name":"w1"}})");
  server_.respond(200, R"({"metadata":{"name":"w1"}})");
  EXPECT_EQ(run({"get", "/api/v1/workspaces/w1", "-o", "json"}), kExitOk) << err_.str();
  EXPECT_EQ(parse(out_.str()), parse(R"({"metadata":{"name":"w1"}})"));
  EXPECT_EQ(run({"--output=yaml", "get", "/api/v1/workspaces/w1"}), kExitOk) << err_.str();
  EXPECT_EQ(out_.str(), "metadata:\n  name: w1\n");
}

TEST_F(CliRun, GetWithCustomColumnsAndNonResourceFallback) {
  configure("https://a.example", "");
  server_.respond(200, R"({"metadata":{"name":"w1"},"status":{"phase":"Active"}})");
  server_.respond(200, R"({"version":"1.2.3"})");
  EXPECT_EQ(run({"get", "/api/v1/workspaces/w1", "--columns", "N=metadata.name,status.phase"}), kExitOk);
  EXPECT_EQ(out_.str(), "N    PHASE\nw1   Active\n");
  EXPECT_EQ(run({"get", "/version"}), kExitOk);
  EXPECT_EQ(out_.str(), "version: \"1.2.3\"\n");
}

TEST_F(CliRun, UnknownOutputFormatIsAUsageError) {
  configure("https://a.example", "tok");
  EXPECT_EQ(run({"get", "/x", "-o", "xml"}), kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("table, json or yaml"));
  EXPECT_TRUE(server_.requests.empty());
}

TEST_F(CliRun, UsageErrors) {
  EXPECT_EQ(run({"frobnicate"}), kExitUsage);
  EXPECT_EQ(run({"get"}), kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("PATH"));
  EXPECT_EQ(run({"config"}), kExitUsage);
  EXPECT_EQ(run({"projects", "list"}), kExitUsage);
  EXPECT_THAT(err_.str(), HasSubstr("--workspace"));
  EXPECT_EQ(run({"workspaces", "list", "--limit", "0"}), kExitUsage);
  EXPECT_TRUE(server_.requests.empty());
  EXPECT_EQ(run({"--help"}), kExitOk);
  EXPECT_THAT(out_.str(), HasSubstr("config"));
}

TEST_F(CliRun, ServerErrorsGoToStderrWithNonZeroExit) {
  configure("https://a.example", "tok");
  server_.respond(
      403, core::status_body(core::Error(ErrorCode::PermissionDenied, "user \"bob\" cannot list workspaces\x1b[2J")));
  EXPECT_EQ(run({"get", "/api/v1/workspaces"}), kExitFailure);
  EXPECT_EQ(out_.str(), "");
  EXPECT_EQ(err_.str(), "error: user \"bob\" cannot list workspaces\\x1b[2J\n");

  core::Error invalid(ErrorCode::InvalidArgument, "invalid workspace", {{"metadata.name", "too long"}});
  server_.respond(422, core::status_body(invalid));
  EXPECT_EQ(run({"workspaces", "get", "w"}), kExitFailure);
  EXPECT_EQ(err_.str(), "error: invalid workspace\n  metadata.name: too long\n");
}

TEST_F(CliRun, NoServerConfigured) {
  EXPECT_EQ(run({"get", "/api/v1/workspaces"}), kExitFailure);
  EXPECT_THAT(err_.str(), HasSubstr("no server configured"));
  EXPECT_THAT(err_.str(), HasSubstr("config set-server"));
}

TEST_F(CliRun, ServerPrecedenceAndTokenScope) {
  configure("https://saved.example", "saved-token");
  for (int i = 0; i < 4; ++i) server_.respond(200, "{}");

  EXPECT_EQ(run({"get", "/x"}), kExitOk);
  EXPECT_EQ(options_.server, "https://saved.example");
  EXPECT_EQ(options_.token, "saved-token");

  vars_["ATRIUM_SERVER"] = "https://env.example";
  EXPECT_EQ(run({"get", "/x"}), kExitOk);
  EXPECT_EQ(options_.server, "https://env.example");
  EXPECT_EQ(options_.token, "") << "the saved token must not go to another server";

  EXPECT_EQ(run({"--server", "https://saved.example/", "get", "/x"}), kExitOk);
  EXPECT_EQ(options_.server, "https://saved.example");
  EXPECT_EQ(options_.token, "saved-token");

  vars_["ATRIUM_TOKEN"] = "env-token";
  EXPECT_EQ(run({"get", "/x", "--server", "https://flag.example"}), kExitOk);
  EXPECT_EQ(options_.server, "https://flag.example");
  EXPECT_EQ(options_.token, "env-token");
}

TEST_F(CliRun, WorldReadableConfigStopsCommands) {
  configure("https://a.example", "tok");
  ASSERT_EQ(::chmod(vars_["ATRIUM_CONFIG"].c_str(), 0644), 0);
  EXPECT_EQ(run({"get", "/x"}), kExitFailure);
  EXPECT_THAT(err_.str(), HasSubstr("chmod 600"));
  EXPECT_TRUE(server_.requests.empty());
}

TEST_F(CliRun, ConfigSetServerAndViewMasksToken) {
  EXPECT_EQ(run({"config", "set-server", "https://a.example/"}), kExitOk) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("https://a.example"));
  EXPECT_EQ(file_mode(vars_["ATRIUM_CONFIG"]), 0600u);
  EXPECT_EQ(file_mode(fs::path(vars_["ATRIUM_CONFIG"]).parent_path()), 0700u);

  auto saved = *load_client_config(vars_["ATRIUM_CONFIG"]);
  saved.token = "super-secret-token";
  ASSERT_TRUE(save_client_config(vars_["ATRIUM_CONFIG"], saved));

  EXPECT_EQ(run({"config", "view"}), kExitOk);
  EXPECT_EQ(out_.str(), "server: https://a.example\ntoken: \"******\"\n");
  EXPECT_EQ(run({"config", "view", "-o", "json"}), kExitOk);
  EXPECT_EQ(parse(out_.str()), parse(R"({"server":"https://a.example","token":"******"})"));
  EXPECT_THAT(out_.str(), Not(HasSubstr("super-secret")));

  // Same server keeps the token; another server drops it.
  EXPECT_EQ(run({"config", "set-server", "https://a.example"}), kExitOk);
  EXPECT_EQ(load_client_config(vars_["ATRIUM_CONFIG"])->token, "super-secret-token");
  EXPECT_EQ(run({"config", "set-server", "http://b.example:8080", "--insecure-skip-tls-verify"}), kExitOk);
  EXPECT_EQ(load_client_config(vars_["ATRIUM_CONFIG"])->token, "");
  EXPECT_TRUE(load_client_config(vars_["ATRIUM_CONFIG"])->insecure_skip_tls_verify);
  EXPECT_THAT(err_.str(), HasSubstr("removed"));
  EXPECT_THAT(err_.str(), HasSubstr("unencrypted"));

  EXPECT_EQ(run({"config", "set-server", "not a url"}), kExitFailure);
  EXPECT_THAT(err_.str(), HasSubstr("http:// or https://"));
  EXPECT_EQ(run({"config", "set-server", "https://c.example", "--ca-file", "/nonexistent/ca.pem"}), kExitFailure);
  EXPECT_THAT(err_.str(), HasSubstr("--ca-file"));
}

TEST_F(CliRun, VersionWithAndWithoutServer) {
  EXPECT_EQ(run({"version"}), kExitOk);
  EXPECT_EQ(out_.str(), "Client Version: " + std::string(client_version()) + "\n");
  EXPECT_THAT(err_.str(), HasSubstr("no server configured"));

  configure("https://a.example", "tok");
  server_.respond(200, R"({"version":"9.9.9","commit":"abc"})");
  EXPECT_EQ(run({"version"}), kExitOk);
  EXPECT_EQ(out_.str(), "Client Version: " + std::string(client_version()) + "\nServer Version: 9.9.9\n");
  EXPECT_EQ(server_.requests.at(0).url, "https://a.example/version");

  server_.respond(200, R"({"version":"9.9.9"})");
  EXPECT_EQ(run({"version", "-o", "json"}), kExitOk);
  auto v = parse(out_.str());
  EXPECT_EQ(find_path(v, "serverVersion.version")->as_string(), "9.9.9");
  EXPECT_EQ(find_path(v, "clientVersion.version")->as_string(), client_version());
}

TEST_F(CliRun, ResourceCommandsBuildPaths) {
  configure("https://a.example", "tok");
  server_.respond(200, R"({"items":[{"metadata":{"name":"w1"},"spec":{"manager":"alice"}}],"total":1})");
  EXPECT_EQ(run({"ws", "list", "--limit", "5", "--page", "2", "-l", "env in (a,b)"}), kExitOk) << err_.str();
  EXPECT_EQ(out_.str(), "NAME   MANAGER\nw1     alice\n");
  EXPECT_EQ(server_.requests.back().url,
            "https://a.example/api/v1/workspaces?limit=5&page=2&labelSelector=env%20in%20%28a%2Cb%29");

  server_.respond(200, R"({"metadata":{"name":"a/b"}})");
  EXPECT_EQ(run({"workspaces", "get", "a/b"}), kExitOk);
  EXPECT_EQ(server_.requests.back().url, "https://a.example/api/v1/workspaces/a%2Fb");

  server_.respond(200, R"({"items":[]})");
  EXPECT_EQ(run({"projects", "list", "--workspace", "w 1"}), kExitOk);
  EXPECT_EQ(server_.requests.back().url, "https://a.example/api/v1/workspaces/w%201/projects");
  EXPECT_EQ(out_.str(), "");
  EXPECT_THAT(err_.str(), HasSubstr("No resources found"));

  server_.respond(200, "{}");
  EXPECT_EQ(run({"projects", "--workspace", "w1", "delete", ".."}), kExitOk) << err_.str();
  EXPECT_EQ(server_.requests.back().method, "DELETE");
  EXPECT_EQ(server_.requests.back().url, "https://a.example/api/v1/workspaces/w1/projects/%2E%2E");
  EXPECT_EQ(out_.str(), "projects \"..\" deleted\n");

  EXPECT_EQ(run({"projects", "--workspace", "", "list"}), kExitFailure);
  EXPECT_THAT(err_.str(), HasSubstr("--workspace"));
}

// Real HttpClient against a loopback port nobody listens on.
int unused_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ::close(fd);
  return ntohs(addr.sin_port);
}

TEST(CliUnreachable, GetAgainstClosedPortFailsClearly) {
  TempDir dir;
  std::ostringstream out;
  std::ostringstream err;
  CliContext ctx(out, err, env_of({{"ATRIUM_CONFIG", (dir.path() / "config").string()}}));
  CLI::App app{"Atrium", "atrium"};
  add_commands(app, ctx);
  const std::string server = "http://127.0.0.1:" + std::to_string(unused_loopback_port());
  EXPECT_EQ(run_cli(app, ctx, {"--server", server, "get", "/api/v1/workspaces"}), kExitFailure);
  EXPECT_EQ(out.str(), "");
  EXPECT_THAT(err.str(), HasSubstr("error: "));
  EXPECT_THAT(err.str(), HasSubstr(server + "/api/v1/workspaces"));
}

}  // namespace
}  // namespace atrium::cli
