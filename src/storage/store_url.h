// Reading store URLs safely: passwords never reach logs or error messages. A URL's password may sit in its
// user-info ("postgres://user:secret@host/db") or in a query parameter ("?password=secret").
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace atrium::storage {

// `url` with every password replaced by "***".
std::string redact_url(std::string_view url);

// `text` (e.g. a driver's error message) with any occurrence of `url`'s password(s) replaced by "***".
std::string scrub_password(std::string text, std::string_view url);

}  // namespace atrium::storage
