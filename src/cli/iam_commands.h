// The identity and tenancy commands of the CLI: login/logout, and users, groups, tokens, roles,
// workspaces, projects, members and the audit log over their REST resources. Added explicitly by main().
#pragma once

#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace atrium::cli {

// `atrium login` reads the password from $ATRIUM_PASSWORD, --password-stdin, or a prompt without echo.
void add_iam_commands(CLI::App& app, CliContext& ctx);

}  // namespace atrium::cli
