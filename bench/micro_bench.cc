// Micro benchmarks of the hot paths of a list request, each next to its baseline:
//  - render_list (splices stored JSON text) vs parsing every item and serializing the list with Boost.JSON;
//  - ResourceType::decode of a Workspace (decode + validate + canonical encode) vs a bare Boost.JSON parse.
#include <benchmark/benchmark.h>

#include "api/resource_routes.h"
#include "core/json.h"
#include "tenancy/workspace.h"

namespace {

using namespace atrium;

std::string workspace_json(int i) {
  return R"({"apiVersion":"tenant.atrium.io/v1","kind":"Workspace","metadata":{"name":"team-)" + std::to_string(i) +
         R"(","uid":"6f1c7a52-0d7e-4a0b-9d1e-3c2b8a9f0e11","creationTimestamp":"2026-11-26T00:38:52Z",)"
         R"("labels":{"tier":"gold","region":"eu"}},"spec":{"displayName":"Team","description":"Payments team",)"
         R"("manager":"lead","clusters":["sandbox","production"]}})";
}

storage::ListResult hundred() {
  storage::ListResult r;
  for (int i = 0; i < 100; ++i) {
    storage::StoredObject o;
    o.kind = "Workspace";
    o.name = "team-" + std::to_string(i);
    o.resource_version = 1000 + i;
    o.data = workspace_json(i);
    r.items.push_back(std::move(o));
  }
  r.total = 100;
  return r;
}

void BM_RenderListSpliced(benchmark::State& state) {
  auto list = hundred();
  for (auto _ : state) benchmark::DoNotOptimize(api::render_list(list));
}
BENCHMARK(BM_RenderListSpliced);

void BM_RenderListBaselineParseAndSerialize(benchmark::State& state) {
  auto list = hundred();
  for (auto _ : state) {
    core::json::array items;
    for (const auto& o : list.items) {
      auto v = core::json::parse(o.data);
      v.as_object()["metadata"].as_object()["resourceVersion"] = std::to_string(o.resource_version);
      items.push_back(std::move(v));
    }
    benchmark::DoNotOptimize(core::json::serialize(core::json::object{{"items", std::move(items)}, {"total", 100}}));
  }
}
BENCHMARK(BM_RenderListBaselineParseAndSerialize);

void BM_DecodeWorkspace(benchmark::State& state) {
  std::string doc = workspace_json(1);
  for (auto _ : state) {
    auto v = core::parse_json(doc);
    benchmark::DoNotOptimize(tenancy::workspace_type().decode(*v));
  }
}
BENCHMARK(BM_DecodeWorkspace);

void BM_DecodeBaselineJsonParseOnly(benchmark::State& state) {
  std::string doc = workspace_json(1);
  for (auto _ : state) benchmark::DoNotOptimize(core::json::parse(doc));
}
BENCHMARK(BM_DecodeBaselineJsonParseOnly);

}  // namespace

BENCHMARK_MAIN();
