#include "identity/password_policy.h"

#include <cctype>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "crypto/password.h"

namespace atrium::identity {
namespace {

std::size_t code_points(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;  // count every byte that does not continue a sequence
  return n;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

core::Status check_password(std::string_view user, std::string_view password, const PasswordPolicy& policy,
                            std::string_view field) {
  std::vector<core::Cause> causes;
  auto add = [&](std::string message) { causes.push_back(core::Cause{std::string(field), std::move(message)}); };
  const std::size_t length = code_points(password);
  if (password.size() > crypto::kMaxPasswordBytes) {
    add(fmt::format("must be at most {} bytes", crypto::kMaxPasswordBytes));
  }
  if (password.find('\0') != std::string_view::npos) add("must not contain NUL characters");
  if (length < policy.min_length) add(fmt::format("must be at least {} characters long", policy.min_length));
  if (!user.empty() && lower(password) == lower(user)) add("must not be the user name");
  if (length < policy.passphrase_length) {
    bool lower_c = false, upper_c = false, digit = false, other = false;
    for (unsigned char c : password) {
      if (std::islower(c))
        lower_c = true;
      else if (std::isupper(c))
        upper_c = true;
      else if (std::isdigit(c))
        digit = true;
      else
        other = true;  // punctuation, spaces and every non-ASCII character
    }
    std::size_t classes = lower_c + upper_c + digit + other;
    if (classes < policy.min_classes) {
      add(
          fmt::format("must mix at least {} of: lower-case letters, upper-case letters, digits, other characters "
                      "(or be at least {} characters long)",
                      policy.min_classes, policy.passphrase_length));
    }
  }
  if (causes.empty()) return {};
  return core::fail(core::Error(core::ErrorCode::InvalidArgument, "the password does not meet the password policy",
                                std::move(causes)));
}

}  // namespace atrium::identity
