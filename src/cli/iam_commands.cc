#include "cli/iam_commands.h"

#include <termios.h>
#include <unistd.h>

#include <iostream>

#include <fmt/format.h>

#include "cli/client_config.h"

namespace atrium::cli {
namespace {

struct LoginArgs {
  std::string user;
  bool password_stdin = false;
};

core::Result<std::string> read_password(const CliContext& ctx, const LoginArgs& args) {
  if (auto p = ctx.env("ATRIUM_PASSWORD"); p && !p->empty()) return *p;
  std::string password;
  if (args.password_stdin || !isatty(STDIN_FILENO)) {
    std::getline(std::cin, password);
  } else {
    ctx.err << "Password for " << args.user << ": " << std::flush;
    termios old{};
    tcgetattr(STDIN_FILENO, &old);
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    std::getline(std::cin, password);
    tcsetattr(STDIN_FILENO, TCSANOW, &old);
    ctx.err << "\n";
  }
  if (password.empty()) return core::fail(core::ErrorCode::InvalidArgument, "no password given");
  return password;
}

core::Status login(const CliContext& ctx, const LoginArgs& args) {
  auto password = read_password(ctx, args);
  if (!password) return tl::unexpected(password.error());
  auto client = connect(ctx);
  if (!client) return tl::unexpected(client.error());
  auto answer = (*client)->post("/api/v1/login", core::json::object{{"username", args.user}, {"password", *password}});
  if (!answer) return tl::unexpected(answer.error());
  const auto* token = answer->is_object() ? answer->as_object().if_contains("token") : nullptr;
  if (!token || !token->is_string()) return core::fail(core::ErrorCode::Internal, "the server sent no token");
  auto path = client_config_path(ctx.env);
  if (!path) return tl::unexpected(path.error());
  ClientConfig config;
  if (auto loaded = load_client_config(*path)) config = std::move(*loaded);
  std::string server = ctx.server_flag;
  if (server.empty()) server = ctx.env("ATRIUM_SERVER").value_or(config.server);
  auto url = normalize_server_url(server);
  if (!url) return tl::unexpected(url.error());
  if (config.server != *url) {
    config.ca_file.clear();
    config.insecure_skip_tls_verify = false;
  }
  config.server = *url;
  config.token = std::string(token->as_string());
  if (auto s = save_client_config(*path, config); !s) return s;
  ctx.out << "Logged in to " << *url << " as " << args.user << "\n";
  return {};
}

core::Status logout(const CliContext& ctx) {
  auto client = connect(ctx);
  if (!client) return tl::unexpected(client.error());
  auto answer = (*client)->post("/api/v1/logout", core::json::object());
  auto path = client_config_path(ctx.env);
  if (path) {
    if (auto loaded = load_client_config(*path)) {
      loaded->token.clear();
      if (auto s = save_client_config(*path, *loaded); !s) return s;
    }
  }
  if (!answer) return tl::unexpected(answer.error());
  ctx.out << "Logged out\n";
  return {};
}

struct AuditArgs {
  std::string user, verb, outcome, workspace, since, until;
  std::int64_t limit = 50;
};

core::Status show_audit(const CliContext& ctx, const AuditArgs& a) {
  std::string query = "?limit=" + std::to_string(a.limit);
  for (const auto& [k, v] : {std::pair<const char*, const std::string&>{"user", a.user},
                             {"verb", a.verb},
                             {"outcome", a.outcome},
                             {"workspace", a.workspace},
                             {"since", a.since},
                             {"until", a.until}}) {
    if (!v.empty()) query += fmt::format("&{}={}", k, encode_path_segment(v));
  }
  auto client = connect(ctx);
  if (!client) return tl::unexpected(client.error());
  auto v = (*client)->get("/api/v1/audit" + query);
  if (!v) return tl::unexpected(v.error());
  return print_response(ctx, *v,
                        {{"TIME", "time"},
                         {"USER", "user"},
                         {"VERB", "verb"},
                         {"RESOURCE", "resource"},
                         {"NAME", "name"},
                         {"WORKSPACE", "scope.workspace"},
                         {"OUTCOME", "outcome"},
                         {"STATUS", "status"},
                         {"FROM", "sourceAddress"}});
}

}  // namespace

void add_iam_commands(CLI::App& app, CliContext& ctx) {
  auto login_args = std::make_shared<LoginArgs>();
  auto* login_cmd = app.add_subcommand("login", "Log in and keep the session token in the CLI config (0600)");
  login_cmd->add_option("-u,--username", login_args->user, "User name")->required();
  login_cmd->add_flag("--password-stdin", login_args->password_stdin, "Read the password from standard input");
  login_cmd->callback([&ctx, login_args] { run_command(ctx, [&] { return login(ctx, *login_args); }); });
  app.add_subcommand("logout", "End the session and forget its token")->callback([&ctx] {
    run_command(ctx, [&] { return logout(ctx); });
  });

  const std::vector<Column> named = {{"NAME", "metadata.name"}, {"CREATED", "metadata.creationTimestamp"}};
  add_resource_commands(app, ctx,
                        {.name = "users",
                         .path = "/api/v1/users",
                         .columns = {{"NAME", "metadata.name"},
                                     {"EMAIL", "spec.email"},
                                     {"STATE", "spec.state"},
                                     {"CREATED", "metadata.creationTimestamp"}},
                         .aliases = {"user"}});
  add_resource_commands(app, ctx, {.name = "groups", .path = "/api/v1/groups", .columns = named, .aliases = {"group"}});
  add_resource_commands(
      app, ctx,
      {.name = "tokens",
       .path = "/api/v1/tokens",
       .columns = {{"NAME", "metadata.name"}, {"DESCRIPTION", "spec.description"}, {"EXPIRES", "spec.expiresAt"}},
       .aliases = {"token"}});
  add_resource_commands(app, ctx,
                        {.name = "roles",
                         .path = "/api/v1/roles",
                         .columns = {{"NAME", "metadata.name"}, {"LEVEL", "spec.level"}, {"BUILTIN", "spec.builtin"}},
                         .aliases = {"role"}});
  add_resource_commands(
      app, ctx,
      {.name = "workspaces",
       .path = "/api/v1/workspaces",
       .columns = {{"NAME", "metadata.name"}, {"MANAGER", "spec.manager"}, {"CREATED", "metadata.creationTimestamp"}},
       .aliases = {"workspace", "ws"}});
  add_resource_commands(
      app, ctx,
      {.name = "projects",
       .path = "/api/v1/workspaces/{workspace}/projects",
       .columns = {{"NAME", "metadata.name"}, {"CLUSTER", "spec.cluster"}, {"CREATED", "metadata.creationTimestamp"}},
       .aliases = {"project"}});
  const std::vector<Column> member_columns = {{"USER", "user"}, {"GROUP", "group"}, {"ROLE", "role"}};
  add_resource_commands(app, ctx,
                        {.name = "platform-members",
                         .path = "/api/v1/members",
                         .columns = member_columns,
                         .description = "Manage platform roles (platform-admin, platform-auditor, ...)"});
  add_resource_commands(app, ctx,
                        {.name = "members",
                         .path = "/api/v1/workspaces/{workspace}/members",
                         .columns = member_columns,
                         .aliases = {"member"},
                         .description = "Manage a workspace's members"});
  add_resource_commands(app, ctx,
                        {.name = "project-members",
                         .path = "/api/v1/workspaces/{workspace}/projects/{project}/members",
                         .columns = member_columns,
                         .description = "Manage a project's members"});

  auto audit_args = std::make_shared<AuditArgs>();
  auto* audit = app.add_subcommand("audit", "Search the audit log");
  audit->add_option("--user", audit_args->user);
  audit->add_option("--verb", audit_args->verb);
  audit->add_option("--outcome", audit_args->outcome, "success, failure or denied");
  audit->add_option("--workspace", audit_args->workspace);
  audit->add_option("--since", audit_args->since, "RFC 3339 time");
  audit->add_option("--until", audit_args->until, "RFC 3339 time");
  audit->add_option("--limit", audit_args->limit)->check(CLI::Range(1, 1000));
  audit->callback([&ctx, audit_args] { run_command(ctx, [&] { return show_audit(ctx, *audit_args); }); });
}

}  // namespace atrium::cli
