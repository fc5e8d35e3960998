// `atrium serve`: builds every component from the configuration, serves until SIGTERM/SIGINT, then
// shuts down gracefully. The only place that constructs concrete implementations.
#pragma once

#include "server/config.h"

namespace atrium::server {

// Returns the process exit code.
int serve(const ServerConfig& config);

}  // namespace atrium::server
