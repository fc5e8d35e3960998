// Authorisation cost per request at the scale the [iam] issue names: 1,000 users, 200 workspaces, 2,000 projects
// and their bindings (every project has an admin and a viewer, every workspace an admin and a viewer), against the
// same decisions on an almost empty platform (one admin) as the baseline. Decisions come from RbacAuthorizer's
// in-memory index, as on the request path.
#include <benchmark/benchmark.h>

#include <cstdio>

#include "core/clock.h"
#include "iam/authorizer.h"
#include "iam/role_bindings.h"
#include "iam/roles.h"
#include "iam/scope_key.h"
#include "iam/templates.h"
#include "iam/testing/temp_store.h"
#include "tenancy/templates.h"

namespace {

using namespace atrium;

struct Platform {
  iam::testing::TempStore store;
  core::SystemClock clock;
  iam::TemplateRegistry templates;
  std::unique_ptr<iam::RbacAuthorizer> authorizer;
  std::unique_ptr<iam::Roles> roles;
  std::unique_ptr<iam::RoleBindings> bindings;

  explicit Platform(bool large) {
    (void)iam::register_templates(templates);
    (void)tenancy::register_templates(templates);
    authorizer = std::make_unique<iam::RbacAuthorizer>(*store, templates, clock);
    roles = std::make_unique<iam::Roles>(*store, templates, clock);
    bindings = std::make_unique<iam::RoleBindings>(*store, *roles, clock);
    auto bind = [&](const core::Scope& scope, std::string user, std::string role) {
      auto r = bindings->add_member(scope, iam::Member{.user = std::move(user), .role = std::move(role)});
      if (!r) std::fprintf(stderr, "bind failed: %s\n", r.error().message.c_str());
    };
    bind(iam::platform_scope(), "admin", "platform-admin");
    if (large) {
      for (int w = 0; w < 200; ++w) {
        std::string ws = "ws-" + std::to_string(w);
        bind(iam::workspace_scope(ws), "user-" + std::to_string((w * 5) % 1000), "admin");
        bind(iam::workspace_scope(ws), "user-" + std::to_string((w * 5 + 1) % 1000), "viewer");
        for (int p = 0; p < 10; ++p) {
          std::string project = ws + "-p" + std::to_string(p);
          bind(iam::project_scope(ws, project), "user-" + std::to_string((w * 5 + p) % 1000), "admin");
          bind(iam::project_scope(ws, project), "user-" + std::to_string((w * 5 + p + 7) % 1000), "viewer");
        }
      }
    }
    (void)authorizer->refresh();
  }
};

core::AccessRequest project_request(int w, int p, const char* verb) {
  std::string ws = "ws-" + std::to_string(w);
  return core::AccessRequest{.verb = verb,
                             .api_group = "",
                             .resource = "pods",
                             .scope = iam::project_scope(ws, ws + "-p" + std::to_string(p))};
}

void run(benchmark::State& state, Platform& platform, const std::string& user, int w, int p, const char* verb,
         bool expect) {
  core::Principal who{user, {"developers"}, "token"};
  auto req = project_request(w, p, verb);
  for (auto _ : state) {
    auto d = platform.authorizer->authorize(who, req);
    if (d.allowed != expect) state.SkipWithError("unexpected decision");
    benchmark::DoNotOptimize(d);
  }
}

Platform& small() {
  static Platform p(false);
  return p;
}
Platform& large() {
  static Platform p(true);
  return p;
}

void BM_BaselineOneAdminAllowed(benchmark::State& s) { run(s, small(), "admin", 3, 4, "create", true); }
void BM_BaselineOneAdminDenied(benchmark::State& s) { run(s, small(), "nobody", 3, 4, "get", false); }
void BM_ScalePlatformAdmin(benchmark::State& s) { run(s, large(), "admin", 120, 4, "create", true); }
void BM_ScaleProjectAdmin(benchmark::State& s) { run(s, large(), "user-604", 120, 4, "create", true); }
void BM_ScaleWorkspaceViewerReads(benchmark::State& s) { run(s, large(), "user-601", 120, 4, "get", true); }
void BM_ScaleDeniedOutsider(benchmark::State& s) { run(s, large(), "user-999", 120, 4, "create", false); }

BENCHMARK(BM_BaselineOneAdminAllowed);
BENCHMARK(BM_BaselineOneAdminDenied);
BENCHMARK(BM_ScalePlatformAdmin);
BENCHMARK(BM_ScaleProjectAdmin);
BENCHMARK(BM_ScaleWorkspaceViewerReads);
BENCHMARK(BM_ScaleDeniedOutsider);

}  // namespace

BENCHMARK_MAIN();
