// Login cost for an unknown user versus a wrong password, with the real argon2id cost: the two must be within
// 10 % of each other, or user names can be enumerated by timing. Prints the ratio; exits 1 beyond 10 %.
#include <unistd.h>

#include <filesystem>

#include <benchmark/benchmark.h>

#include "core/clock.h"
#include "identity/identity_service.h"

namespace {

using namespace atrium;

struct Fixture {
  Fixture() {
    dir = std::filesystem::temp_directory_path() / ("atrium-login-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    store = std::move(*storage::open_store("sqlite://" + (dir / "atrium.db").string()));
    identity::IdentityOptions o;
    o.throttle.free_failures = 1 << 30;  // measure hashing, not the throttle
    o.throttle.lockout_failures = 1 << 30;
    service = std::make_unique<identity::IdentityService>(*store, clock, o);
    (void)service->ensure_bootstrap_admin("Tr0ub4dor&3-horse");
  }
  ~Fixture() {
    service.reset();
    store.reset();
    std::filesystem::remove_all(dir);
  }
  std::filesystem::path dir;
  core::SystemClock clock;
  std::unique_ptr<storage::Store> store;
  std::unique_ptr<identity::IdentityService> service;
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void BM_LoginWrongPassword(benchmark::State& state) {
  for (auto _ : state) {
    auto r = fixture().service->login({"admin", "Wrong-password-1", "127.0.0.1"});
    benchmark::DoNotOptimize(r);
  }
}
void BM_LoginUnknownUser(benchmark::State& state) {
  for (auto _ : state) {
    auto r = fixture().service->login({"nobody", "Wrong-password-1", "127.0.0.1"});
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_LoginWrongPassword)->Unit(benchmark::kMillisecond)->MinTime(2.0);
BENCHMARK(BM_LoginUnknownUser)->Unit(benchmark::kMillisecond)->MinTime(2.0);

class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& r : runs)
      (r.benchmark_name().find("Unknown") != std::string::npos ? unknown : wrong) = r.GetAdjustedRealTime();
    ConsoleReporter::ReportRuns(runs);
  }
  double wrong = 0, unknown = 0;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  double ratio = reporter.unknown / reporter.wrong;
  std::printf("unknown-user / wrong-password login time ratio: %.3f (must be within 0.90..1.10)\n", ratio);
  return ratio >= 0.9 && ratio <= 1.1 ? 0 : 1;
}
