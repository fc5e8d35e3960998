// The `atrium` CLI commands over the REST API (config, version, get, and resource list/get/delete), added to
// a CLI11 app by add_commands(); run_cli() parses, runs and turns every outcome into an exit code.
// A CliContext is used by one command run at a time; nothing here is thread-safe.
//
// main() (src/server/) runs the CLI like this:
//   CLI::App app{"Atrium: a cloud-native application platform", "atrium"};
//   atrium::cli::CliContext ctx(std::cout, std::cerr, atrium::cli::process_env());
//   atrium::cli::add_commands(app, ctx);   // and app.add_subcommand("serve", ...) for the server
//   return atrium::cli::run_cli(app, ctx, argc, argv);
// Exit codes: kExitOk (0) success, also --help; kExitFailure (1) the command failed: the server's message (or
// why it could not be reached) is on stderr; kExitUsage (2) bad command line, message and hint on stderr.
// A command's callback wraps its body in run_command(), which prints an error and throws
// CLI::RuntimeError(kExitFailure); serve's own callback may throw CLI::RuntimeError(code) the same way.
#pragma once

#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/api_client.h"
#include "cli/client_config.h"
#include "cli/output.h"
#include "core/error.h"
#include "core/json.h"

namespace atrium::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// The client's version (the CMake project version).
std::string_view client_version();

using ClientFactory = std::function<std::unique_ptr<ApiClient>(ApiClientOptions)>;

// What commands share: where to print, the environment, how to reach the server, the global options.
struct CliContext {
  CliContext(std::ostream& out_stream, std::ostream& err_stream, EnvLookup env_lookup);

  std::ostream& out;
  std::ostream& err;
  EnvLookup env;
  // Builds the API client; defaults to a real net::HttpClient. Tests substitute a fake transport.
  ClientFactory make_client;

  // Global options, filled by CLI11 while parsing.
  std::string server_flag;  // --server
  std::string output_flag;  // -o/--output: "", "table", "json" or "yaml"
};

// Adds the global options (--server, -o/--output) and the subcommands config (set-server, view), version and get.
// Sets app.fallthrough() so global options are also accepted after a subcommand added later. `ctx` must
// outlive `app`.
void add_commands(CLI::App& app, CliContext& ctx);

// Parses `argv` and runs the selected command; returns the exit code (see the top of this file). Catches every
// exception at this boundary.
int run_cli(CLI::App& app, CliContext& ctx, int argc, const char* const* argv);
// Same with the arguments after the program name (tests).
int run_cli(CLI::App& app, CliContext& ctx, std::vector<std::string> args);

// A resource type with list/get/delete subcommands, e.g.
//   add_resource_commands(app, ctx, {.name = "workspaces", .path = "/api/v1/workspaces",
//                                    .columns = {{"NAME", "metadata.name"}, {"CREATED", "metadata.creationTimestamp"}},
//                                    .aliases = {"workspace", "ws"}});
// gives `atrium workspaces list [--limit N] [--page N] [-l SELECTOR]`, `atrium workspaces get NAME` and
// `atrium workspaces delete NAME`. Each "{param}" in `path` becomes a required option `--param`, e.g.
// "/api/v1/workspaces/{workspace}/projects" adds --workspace. Returns the resource's subcommand so callers can
// add more verbs (create, update...).
struct ResourceCommandSpec {
  std::string name;                  // plural, the subcommand name
  std::string path;                  // collection path template
  std::vector<Column> columns;       // table columns for list and get
  std::vector<std::string> aliases;  // other names for the subcommand
  std::string description;           // help text; defaults to "Manage <name>"
};
CLI::App* add_resource_commands(CLI::App& app, CliContext& ctx, ResourceCommandSpec spec);

// Building blocks for commands added later (login, users, ...).

// Loads the CLI config from client_config_path(ctx.env).
core::Result<ClientConfig> load_config(const CliContext& ctx);
// Resolves the connection (server: --server, then $ATRIUM_SERVER, then the config; token: $ATRIUM_TOKEN, then
// the config) and builds a client. FailedPrecondition when no server is configured.
core::Result<std::unique_ptr<ApiClient>> connect(const CliContext& ctx);
// The -o format.
core::Result<OutputFormat> output_format(const CliContext& ctx);
// Prints a response in the -o format (table with `columns`; "No resources found." on stderr for an empty list,
// and a "showing N of M" note when the list is one page of more).
core::Status print_response(const CliContext& ctx, const core::json::value& v, const std::vector<Column>& columns);
// Prints "error: <message>" (and one line per cause) to ctx.err, escaped for the terminal.
void print_error(const CliContext& ctx, const core::Error& error);
// Runs `body`; on error prints it and throws CLI::RuntimeError(kExitFailure). Use as a command's callback body.
void run_command(const CliContext& ctx, const std::function<core::Status()>& body);

}  // namespace atrium::cli
