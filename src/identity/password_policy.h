// The password policy for local users: at least 12 characters, not the user name, and either at least three of
// the four character classes (lower case, upper case, digits, other) or at least 20 characters (passphrases).
// Pure; thread-safe.
#pragma once

#include <string_view>

#include "core/error.h"

namespace atrium::identity {

struct PasswordPolicy {
  std::size_t min_length = 12;         // in characters (UTF-8 code points), not bytes
  std::size_t passphrase_length = 20;  // from this length on, character classes are not required
  std::size_t min_classes = 3;
};

// InvalidArgument with causes at `field` (e.g. "spec.password") saying every rule the password breaks.
core::Status check_password(std::string_view user, std::string_view password, const PasswordPolicy& policy,
                            std::string_view field = "spec.password");

}  // namespace atrium::identity
