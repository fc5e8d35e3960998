// The `atrium` binary: `atrium serve` runs the platform; every other subcommand is the CLI over the REST
// API (src/cli). Configuration precedence for serve: defaults < --config YAML < ATRIUM_* env < flags.
#include <iostream>
#include <map>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/iam_commands.h"
#include "server/config.h"
#include "server/secrets_command.h"
#include "server/serve.h"

extern char** environ;

namespace {

std::map<std::string, std::string> environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv = *e;
    auto eq = kv.find('=');
    if (eq != std::string_view::npos) env.emplace(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return env;
}

// Resolves the configuration from every source, or throws CLI::RuntimeError after printing why.
atrium::server::ServerConfig load_config(const std::string& config_file,
                                         const std::map<std::string, std::string>& flag_values) {
  using namespace atrium;
  server::ServerConfig cfg;
  auto check = [](const core::Status& s) {
    if (!s) {
      std::cerr << "atrium: invalid configuration: " << s.error().message << "\n";
      throw CLI::RuntimeError(atrium::cli::kExitUsage);
    }
  };
  if (!config_file.empty()) check(server::apply_yaml_file(cfg, config_file));
  check(server::apply_environment(cfg, environment()));
  for (const auto& [key, value] : flag_values) check(server::apply_setting(cfg, key, value, "flag"));
  check(server::finalize(cfg));
  return cfg;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace atrium;
  CLI::App app{"Atrium: one console and one API over your Kubernetes clusters", "atrium"};
  app.require_subcommand(1);
  cli::CliContext ctx(std::cout, std::cerr, cli::process_env());
  cli::add_commands(app, ctx);
  cli::add_iam_commands(app, ctx);

  // serve: one flag per configuration key (secrets have none), from the same table as YAML and environment.
  auto* serve = app.add_subcommand("serve", "Run the Atrium server");
  std::string config_file;
  serve->add_option("--config", config_file, "YAML configuration file")->check(CLI::ExistingFile);
  auto flag_values = std::make_shared<std::map<std::string, std::string>>();
  // One string per setting, filled by CLI11; only flags actually given are applied.
  std::vector<std::string> flag_storage(server::settings().size());
  std::vector<std::pair<std::size_t, CLI::Option*>> flag_options;  // index into settings() and flag_storage
  for (std::size_t i = 0; i < server::settings().size(); ++i) {
    const auto& s = server::settings()[i];
    if (s.flag.empty()) continue;
    auto* opt = serve->add_option(s.flag, flag_storage[i], s.description + " [" + s.env + "]");
    opt->type_name("VALUE");
    flag_options.emplace_back(i, opt);
  }
  bool print_reference = false;
  serve->add_flag("--print-config-reference", print_reference, "Print the table of configuration keys and exit");
  serve->callback([&] {
    if (print_reference) {
      std::cout << server::settings_reference();
      return;
    }
    for (const auto& [i, opt] : flag_options) {
      if (opt->count() > 0) (*flag_values)[server::settings()[i].key] = flag_storage[i];
    }
    auto cfg = load_config(config_file, *flag_values);
    int code = server::serve(cfg);
    if (code != 0) throw CLI::RuntimeError(code);
  });

  server::add_secrets_commands(app, [&](std::string_view) {
    std::map<std::string, std::string> none;
    return load_config(config_file, none);
  });

  return cli::run_cli(app, ctx, argc, argv);
}
