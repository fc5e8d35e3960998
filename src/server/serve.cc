#include "server/serve.h"

#include <signal.h>

#include <sys/stat.h>
#include <csignal>

#include <atomic>
#include <chrono>
#include <filesystem>

#include <fmt/format.h>

#include "api/access_review_routes.h"
#include "api/api_handler.h"
#include "api/apply_routes.h"
#include "api/audit_routes.h"
#include "api/cluster_routes.h"
#include "api/iam_routes.h"
#include "api/identity_routes.h"
#include "api/kube_passthrough.h"
#include "api/node_routes.h"
#include "api/openapi.h"
#include "api/pod_stream_routes.h"
#include "api/responses.h"
#include "api/tenancy_routes.h"
#include "api/workload_action_routes.h"
#include "api/workload_routes.h"
#include "audit/audit_log.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/metrics.h"
#include "crypto/key_file.h"
#include "iam/authorizer.h"
#include "iam/role_bindings.h"
#include "iam/roles.h"
#include "iam/scope_key.h"
#include "iam/templates.h"
#include "identity/identity_authenticator.h"
#include "identity/identity_service.h"
#include "identity/ldap_directory.h"
#include "identity/session_sweeper.h"
#include "identity/user.h"
#include "kube/cluster.h"
#include "kube/cluster_connections.h"
#include "kube/cluster_registry.h"
#include "net/http_server.h"
#include "server/bootstrap_token.h"
#include "server/version.h"
#include "storage/caching_store.h"
#include "storage/instrumented_store.h"
#include "storage/store.h"
#include "tenancy/kubernetes_namespaces.h"
#include "tenancy/members.h"
#include "tenancy/project.h"
#include "tenancy/projects.h"
#include "tenancy/templates.h"
#include "tenancy/workspace.h"
#include "tenancy/workspaces.h"

namespace atrium::server {
namespace {

constexpr std::chrono::minutes kSessionSweepInterval{5};

int fail_start(const core::Error& e) {
  core::log_error("cannot start", {{"error", std::string_view(e.message)}});
  std::fprintf(stderr, "atrium: %s\n", e.message.c_str());
  return 1;
}

std::string find_console_dir(const ServerConfig& cfg) {
  if (!cfg.console_dir.empty()) return cfg.console_dir;
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    // build/<preset>/atrium → <source>/web/console/dist
    for (auto dir = exe.parent_path(); !dir.empty() && dir != dir.root_path(); dir = dir.parent_path()) {
      auto candidate = dir / "web" / "console" / "dist";
      if (std::filesystem::is_regular_file(candidate / "index.html", ec)) return candidate.string();
    }
  }
  return {};
}

}  // namespace

