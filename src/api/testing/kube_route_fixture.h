// A fixture for routes over a cluster: the real front door, the real RbacAuthorizer on a SQLite store, an audit
// log, and a FakeKubeApi registered as cluster "local". Namespaces "shop" and "other" belong to projects
// ws/shop and ws/other; anything else is at cluster scope. Users: "op" (operator of shop), "viewer" (viewer of
// shop), "outsider" (nothing), "cadm" (cluster-admin of local), "cview" (cluster-viewer of local), "admin"
// (platform-admin). Tests only.
#pragma once

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/api_handler.h"
#include "api/kube_route_support.h"
#include "api/testing/fake_kube_api.h"
#include "api/testing/test_requests.h"
#include "audit/audit_log.h"
#include "core/testing/fake_clock.h"
#include "iam/authorizer.h"
#include "iam/role_bindings.h"
#include "iam/roles.h"
#include "iam/scope_key.h"
#include "kube/cluster_connections.h"
#include "storage/testing/temp_store.h"

namespace atrium::api::testing {

// A JSON text the test wrote, parsed (a failure is the test's own bug, reported as such).
inline core::json::value js(std::string_view text) {
  auto v = core::parse_json(text);
  EXPECT_TRUE(v) << text;
  return v ? *v : core::json::value();
}

class PrefixTokenAuthenticator : public core::Authenticator {
 public:
  core::Result<core::Principal> authenticate(const core::Credentials& c) override {
    if (c.bearer_token && c.bearer_token->starts_with("t-") && c.bearer_token->size() > 2) {
      return core::Principal{c.bearer_token->substr(2), {}, "token"};
    }
    return core::fail(core::ErrorCode::Unauthenticated, "invalid or expired token");
  }
};

// A preflight gate standing for the registry's: refuses `refused_action` with a 412 as require_preflight does,
// and records what it was asked.
struct RecordingGate {
  std::string refused_action;
  std::vector<std::string> asked;
  PreflightGate gate() {
    return [this](std::string_view cluster, std::string_view action) -> core::Status {
      asked.push_back(std::string(cluster) + ":" + std::string(action));
      if (action != refused_action) return {};
      return core::fail(core::ErrorCode::FailedPrecondition,
                        fmt::format("cluster {} (v1.15.3) fails the preflight checks of {}", cluster, action));
    };
  }
};

class KubeRouteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(store_.ok());
    ASSERT_TRUE(api_.ok());
    ASSERT_TRUE(iam::register_templates(templates_));
    authz_ = std::make_unique<iam::RbacAuthorizer>(*store_, templates_, clock_);
    auto refresh = [this] { (void)authz_->refresh(); };
    roles_ = std::make_unique<iam::Roles>(*store_, templates_, clock_, refresh);
    bindings_ = std::make_unique<iam::RoleBindings>(*store_, *roles_, clock_, refresh);
    audit_ = std::make_unique<audit::AuditLog>(*store_, clock_);
    connections_ = std::make_unique<kube::ClusterConnections>(
        [this](std::string_view name) -> core::Result<std::shared_ptr<kube::Client>> {
          if (name != "local") return core::fail(core::ErrorCode::NotFound, "cluster not found");
          return api_.client();
        });
    using iam::Member;
    auto shop = iam::project_scope("ws", "shop");
    ASSERT_TRUE(bindings_->add_member(iam::platform_scope(), Member{.user = "admin", .role = "platform-admin"}));
    ASSERT_TRUE(bindings_->add_member(iam::platform_scope(), Member{.user = "outsider", .role = "platform-regular"}));
    ASSERT_TRUE(bindings_->add_member(shop, Member{.user = "op", .role = "operator"}));
    ASSERT_TRUE(bindings_->add_member(shop, Member{.user = "viewer", .role = "viewer"}));
    ASSERT_TRUE(bindings_->add_member(iam::cluster_scope("local"), Member{.user = "cadm", .role = "cluster-admin"}));
    ASSERT_TRUE(bindings_->add_member(iam::cluster_scope("local"), Member{.user = "cview", .role = "cluster-viewer"}));
  }
  void TearDown() override {
    handler_.reset();
    connections_.reset();
  }

  // Call after the routes are registered on router_.
  void start_handler() {
    ApiOptions options;
    options.authorizer = authz_.get();
    options.audit = audit_.get();
    options.namespace_scope = [](std::string_view cluster, std::string_view ns) -> std::optional<core::Scope> {
      if (ns != "shop" && ns != "other") return std::nullopt;
      core::Scope s = iam::project_scope("ws", std::string(ns));
      s.cluster = std::string(cluster);
      return s;
    };
    handler_ = std::make_unique<ApiHandler>(router_, authn_, metrics_, std::move(options));
  }

  net::HttpResponse call(const std::string& user, std::string method, std::string target, std::string body = {},
                         std::string content_type = {}) {
    auto req = make_request(std::move(method), std::move(target), std::move(body), "t-" + user);
    if (!content_type.empty()) req.headers.set("Content-Type", content_type);
    return handler_->handle(req);
  }
  static core::json::value parse(const net::HttpResponse& r) {
    auto v = core::parse_json(r.body_view());
    EXPECT_TRUE(v) << r.body_view();
    return v ? *v : core::json::value();
  }
  // The audit events recorded so far with `resource`, as (verb, name, outcome) triples in order.
  core::json::array audit_events(const std::string& resource) {
    audit_->flush();
    audit::AuditQuery q;
    q.resource = resource;
    q.order = core::SortOrder::Ascending;
    auto r = audit_->query(q);
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    return r ? r->at("items").as_array() : core::json::array();
  }

  FakeKubeApi api_;
  core::FakeClock clock_;
  storage::testing::TempStore store_;
  iam::TemplateRegistry templates_;
  std::unique_ptr<iam::RbacAuthorizer> authz_;
  std::unique_ptr<iam::Roles> roles_;
  std::unique_ptr<iam::RoleBindings> bindings_;
  std::unique_ptr<audit::AuditLog> audit_;
  std::unique_ptr<kube::ClusterConnections> connections_;
  Router router_;
  PrefixTokenAuthenticator authn_;
  core::MetricsRegistry metrics_;
  std::unique_ptr<ApiHandler> handler_;
};

}  // namespace atrium::api::testing
