// PEM inspection for modules that must check certificates and keys without OpenSSL headers (kube's kubeconfig
// validation): does a PEM hold X.509 certificates, when are they valid, is a private key readable and does it
// belong to a certificate. Nothing here prompts for passphrases. Free functions; thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace atrium::net {

struct PemCertificateInfo {
  std::string subject;  // one line, RFC 2253 ("CN=admin,O=system:masters")
  // Validity period; dates beyond what system_clock can hold (e.g. 9999-12-31) clamp to its min/max.
  std::chrono::system_clock::time_point not_before;
  std::chrono::system_clock::time_point not_after;
};

// Every certificate of a PEM bundle, in order. InvalidArgument when there is none or a block does not parse.
core::Result<std::vector<PemCertificateInfo>> inspect_certificates_pem(std::string_view pem);

// The first certificate of a PEM (a client certificate is followed by its chain, if any).
core::Result<PemCertificateInfo> inspect_certificate_pem(std::string_view pem);

// InvalidArgument unless `pem` holds an unencrypted private key (PKCS#8 or traditional RSA/EC).
core::Status check_private_key_pem(std::string_view pem);

// InvalidArgument unless the private key in `key_pem` is the one of the first certificate in `certificate_pem`.
core::Status check_key_matches_certificate_pem(std::string_view certificate_pem, std::string_view key_pem);

}  // namespace atrium::net
