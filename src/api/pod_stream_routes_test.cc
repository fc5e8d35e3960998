#include "api/pod_stream_routes.h"

#include <gtest/gtest.h>

#include "api/testing/kube_route_fixture.h"

#include <string>

namespace atrium::api {
namespace {

net::QueryParams query(std::initializer_list<std::pair<const std::string, std::string>> items) {
  return net::QueryParams(items);
}

TEST(PodStreamRoutesTest, LogOptionsParseAndBuildTheApiserverQuery) {
  auto o = parse_log_options(query({{"container", "api"},
                                    {"follow", "true"},
                                    {"previous", "0"},
                                    {"tailLines", "10"},
                                    {"sinceSeconds", "3600"},
                                    {"timestamps", "1"}}));
  ASSERT_TRUE(o) << o.error().message;
  EXPECT_EQ(o->container, "api");
  EXPECT_TRUE(o->follow);
  EXPECT_FALSE(o->previous);
  EXPECT_TRUE(o->timestamps);
  EXPECT_EQ(log_query(*o), "?container=api&follow=true&timestamps=true&tailLines=10&sinceSeconds=3600");
  auto none = parse_log_options({});
  ASSERT_TRUE(none);
  EXPECT_EQ(log_query(*none), "");
  EXPECT_EQ(log_query(*parse_log_options(query({{"tailLines", "0"}}))), "?tailLines=0");
}

TEST(PodStreamRoutesTest, HostileLogParametersAreRefusedNamingTheParameter) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"tailLines", "-1"},
      {"tailLines", "99999999999999999999999"},
      {"tailLines", "1000001"},
      {"tailLines", "10abc"},
      {"tailLines", ""},
      {"tailLines", " 5"},
      {"sinceSeconds", "0"},
      {"sinceSeconds", "-5"},
      {"sinceSeconds", "9223372036854775807"},
      {"limitBytes", "0"},
      {"container", "Api"},
      {"container", "a/../b"},
      {"container", "a&follow=true"},
      {"container", std::string(64, 'a')},
      {"container", std::string("a\0b", 3)},
      {"follow", "yes"},
      {"previous", "TRUE "},
  };
  for (const auto& [name, value] : bad) {
    auto o = parse_log_options(query({{name, value}}));
    ASSERT_FALSE(o) << name << "=" << value;
    EXPECT_EQ(o.error().code, core::ErrorCode::InvalidArgument);
    EXPECT_EQ(core::http_status(o.error()), 400) << "a bad query parameter is a bad request";
    EXPECT_NE(o.error().message.find(name), std::string::npos) << o.error().message;
  }
  auto twice = parse_log_options(query({{"container", "a"}, {"container", "b"}}));
  ASSERT_FALSE(twice);
  EXPECT_NE(twice.error().message.find("more than once"), std::string::npos);
}

TEST(PodStreamRoutesTest, ExecOptionsDefaultToAShellWithATty) {
  auto o = parse_exec_options({});
  ASSERT_TRUE(o);
  EXPECT_EQ(o->command, std::vector<std::string>{"sh"});
  EXPECT_TRUE(o->tty);
  EXPECT_EQ(exec_query(*o), "?command=sh&stdin=true&stdout=true&tty=true");
  auto argv = parse_exec_options(query(
      {{"command", "/bin/sh"}, {"command", "-c"}, {"command", "echo a&b=c"}, {"container", "api"}, {"tty", "false"}}));
  ASSERT_TRUE(argv);
  EXPECT_EQ(exec_query(*argv),
            "?command=%2Fbin%2Fsh&command=-c&command=echo%20a%26b%3Dc&stdin=true&stdout=true&stderr=true&tty=false&"
            "container=api");
}

TEST(PodStreamRoutesTest, HostileExecParametersAreRefused) {
  EXPECT_FALSE(parse_exec_options(query({{"container", "../etc"}})));
  EXPECT_FALSE(parse_exec_options(query({{"command", ""}})));
  EXPECT_FALSE(parse_exec_options(query({{"command", std::string("sh\0x", 4)}})));
  EXPECT_FALSE(parse_exec_options(query({{"command", std::string(5000, 'x')}})));
  EXPECT_FALSE(parse_exec_options(query({{"tty", "maybe"}})));
  net::QueryParams many;
  for (int i = 0; i < 65; ++i) many.emplace("command", "x");
  EXPECT_FALSE(parse_exec_options(many));
}

