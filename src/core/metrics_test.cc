#include "core/metrics.h"

#include <thread>

#include <gtest/gtest.h>

namespace atrium::core {
namespace {

TEST(MetricsTest, CountersAndHistogramsRenderPrometheusText) {
  MetricsRegistry reg;
  auto& c = reg.counter("atrium_http_requests_total", "Requests.", {"route", "code"});
  auto& h = reg.histogram("atrium_http_request_duration_seconds", "Latency.", {"route"}, {0.01, 0.1});
  reg.gauge("atrium_process_resident_memory_bytes", "RSS.", [] { return process_resident_bytes(); });
  c.inc({"/api/v1/x", "200"});
  c.inc({"/api/v1/x", "200"});
  c.inc({"/a\"b\n", "500"});
  h.observe({"/api/v1/x"}, 0.005);
  h.observe({"/api/v1/x"}, 0.05);
  h.observe({"/api/v1/x"}, 5);
  std::string text = reg.render();
  EXPECT_NE(text.find("atrium_http_requests_total{route=\"/api/v1/x\",code=\"200\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("route=\"/a\\\"b\\n\""), std::string::npos) << text;
  EXPECT_NE(text.find("atrium_http_request_duration_seconds_bucket{route=\"/api/v1/x\",le=\"0.01\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("atrium_http_request_duration_seconds_bucket{route=\"/api/v1/x\",le=\"0.1\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("atrium_http_request_duration_seconds_bucket{route=\"/api/v1/x\",le=\"+Inf\"} 3\n"),
            std::string::npos);
  EXPECT_NE(text.find("atrium_http_request_duration_seconds_count{route=\"/api/v1/x\"} 3\n"), std::string::npos);
  EXPECT_GT(process_resident_bytes(), 1024 * 1024);
}

TEST(MetricsTest, ConcurrentIncrementsAreNotLost) {
  MetricsRegistry reg;
  auto& c = reg.counter("n", "n", {"k"});
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t) {
    ts.emplace_back([&, t] {
      for (int i = 0; i < 10000; ++i) c.inc({std::to_string(i % 3)});
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(c.value({"0"}) + c.value({"1"}) + c.value({"2"}), 40000);
}

}  // namespace
}  // namespace atrium::core
