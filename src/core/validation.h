// Kubernetes name and label rules, shared by every resource type. Each returns an empty string when the
// value is valid, otherwise a message saying what is wrong. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace atrium::core {

// DNS-1123 label: at most 63 lowercase alphanumerics or '-', starting and ending alphanumeric.
std::string validate_dns1123_label(std::string_view s);
// DNS-1123 subdomain: at most 253 characters, dot-separated DNS-1123 labels.
std::string validate_dns1123_subdomain(std::string_view s);
// Label key: optional DNS subdomain prefix and '/', then a name of at most 63 characters.
std::string validate_label_key(std::string_view s);
// Label value: empty, or at most 63 characters of [A-Za-z0-9-_.] starting and ending alphanumeric.
std::string validate_label_value(std::string_view s);

}  // namespace atrium::core