int serve(const ServerConfig& cfg) {
  auto start_time = std::chrono::steady_clock::now();
  core::LogLevel level = core::LogLevel::Info;
  core::parse_log_level(cfg.log_level, level);
  core::set_log_level(level);

  // Block the signals in every thread; the main thread waits for them below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  std::error_code ec;
  std::filesystem::create_directories(cfg.data_dir, ec);
  if (ec)
    return fail_start(
        core::Error(core::ErrorCode::Unavailable, fmt::format("data directory {}: {}", cfg.data_dir, ec.message())));
  ::chmod(cfg.data_dir.c_str(), 0700);

  auto keyring = crypto::load_or_create_keyring(cfg.secret_key_file);
  if (!keyring) return fail_start(keyring.error());

  core::SystemClock clock;
  core::MetricsRegistry metrics;
  metrics.gauge("atrium_process_resident_memory_bytes", "Resident memory of the atrium process.",
                [] { return core::process_resident_bytes(); });

  auto opened = storage::open_store(cfg.store);
  if (!opened) return fail_start(opened.error());
  // Backend latency is measured below the list cache, so the metric shows real store calls.
  storage::CachingStore store(std::make_unique<storage::InstrumentedStore>(std::move(*opened), metrics), clock);

  auto bootstrap = BootstrapTokenAuthenticator::load_or_create(cfg.data_dir + "/admin.token");
  if (!bootstrap) return fail_start(bootstrap.error());

  api::Router router;
  // Every kind served, for the OpenAPI document; each module's routes register themselves below.
  std::vector<const schema::ResourceType*> types = {&tenancy::workspace_type(), &tenancy::project_type(),
                                                    &iam::role_type()};
  audit::AuditLog audit_log(store, clock);

  // Authorisation: permission templates contributed by each module, built-in and custom roles, bindings.
  iam::TemplateRegistry templates;
  if (auto s = iam::register_templates(templates); !s) return fail_start(s.error());
  if (auto s = tenancy::register_templates(templates); !s) return fail_start(s.error());
  iam::RbacAuthorizer rbac(store, templates, clock);
  iam::Roles roles(
      store, templates, clock, [&rbac] { (void)rbac.refresh(); },
      [&store](const core::Scope& scope) { return tenancy::check_scope_exists(store, scope); });
  iam::RoleBindings bindings(store, roles, clock, [&rbac] { (void)rbac.refresh(); });
  api::IamRoutes iam_routes(roles);
  iam_routes.register_routes(router);
  api::register_template_routes(router, templates);
  // Clusters: those registered over the API (stored, kubeconfigs sealed by the keyring) and, from the kubeconfig
  // setting, `local` (held in memory only, never stored). The registry's prober keeps their status.
  // A removed cluster, or one whose credentials changed, has its caches dropped (the pointer is set once the
  // connections below exist, and cleared before they go).
  std::atomic<kube::ClusterConnections*> forget_in{nullptr};
  kube::ClusterRegistryOptions cluster_options;
  cluster_options.on_forget = [&forget_in](std::string_view name) {
    if (auto* c = forget_in.load()) c->forget(name);
  };
  // A cluster that still holds projects (their namespaces) is not removed.
  cluster_options.before_remove = [&store](std::string_view name) { return tenancy::require_no_projects(store, name); };
  kube::ClusterRegistry clusters(store, *keyring, clock, cluster_options);
  if (!cfg.kubeconfig.empty()) {
    if (auto s = clusters.add_from_file("local", cfg.kubeconfig, cfg.kubeconfig_context); !s) {
      return fail_start(s.error().with_context("kubeconfig"));
    }
  }
  if (auto s = clusters.start(); !s) return fail_start(s.error().with_context("loading clusters"));
  api::ClusterRoutes cluster_routes(clusters, rbac);
  cluster_routes.register_routes(router);
  // Workloads: per-cluster clients, discovery and informer caches (started on first use, stopped before the
  // registry goes); the front door decides a namespace's requests in the project that owns it.
  kube::ClusterConnections connections([&clusters](std::string_view name) { return clusters.client(name); });
  forget_in = &connections;
  struct ForgetGuard {
    std::atomic<kube::ClusterConnections*>& p;
    ~ForgetGuard() { p = nullptr; }
  } forget_guard{forget_in};
  api::WorkloadRoutes workload_routes(connections, rbac);
  workload_routes.register_routes(router);
  // Pod logs and terminals (exec sessions audited); its stream threads end before the connections go.
  // Risky actions (terminals, server-side apply, CRDs with int-or-string schemas) pass the cluster's preflight first.
  api::PreflightGate preflight = [&clusters](std::string_view cluster, std::string_view action) {
    return clusters.require_preflight(cluster, action);
  };
  api::PodStreamRoutes pod_stream_routes(connections, &audit_log, preflight);
  pod_stream_routes.register_routes(router);
  // Scale, restart, rollout history and rollback; nodes for cluster roles; apply (server-side apply, each document
  // authorised and audited).
  api::WorkloadActionRoutes workload_action_routes(connections, rbac, clock);
  workload_action_routes.register_routes(router);
  api::NodeRoutes node_routes(connections, rbac);
  node_routes.register_routes(router);
  api::ApplyRoutes apply_routes(connections, rbac, &audit_log, preflight);
  apply_routes.register_routes(router);
  // Tenancy: a project is its namespace on its cluster (made, labelled, given quota and limits through the
  // connections above).
  tenancy::KubernetesProjectNamespaces project_namespaces(connections);
  tenancy::Workspaces workspaces(store, clock, bindings, rbac, &project_namespaces);
  tenancy::Projects projects(store, clock, bindings, rbac, &project_namespaces);
  // kubectl through Atrium: /clusters/{c}/api|apis/..., decided by Atrium's roles, forwarded impersonating the caller.
  api::KubePassthrough passthrough(
      connections, rbac,
      [&projects](std::string_view cluster, std::string_view ns) { return projects.find_namespace_scope(cluster, ns); },
      preflight);
  passthrough.register_routes(router);
  // Who the caller is and what they may do (the console shows only usable controls).
  api::AccessReviewRoutes access_reviews(rbac, [&projects](std::string_view cluster, std::string_view ns) {
    return projects.find_namespace_scope(cluster, ns);
  });
  access_reviews.register_routes(router);
  tenancy::Members members(store, bindings, [&clusters](std::string_view name) { return clusters.contains(name); });
  api::TenancyRoutes tenancy_routes(workspaces, projects, members);
  tenancy_routes.register_routes(router);
  types.push_back(&kube::cluster_type());

  identity::IdentityOptions identity_options;
  // Hash workers stay fewer than the I/O threads, so logins can never occupy every I/O thread.
  identity_options.hash_pool = {.workers = static_cast<int>(std::max<std::int64_t>(1, cfg.threads - 1)),
                                .queue_capacity = 0};
  identity_options.on_login = [&audit_log](const identity::LoginEvent& e) {
    audit::AuditEvent a;
    a.time = std::chrono::system_clock::now();
    a.user = e.user;
    a.source_address = e.client_address;
    a.verb = "login";
    a.api_group = "iam.atrium.io";
    a.resource = "sessions";
    a.outcome = e.outcome == identity::LoginEvent::Outcome::Success ? audit::Outcome::Success : audit::Outcome::Failure;
    a.status = e.outcome == identity::LoginEvent::Outcome::Success     ? 200
               : e.outcome == identity::LoginEvent::Outcome::Throttled ? 429
                                                                       : 401;
    a.message = e.reason;
    audit_log.record(std::move(a));
  };
  identity_options.before_delete_user = [&bindings](const std::string& user) {
    return bindings.check_not_last_platform_admin(user);
  };
  identity_options.before_disable_user = identity_options.before_delete_user;
  identity_options.deletion_mutations = [&bindings](const std::string& user) {
    return bindings.removals_for_user(user);
  };
  // LDAP users log in when ldap.url is set (finalize() checked the settings; the password is never logged).
  std::unique_ptr<identity::LdapDirectory> ldap;
  if (!cfg.ldap.url.empty()) {
    auto directory = identity::LdapDirectory::create(cfg.ldap);
    if (!directory) return fail_start(directory.error());
    ldap = std::move(*directory);
    identity_options.directory = ldap.get();
    bool encrypted = cfg.ldap.start_tls || cfg.ldap.url.starts_with("ldaps://");
    core::log_info("LDAP directory", {{"url", std::string_view(cfg.ldap.url)},
                                      {"start_tls", cfg.ldap.start_tls},
                                      {"user_base", std::string_view(cfg.ldap.base_dn)},
                                      {"groups", !cfg.ldap.group_base_dn.empty()}});
    if (!encrypted) {
      core::log_warn("LDAP passwords cross the network unencrypted: set ldap.startTls or use an ldaps:// URL",
                     {{"url", std::string_view(cfg.ldap.url)}});
    }
  }
  identity::IdentityService identity_service(store, clock, identity_options);
  const char* admin_password = std::getenv("ATRIUM_ADMIN_PASSWORD");
  auto generated = identity_service.ensure_bootstrap_admin(admin_password ? admin_password : "");
  if (!generated) return fail_start(generated.error().with_context("creating the admin user"));
  if (*generated) {
    // Printed once, on the first start only; the hash is all that is stored.
    std::fprintf(
        stderr,
        "\n  First start: user \"admin\" created with password %s\n  (set ATRIUM_ADMIN_PASSWORD to choose it)\n\n",
        (*generated)->c_str());
  }
  // The first administrator: `admin` holds platform-admin (idempotent across restarts and replicas).
  if (!bindings.get_member(iam::platform_scope(), identity::kBootstrapAdmin)) {
    auto bound = bindings.add_member(
        iam::platform_scope(), iam::Member{.user = std::string(identity::kBootstrapAdmin), .role = "platform-admin"});
    if (!bound && bound.error().code != core::ErrorCode::AlreadyExists) {
      return fail_start(bound.error().with_context("binding platform-admin to admin"));
    }
  }
  // Sessions nobody presents again are deleted by this timer (presented ones are checked on every request).
  identity::SessionSweeper session_sweeper(identity_service.tokens(), clock, kSessionSweepInterval);
  identity::IdentityAuthenticator identity_authn(identity_service);
  // The bootstrap token is a constant-time compare; sessions and API tokens need a store lookup.
  ChainAuthenticator authn({bootstrap->get(), &identity_authn});
  api::IdentityRoutes identity_routes(identity_service, store, clock, {.public_url = cfg.public_url});
  identity_routes.register_routes(router);
  types.push_back(&identity::user_type());
  types.push_back(&identity::group_type());
  core::Authorizer* authorizer = &rbac;
  api::register_audit_routes(router, audit_log, authorizer);
  std::string openapi = core::json::serialize(api::build_openapi(router, types, kVersion));
  router.add(api::Route{.method = "GET",
                        .pattern = "/api/v1/openapi.json",
                        .handler = [&openapi](api::RouteContext&) -> core::Result<net::HttpResponse> {
                          return api::json_response(200, openapi);
                        },
                        .access = api::Access::Public,
                        .summary = "This document"});
  router.add(api::Route{.method = "GET",
                        .pattern = "/api/v1/version",
                        .handler = [](api::RouteContext&) -> core::Result<net::HttpResponse> {
                          return api::json_response(200, core::json::value{{"version", kVersion}});
                        },
                        .access = api::Access::Public,
                        .summary = "Server version"});

  std::shared_ptr<const api::StaticFiles> console;
  if (std::string dir = find_console_dir(cfg); !dir.empty()) {
    auto files = api::StaticFiles::load(dir);
    if (!files) return fail_start(files.error());
    console = *files;
  }

  auto proxies = api::AddressMatcher::parse(cfg.trusted_proxies);
  if (!proxies) return fail_start(proxies.error().with_context("trustedProxies"));
  std::atomic<bool> ready{false};
  api::ApiOptions api_options;
  api_options.trusted_proxies = std::move(*proxies);
  api_options.metrics_token = cfg.metrics_token;
  api_options.metrics_on_main = cfg.metrics_listen.empty();
  api_options.ready = [&ready] { return ready.load(); };
  api_options.authorizer = authorizer;
  api_options.audit = &audit_log;
  api_options.public_url = cfg.public_url;
  api_options.namespace_scope = [&projects](std::string_view cluster, std::string_view ns) {
    return projects.find_namespace_scope(cluster, ns);
  };
  api::ApiHandler handler(router, authn, metrics, api_options, console);

  net::HttpServerOptions http;
  http.listen = cfg.listen;
  http.threads = static_cast<int>(cfg.threads);
  http.max_body_bytes = static_cast<std::size_t>(cfg.max_body_bytes);
  http.max_header_bytes = static_cast<std::size_t>(cfg.max_header_bytes);
  http.header_timeout = std::chrono::seconds(cfg.request_timeout_seconds);
  http.body_timeout = std::chrono::seconds(cfg.request_timeout_seconds);
  http.drain_timeout = std::chrono::seconds(cfg.shutdown_timeout_seconds);
  if (!cfg.tls_cert_file.empty()) http.tls = net::TlsFiles{cfg.tls_cert_file, cfg.tls_key_file};
  auto server = net::HttpServer::create(http, [&handler](net::HttpRequest& r) { return handler.handle(r); });
  if (!server) return fail_start(server.error());
  if (auto s = (*server)->start(); !s) return fail_start(s.error().with_context("listen " + cfg.listen));

  std::unique_ptr<net::HttpServer> metrics_server;
  if (!cfg.metrics_listen.empty()) {
    net::HttpServerOptions mo;
    mo.listen = cfg.metrics_listen;
    mo.threads = 1;
    auto ms = net::HttpServer::create(mo, [&handler](net::HttpRequest& r) { return handler.handle_metrics_only(r); });
    if (!ms) return fail_start(ms.error());
    if (auto s = (*ms)->start(); !s) return fail_start(s.error().with_context("metrics.listen " + cfg.metrics_listen));
    metrics_server = std::move(*ms);
  }

  ready.store(true);
  auto startup_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_time).count();
  core::log_info("atrium serving", {{"listen", std::string_view(cfg.listen)},
                                    {"public_url", std::string_view(cfg.public_url)},
                                    {"store", std::string_view(store.backend())},
                                    {"console", console != nullptr},
                                    {"version", std::string_view(kVersion)},
                                    {"startup_ms", startup_ms}});

  int sig = 0;
  sigwait(&signals, &sig);
  core::log_info("shutting down", {{"signal", static_cast<long long>(sig)}});
  ready.store(false);
  if (metrics_server) metrics_server->stop();
  (*server)->stop();
  core::log_info("stopped");
  return 0;
}

}  // namespace atrium::server
