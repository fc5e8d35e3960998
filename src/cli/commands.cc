#include "cli/commands.h"

#include <algorithm>
#include <exception>
#include <ostream>

#include <fmt/format.h>

#include "crypto/mask.h"

#ifndef ATRIUM_VERSION
#define ATRIUM_VERSION "dev"
#endif

namespace atrium::cli {

namespace fs = std::filesystem;
namespace json = core::json;
using core::ErrorCode;

namespace {

const std::vector<Column> kDefaultColumns = {{"NAME", "metadata.name"}, {"CREATED", "metadata.creationTimestamp"}};

// True when a table of metadata columns makes sense: a list of objects, or an object with metadata.
bool is_resource_like(const json::value& v) {
  if (is_list(v)) {
    const auto& items = v.as_object().at("items").as_array();
    return std::all_of(items.begin(), items.end(), [](const json::value& i) { return i.is_object(); });
  }
  if (!v.is_object()) return false;
  const auto* metadata = v.as_object().if_contains("metadata");
  return metadata != nullptr && metadata->is_object();
}

bool is_loopback_url(std::string_view url) {
  auto rest = url.substr(url.find("://") + 3);
  for (std::string_view host : {"localhost", "127.", "[::1]"}) {
    if (rest.substr(0, host.size()) == host) return true;
  }
  return false;
}

// "NAME=metadata.name,PHASE=status.phase" or "metadata.name,status.phase".
core::Result<std::vector<Column>> parse_columns(std::string_view spec) {
  std::vector<Column> columns;
  while (!spec.empty()) {
    auto comma = spec.find(',');
    std::string_view item = spec.substr(0, comma);
    spec = comma == std::string_view::npos ? std::string_view() : spec.substr(comma + 1);
    auto eq = item.find('=');
    Column c;
    if (eq == std::string_view::npos) {
      c.path = std::string(item);
    } else {
      c.header = std::string(item.substr(0, eq));
      c.path = std::string(item.substr(eq + 1));
    }
    if (c.path.empty()) {
      return core::fail(ErrorCode::InvalidArgument,
                        "--columns takes HEADER=json.path or json.path items separated by commas");
    }
    columns.push_back(std::move(c));
  }
  return columns;
}

struct SetServerArgs {
  std::string url;
  std::string ca_file;
  bool insecure = false;
};

core::Status set_server(const CliContext& ctx, const SetServerArgs& args) {
  auto url = normalize_server_url(args.url);
  if (!url) return tl::unexpected(url.error());
  auto path = client_config_path(ctx.env);
  if (!path) return tl::unexpected(path.error());
  auto config = load_client_config(*path);
  if (!config) return tl::unexpected(config.error());

  ClientConfig updated;
  updated.server = *url;
  // A token belongs to the server that issued it: never carry it over to another server.
  if (config->server == *url) updated.token = config->token;
  if (!args.ca_file.empty()) {
    std::error_code ec;
    fs::path ca = fs::absolute(args.ca_file, ec);
    if (ec || !fs::is_regular_file(ca, ec)) {
      return core::fail(ErrorCode::InvalidArgument, fmt::format("--ca-file {} is not a readable file", args.ca_file));
    }
    updated.ca_file = ca.string();
  }
  updated.insecure_skip_tls_verify = args.insecure;
  if (auto s = save_client_config(*path, updated); !s) return s;

  ctx.out << "Server set to " << printable(updated.server) << " in " << printable(path->string()) << "\n";
  if (!config->token.empty() && updated.token.empty()) {
    ctx.err << "The saved token belonged to " << printable(config->server) << " and was removed; log in again.\n";
  }
  if (args.insecure) ctx.err << "warning: TLS certificates of this server will not be verified\n";
  if (updated.server.rfind("http://", 0) == 0 && !is_loopback_url(updated.server)) {
    ctx.err << "warning: http:// sends your token unencrypted; use https:// for servers beyond this machine\n";
  }
  return {};
}

core::Status view_config(const CliContext& ctx) {
  auto config = load_config(ctx);
  if (!config) return tl::unexpected(config.error());
  auto format = output_format(ctx);
  if (!format) return tl::unexpected(format.error());
  json::object o = to_json(*config);
  o["token"] = crypto::mask(config->token);
  ctx.out << (*format == OutputFormat::Json ? render_json(o) : render_yaml(o));
  return {};
}

core::Status show_version(const CliContext& ctx) {
  auto format = output_format(ctx);
  if (!format) return tl::unexpected(format.error());
  json::object result;
  result["clientVersion"] = json::object{{"version", std::string(client_version())}};
  std::string server_problem;
  if (auto client = connect(ctx); !client) {
    server_problem = client.error().message;
  } else if (auto v = (*client)->get("/version"); !v) {
    server_problem = v.error().message;
  } else {
    result["serverVersion"] = std::move(*v);
  }
  if (*format != OutputFormat::Table) {
    render(ctx.out, result, *format, {});
  } else {
    ctx.out << "Client Version: " << client_version() << "\n";
    if (const auto* server = result.if_contains("serverVersion")) {
      const json::value* version = find_path(*server, "version");
      if (version == nullptr || !version->is_string()) version = find_path(*server, "gitVersion");
      std::string text =
          version != nullptr && version->is_string() ? std::string(version->as_string()) : json::serialize(*server);
      ctx.out << "Server Version: " << printable(text) << "\n";
    }
  }
  if (!server_problem.empty()) ctx.err << "warning: no server version: " << printable(server_problem) << "\n";
  return {};
}

struct GetArgs {
  std::string path;
  std::string columns;
};

core::Status get_path(const CliContext& ctx, const GetArgs& args) {
  std::vector<Column> columns = kDefaultColumns;
  if (!args.columns.empty()) {
    auto parsed = parse_columns(args.columns);
    if (!parsed) return tl::unexpected(parsed.error());
    columns = std::move(*parsed);
  }
  auto client = connect(ctx);
  if (!client) return tl::unexpected(client.error());
  auto v = (*client)->get(args.path);
  if (!v) return tl::unexpected(v.error());
  return print_response(ctx, *v, columns);
}

int handle_parse_error(CLI::App& app, const CliContext& ctx, const CLI::ParseError& e) {
  if (e.get_name() == "RuntimeError") return e.get_exit_code();  // the command already printed why
  int code = app.exit(e, ctx.out, ctx.err);                      // help, version, or the usage message
  return code == static_cast<int>(CLI::ExitCodes::Success) ? kExitOk : kExitUsage;
}

template <class Parse>
int run_guarded(CLI::App& app, CliContext& ctx, Parse parse) {
  try {
    parse();
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    return handle_parse_error(app, ctx, e);
  } catch (const std::exception& e) {
    print_error(ctx, core::Error(ErrorCode::Internal, e.what()));
    return kExitFailure;
  }
}

}  // namespace

std::string_view client_version() { return ATRIUM_VERSION; }

CliContext::CliContext(std::ostream& out_stream, std::ostream& err_stream, EnvLookup env_lookup)
    : out(out_stream), err(err_stream), env(std::move(env_lookup)) {
  make_client = [](ApiClientOptions options) { return std::make_unique<ApiClient>(std::move(options)); };
}

core::Result<ClientConfig> load_config(const CliContext& ctx) {
  auto path = client_config_path(ctx.env);
  if (!path) return tl::unexpected(path.error());
  return load_client_config(*path);
}

core::Result<std::unique_ptr<ApiClient>> connect(const CliContext& ctx) {
  std::string server = ctx.server_flag;
  if (server.empty()) server = ctx.env("ATRIUM_SERVER").value_or("");
  const bool server_given = !server.empty();

  ClientConfig config;
  if (auto path = client_config_path(ctx.env); path) {
    auto loaded = load_client_config(*path);
    if (!loaded) return tl::unexpected(loaded.error());
    config = std::move(*loaded);
  } else if (!server_given) {
    return tl::unexpected(path.error());
  }
  if (!server_given) server = config.server;
  if (server.empty()) {
    return core::fail(ErrorCode::FailedPrecondition,
                      "no server configured: pass --server, set ATRIUM_SERVER or run `atrium config set-server URL`");
  }
  auto url = normalize_server_url(server);
  if (!url) return tl::unexpected(url.error());

  ApiClientOptions options;
  options.server = *url;
  // The saved token and TLS settings belong to the saved server; another server gets only $ATRIUM_TOKEN.
  if (options.server == config.server) {
    options.token = config.token;
    options.ca_file = config.ca_file;
    options.insecure_skip_tls_verify = config.insecure_skip_tls_verify;
  }
  if (auto token = ctx.env("ATRIUM_TOKEN"); token && !token->empty()) options.token = *token;
  return ctx.make_client(std::move(options));
}

core::Result<OutputFormat> output_format(const CliContext& ctx) { return parse_output_format(ctx.output_flag); }

core::Status print_response(const CliContext& ctx, const json::value& v, const std::vector<Column>& columns) {
  auto format = output_format(ctx);
  if (!format) return tl::unexpected(format.error());
  if (*format != OutputFormat::Table) {
    render(ctx.out, v, *format, columns);
    return {};
  }
  if (!is_resource_like(v)) {  // e.g. /version: no sensible columns, show the document
    ctx.out << render_yaml(v);
    return {};
  }
  if (is_list(v)) {
    const auto& o = v.as_object();
    const std::size_t shown = o.at("items").as_array().size();
    if (shown == 0) {
      ctx.err << "No resources found.\n";
      return {};
    }
    ctx.out << render_table(v, columns);
    if (const auto* total = o.if_contains("total");
        total != nullptr && total->is_int64() && total->as_int64() > static_cast<std::int64_t>(shown)) {
      ctx.err << "(" << shown << " of " << total->as_int64() << " shown)\n";
    }
    return {};
  }
  ctx.out << render_table(v, columns);
  return {};
}

void print_error(const CliContext& ctx, const core::Error& error) {
  ctx.err << "error: " << printable(error.message) << "\n";
  for (const auto& cause : error.causes) {
    ctx.err << "  " << (cause.field.empty() ? std::string() : printable(cause.field) + ": ") << printable(cause.message)
            << "\n";
  }
}

void run_command(const CliContext& ctx, const std::function<core::Status()>& body) {
  core::Status status = body();
  if (!status) {
    print_error(ctx, status.error());
    throw CLI::RuntimeError(kExitFailure);
  }
}

void add_commands(CLI::App& app, CliContext& ctx) {
  app.fallthrough();  // global options also after the subcommand: `atrium get /api/v1/users -o json`
  app.add_option("--server", ctx.server_flag, "Atrium server URL (default: $ATRIUM_SERVER, then the CLI config)");
  app.add_option("-o,--output", ctx.output_flag, "Output format: table (default), json or yaml")
      ->check(CLI::Validator(
          [](std::string& value) {
            auto format = parse_output_format(value);
            return format ? std::string() : format.error().message;
          },
          "table|json|yaml"));

  auto* config = app.add_subcommand("config",
                                    "Show or change the CLI configuration ($ATRIUM_CONFIG, default "
                                    "~/.config/atrium/config)");
  config->require_subcommand(1);
  auto set_server_args = std::make_shared<SetServerArgs>();
  auto* set_server_cmd = config->add_subcommand(
      "set-server", "Set the server URL; the saved token is kept only when the server does not change");
  set_server_cmd->add_option("URL", set_server_args->url, "e.g. https://atrium.example.com")->required();
  set_server_cmd->add_option("--ca-file", set_server_args->ca_file, "PEM file with the CAs to trust for this server");
  set_server_cmd->add_flag("--insecure-skip-tls-verify", set_server_args->insecure,
                           "Do not verify the server's TLS certificate (testing only)");
  set_server_cmd->callback(
      [&ctx, set_server_args] { run_command(ctx, [&] { return set_server(ctx, *set_server_args); }); });
  config->add_subcommand("view", "Show the CLI configuration (token masked)")->callback([&ctx] {
    run_command(ctx, [&] { return view_config(ctx); });
  });

  app.add_subcommand("version", "Show the client version and, when reachable, the server's")->callback([&ctx] {
    run_command(ctx, [&] { return show_version(ctx); });
  });

  auto get_args = std::make_shared<GetArgs>();
  auto* get = app.add_subcommand("get", "GET an API path and show the result, e.g. atrium get /api/v1/workspaces");
  get->add_option("PATH", get_args->path, "Absolute API path, with an optional query")->required();
  get->add_option(
      "--columns", get_args->columns,
      "Table columns as HEADER=json.path,... (default NAME=metadata.name,CREATED=metadata.creationTimestamp)");
  get->callback([&ctx, get_args] { run_command(ctx, [&] { return get_path(ctx, *get_args); }); });

  add_resource_commands(app, ctx,
                        {.name = "clusters",
                         .path = "/api/v1/clusters",
                         .columns = {{"NAME", "metadata.name"},
                                     {"PHASE", "status.phase"},
                                     {"VERSION", "status.kubernetesVersion"},
                                     {"NODES", "status.nodes"},
                                     {"CREATED", "metadata.creationTimestamp"}},
                         .aliases = {"cluster"},
                         .description = "Manage the Kubernetes clusters Atrium manages (create -f with a kubeconfig)"});
}

int run_cli(CLI::App& app, CliContext& ctx, int argc, const char* const* argv) {
  return run_guarded(app, ctx, [&] { app.parse(argc, argv); });
}

int run_cli(CLI::App& app, CliContext& ctx, std::vector<std::string> args) {
  std::reverse(args.begin(), args.end());  // CLI11 consumes a reversed vector
  return run_guarded(app, ctx, [&] { app.parse(std::move(args)); });
}

}  // namespace atrium::cli
