// Random RFC 4122 version-4 UUIDs for metadata.uid and request ids. Thread-safe.
#pragma once

#include <string>

namespace atrium::core {

std::string new_uid();
// 16 lowercase hex characters; cheap enough for every request.
std::string new_request_id();

}  // namespace atrium::core
