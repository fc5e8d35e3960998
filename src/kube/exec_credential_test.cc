#include "kube/exec_credential.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "core/json.h"
#include "net/testing/test_pki.h"

namespace atrium::kube {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr const char* kV1 = "client.authentication.k8s.io/v1";

std::string credential(const std::string& status, const std::string& api = kV1) {
  return R"({"apiVersion":")" + api + R"(","kind":"ExecCredential","status":)" + status + "}";
}

void expect_invalid(const core::Result<ExecCredentialResult>& r, const std::string& field) {
  ASSERT_FALSE(r) << "accepted; expected a refusal at " << field;
  EXPECT_EQ(r.error().code, core::ErrorCode::InvalidArgument) << r.error().message;
  ASSERT_FALSE(r.error().causes.empty()) << r.error().message;
  EXPECT_EQ(r.error().causes[0].field, field) << r.error().message;
}

TEST(ParseExecCredentialTest, Token) {
  auto r = parse_exec_credential(credential(R"({"token":"abc","expirationTimestamp":"2030-01-02T03:04:05Z"})"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->token, "abc");
  ASSERT_TRUE(r->expiry);
  EXPECT_EQ(std::chrono::system_clock::to_time_t(*r->expiry), 1893553445);

  auto offset =
      parse_exec_credential(credential(R"({"token":"abc","expirationTimestamp":"2030-01-02T04:04:05.123456+01:00"})",
                                       "client.authentication.k8s.io/v1beta1"));
  ASSERT_TRUE(offset) << offset.error().message;
  EXPECT_EQ(std::chrono::system_clock::to_time_t(*offset->expiry), 1893553445);

  auto far = parse_exec_credential(credential(R"({"token":"a","expirationTimestamp":"9999-12-31T23:59:59Z"})"));
  ASSERT_TRUE(far) << far.error().message;
  EXPECT_EQ(*far->expiry, std::chrono::system_clock::time_point::max());
  auto ancient = parse_exec_credential(credential(R"({"token":"a","expirationTimestamp":"1015-01-01T00:00:00Z"})"));
  ASSERT_TRUE(ancient) << ancient.error().message;
  EXPECT_EQ(*ancient->expiry, std::chrono::system_clock::time_point::min());

  auto no_expiry = parse_exec_credential(credential(R"({"token":"abc"})"));
  ASSERT_TRUE(no_expiry);
  EXPECT_FALSE(no_expiry->expiry);
}

TEST(ParseExecCredentialTest, ClientCertificate) {
  net::testing::TestPki pki;
  ASSERT_TRUE(pki.ok());
  core::json::object status{{"clientCertificateData", pki.client_certificate_pem()},
                            {"clientKeyData", pki.client_key_pem()}};
  auto r = parse_exec_credential(credential(core::json::serialize(status)));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->client_certificate_pem, pki.client_certificate_pem());
  EXPECT_EQ(r->client_key_pem, pki.client_key_pem());

  status["clientKeyData"] = pki.other_key_pem();
  expect_invalid(parse_exec_credential(credential(core::json::serialize(status))), "status.clientKeyData");
  status.erase("clientKeyData");
  expect_invalid(parse_exec_credential(credential(core::json::serialize(status))), "status.clientKeyData");
  status["clientKeyData"] = pki.client_key_pem();
  status["clientCertificateData"] = "junk";
  expect_invalid(parse_exec_credential(credential(core::json::serialize(status))), "status.clientCertificateData");
}

TEST(ParseExecCredentialTest, RefusesMalformedCredentials) {
  expect_invalid(parse_exec_credential(""), "");
  expect_invalid(parse_exec_credential("hello"), "");
  expect_invalid(parse_exec_credential("[1]"), "");
  expect_invalid(parse_exec_credential(std::string(100'000, '[')), "");
  expect_invalid(parse_exec_credential(R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"Pod"})"), "kind");
  expect_invalid(parse_exec_credential(credential(R"({"token":"a"})", "v1")), "apiVersion");
  expect_invalid(parse_exec_credential(R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential"})"),
                 "status");
  expect_invalid(parse_exec_credential(credential("{}")), "status");
  expect_invalid(parse_exec_credential(credential(R"({"token":5})")), "status.token");
  expect_invalid(parse_exec_credential(credential(R"({"token":"a\r\nX: y"})")), "status.token");
  for (const char* ts :
       {"tomorrow", "2030-01-02", "2030-13-02T03:04:05Z", "2030-02-30T03:04:05Z", "2030-01-02T25:04:05Z",
        "2030-01-02T03:04:05", "2030-01-02T03:04:05.Z", "2030-01-02T03:04:05+1:00", "2030-01-02T03:04:05Zjunk"}) {
    SCOPED_TRACE(ts);
    expect_invalid(
        parse_exec_credential(credential(R"({"token":"a","expirationTimestamp":")" + std::string(ts) + "\"}")),
        "status.expirationTimestamp");
  }
}

// Alive and not a zombie (an orphan's zombie waits for whatever reaps orphans here).
bool running(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto close = stat.rfind(')');
  if (close == std::string::npos || close + 2 >= stat.size()) return false;
  char state = stat[close + 2];
  return state != 'Z' && state != 'X';
}

class RunExecPluginTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "atrium-exec-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  // A plugin: a shell script in the temporary directory.
  ExecPlugin script(const std::string& name, const std::string& body) {
    fs::path p = dir_ / name;
    std::ofstream(p) << "#!/bin/sh\n" << body << "\n";
    ::chmod(p.c_str(), 0700);
    ExecPlugin plugin;
    plugin.api_version = kV1;
    plugin.command = p.string();
    return plugin;
  }
  std::string read(const std::string& name) {
    std::ifstream in(dir_ / name);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  fs::path dir_;
};

TEST_F(RunExecPluginTest, PrintsACredential) {
  ::setenv("ATRIUM_TEST_INHERITED", "inherited", 1);
  auto plugin = script("ok",
                       "cat >/dev/null\n"  // stdin is /dev/null: this returns at once
                       "printf '%s' \"$KUBERNETES_EXEC_INFO\" > " +
                           (dir_ / "info").string() +
                           "\n"
                           "printf '{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\","
                           "\"status\":{\"token\":\"%s-%s-%s\"}}' \"$1\" \"$PLUGIN_VAR\" \"$ATRIUM_TEST_INHERITED\"");
  plugin.args = {"first arg"};
  plugin.env = {{"PLUGIN_VAR", "from-plugin"}};
  auto r = run_exec_plugin(plugin);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->token, "first arg-from-plugin-inherited");
  auto info = core::parse_json(read("info"));
  ASSERT_TRUE(info) << read("info");
  EXPECT_EQ(info->at("apiVersion"), kV1);
  EXPECT_EQ(info->at("kind"), "ExecCredential");
  EXPECT_EQ(info->at("spec").at("interactive"), false);
}

TEST_F(RunExecPluginTest, FindsCommandsOnPath) {
  ExecPlugin plugin;
  plugin.api_version = kV1;
  plugin.command = "sh";
  plugin.args = {"-c", "echo '" + credential(R"({"token":"via-path"})") + "'"};
  auto r = run_exec_plugin(plugin);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->token, "via-path");
}

TEST_F(RunExecPluginTest, NonZeroExitCarriesTheFirstLineOfStderr) {
  auto r = run_exec_plugin(script("fail", "echo '\nerror: run aws sso login first' >&2\necho second >&2\nexit 3"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::ErrorCode::Unavailable);
  EXPECT_NE(r.error().message.find("status 3"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("run aws sso login first"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.find("second"), std::string::npos) << r.error().message;
}

TEST_F(RunExecPluginTest, MissingCommandIsUnavailable) {
  ExecPlugin plugin;
  plugin.api_version = kV1;
  plugin.command = (dir_ / "nope").string();
  auto r = run_exec_plugin(plugin);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::ErrorCode::Unavailable);
  EXPECT_NE(r.error().message.find("cannot start"), std::string::npos) << r.error().message;
}

TEST_F(RunExecPluginTest, TimeoutKillsThePluginAndWhatItStarted) {
  auto plugin =
      script("slow", "echo waiting for browser >&2\nsleep 30 &\necho $! > " + (dir_ / "bg").string() + "\nsleep 30");
  auto start = std::chrono::steady_clock::now();
  auto r = run_exec_plugin(plugin, ExecRunOptions{.timeout = 300ms});
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::ErrorCode::Unavailable);
  EXPECT_NE(r.error().message.find("did not finish within 300 ms"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("waiting for browser"), std::string::npos) << r.error().message;
  EXPECT_LT(took, 5s);
  // The background sleep was in the plugin's process group and is gone too.
  pid_t bg = std::atoi(read("bg").c_str());
  ASSERT_GT(bg, 0);
  for (int i = 0; i < 200 && running(bg); ++i) std::this_thread::sleep_for(10ms);
  EXPECT_FALSE(running(bg)) << "background process " << bg << " survived";
}

TEST_F(RunExecPluginTest, ClosingItsOutputDoesNotEscapeTheTimeLimit) {
  auto start = std::chrono::steady_clock::now();
  auto r = run_exec_plugin(script("closer", "exec >&- 2>&-\nsleep 30"), ExecRunOptions{.timeout = 300ms});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::ErrorCode::Unavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST_F(RunExecPluginTest, ABackgroundChildHoldingThePipeDoesNotDelayTheAnswer) {
  auto start = std::chrono::steady_clock::now();
  auto r = run_exec_plugin(script("daemon", "sleep 30 &\necho '" + credential(R"({"token":"t"})") + "'"),
                           ExecRunOptions{.timeout = 10s});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->token, "t");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST_F(RunExecPluginTest, GarbageOutputIsInvalid) {
  auto r = run_exec_plugin(script("garbage", "echo hello"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::ErrorCode::InvalidArgument);
  EXPECT_NE(r.error().message.find("exec plugin"), std::string::npos) << r.error().message;

  auto wrong_version = run_exec_plugin(
      script("beta", "echo '" + credential(R"({"token":"t"})", "client.authentication.k8s.io/v1beta1") + "'"));
  ASSERT_FALSE(wrong_version);
  EXPECT_EQ(wrong_version.error().code, core::ErrorCode::InvalidArgument);
  EXPECT_NE(wrong_version.error().message.find("asked for"), std::string::npos) << wrong_version.error().message;
}

TEST_F(RunExecPluginTest, OutputOverTheLimitIsRefused) {
  auto start = std::chrono::steady_clock::now();
  auto r = run_exec_plugin(script("chatty", "while :; do echo aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa; done"),
                           ExecRunOptions{.timeout = 10s, .max_output = 1000});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::ErrorCode::InvalidArgument);
  EXPECT_NE(r.error().message.find("more than 1000 bytes"), std::string::npos) << r.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

}  // namespace
}  // namespace atrium::kube
