// The version of this build, reported by `atrium version` and /api/v1/version.
#pragma once

namespace atrium::server {

inline constexpr const char* kVersion = "0.1.0";

}  // namespace atrium::server