TEST(PodStreamRoutesTest, TerminalFramesAreCheckedBeforeReachingTheCluster) {
  EXPECT_EQ(*terminal_frame_to_cluster(std::string("\0ls\n", 4), true), std::string("\0ls\n", 4));
  EXPECT_EQ(*terminal_frame_to_cluster("ls\n", false), std::string("\0ls\n", 4)) << "a text frame is stdin";
  EXPECT_EQ(*terminal_frame_to_cluster("\x04{\"Height\":24, \"Width\":80}", true), "\x04{\"Width\":80,\"Height\":24}");
  for (std::string bad :
       {std::string(), std::string("\x01out"), std::string("\x03{}"), std::string("\x04{}"),
        std::string("\x04{\"Width\":0,\"Height\":24}"), std::string("\x04{\"Width\":-80,\"Height\":24}"),
        std::string("\x04{\"Width\":80,\"Height\":99999999}"), std::string("\x04not json"),
        std::string("\x04{\"Width\":\"80\",\"Height\":24}")}) {
    EXPECT_FALSE(terminal_frame_to_cluster(bad, true)) << bad;
  }
}

TEST(PodStreamRoutesTest, Utf8IsCompletedAcrossChunksAndRepaired) {
  std::string pending = "caf\xC3";
  EXPECT_EQ(take_utf8(pending, false), "caf");
  EXPECT_EQ(pending, "\xC3");
  pending += "\xA9 ok";
  EXPECT_EQ(take_utf8(pending, false), "\xC3\xA9 ok");
  EXPECT_TRUE(pending.empty());
  pending =
      "a\xFF"
      "b\xC0\xAF"
      "c\xED\xA0\x80";
  EXPECT_EQ(take_utf8(pending, false),
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD\xEF\xBF\xBD"
            "c\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  pending = "x\xE2\x82";
  EXPECT_EQ(take_utf8(pending, false), "x");
  EXPECT_EQ(take_utf8(pending, true), "\xEF\xBF\xBD\xEF\xBF\xBD");
  pending = "\xF0\x9F\x98\x80";
  EXPECT_EQ(take_utf8(pending, false), "\xF0\x9F\x98\x80");
}

// The terminal's gate: a cluster failing the "exec-terminal" checks (CVE-2018-1002105, CVE-2020-8559) gets no
// terminal; the refusal is readable by a plain GET (browsers cannot read a refused upgrade's Status).
class ExecPreflightTest : public testing::KubeRouteTest {
 protected:
  void SetUp() override {
    KubeRouteTest::SetUp();
    routes_ = std::make_unique<PodStreamRoutes>(*connections_, audit_.get(), preflight_.gate());
    routes_->register_routes(router_);
    start_handler();
  }
  void TearDown() override {
    KubeRouteTest::TearDown();
    routes_.reset();
  }
  testing::RecordingGate preflight_{.refused_action = "exec-terminal"};
  std::unique_ptr<PodStreamRoutes> routes_;
};

TEST_F(ExecPreflightTest, ATerminalOnAClusterFailingThePreflightIsRefused) {
  const std::string exec = "/api/v1/clusters/local/namespaces/shop/pods/web-0/exec?container=app";
  auto plain = call("op", "GET", exec);
  EXPECT_EQ(plain.status, 412) << plain.body_view();
  EXPECT_NE(std::string(plain.body_view()).find("exec-terminal"), std::string::npos) << plain.body_view();
  auto upgrade = testing::make_request("GET", exec, {}, "t-op");
  upgrade.websocket_upgrade = true;
  auto refused = handler_->handle(upgrade);
  EXPECT_EQ(refused.status, 412);
  EXPECT_TRUE(api_.seen("GET", "/api/v1/namespaces/shop/pods/web-0/exec").empty()) << "the cluster never saw it";
  EXPECT_EQ(preflight_.asked, (std::vector<std::string>{"local:exec-terminal", "local:exec-terminal"}));
  // A viewer is refused by the roles before the gate is asked.
  EXPECT_EQ(call("viewer", "GET", exec).status, 403);
  EXPECT_EQ(preflight_.asked.size(), 2u);
}

}  // namespace
}  // namespace atrium::api
