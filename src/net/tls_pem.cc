#include "net/tls_pem.h"

#include <climits>
#include <memory>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

namespace atrium::net {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;

// Never prompt on a terminal for a passphrase: an encrypted key simply fails to load.
int no_passphrase(char*, int, int, void*) { return 0; }

core::Result<BioPtr> memory_bio(std::string_view pem) {
  if (pem.size() > static_cast<std::size_t>(INT_MAX)) {
    return core::fail(core::ErrorCode::InvalidArgument, "PEM data is too large");
  }
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return core::fail(core::ErrorCode::Internal, "cannot allocate a memory BIO");
  return bio;
}

// The reason of the last OpenSSL error, for messages; clears the thread's error queue.
std::string last_error() {
  unsigned long code = ERR_peek_last_error();
  std::string out;
  if (code != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    out = buf;
  }
  ERR_clear_error();
  return out;
}

std::chrono::system_clock::time_point to_time_point(const ASN1_TIME* t, bool& ok) {
  using namespace std::chrono;
  std::tm tm{};
  ok = t != nullptr && ASN1_TIME_to_tm(t, &tm) == 1;
  if (!ok) return {};
  const year_month_day ymd{year{tm.tm_year + 1900}, month{static_cast<unsigned>(tm.tm_mon + 1)},
                           day{static_cast<unsigned>(tm.tm_mday)}};
  const long long days = sys_days(ymd).time_since_epoch().count();
  const long long secs = days * 86400LL + tm.tm_hour * 3600LL + tm.tm_min * 60LL + tm.tm_sec;
  const long long max_secs = duration_cast<seconds>(system_clock::duration::max()).count() - 1;
  const long long min_secs = duration_cast<seconds>(system_clock::duration::min()).count() + 1;
  if (secs >= max_secs) return system_clock::time_point::max();
  if (secs <= min_secs) return system_clock::time_point::min();
  return system_clock::time_point(duration_cast<system_clock::duration>(seconds(secs)));
}

core::Result<PemCertificateInfo> describe(X509* cert) {
  PemCertificateInfo info;
  bool ok_before = false, ok_after = false;
  info.not_before = to_time_point(X509_get0_notBefore(cert), ok_before);
  info.not_after = to_time_point(X509_get0_notAfter(cert), ok_after);
  if (!ok_before || !ok_after) {
    ERR_clear_error();
    return core::fail(core::ErrorCode::InvalidArgument, "certificate has an unreadable validity period");
  }
  BioPtr out(BIO_new(BIO_s_mem()));
  if (out && X509_NAME_print_ex(out.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253) >= 0) {
    char* data = nullptr;
    long n = BIO_get_mem_data(out.get(), &data);
    if (n > 0 && data) info.subject.assign(data, static_cast<std::size_t>(n));
  }
  ERR_clear_error();
  return info;
}

core::Result<X509Ptr> first_certificate(std::string_view pem) {
  auto bio = memory_bio(pem);
  if (!bio) return tl::unexpected(bio.error());
  X509Ptr cert(PEM_read_bio_X509(bio->get(), nullptr, no_passphrase, nullptr));
  if (!cert) {
    std::string why = last_error();
    return core::fail(core::ErrorCode::InvalidArgument,
                      "not a PEM X.509 certificate" + (why.empty() ? std::string() : " (" + why + ")"));
  }
  return cert;
}

core::Result<KeyPtr> read_key(std::string_view pem) {
  auto bio = memory_bio(pem);
  if (!bio) return tl::unexpected(bio.error());
  KeyPtr key(PEM_read_bio_PrivateKey(bio->get(), nullptr, no_passphrase, nullptr));
  if (!key) {
    std::string why = last_error();
    if (pem.find("ENCRYPTED") != std::string_view::npos) {
      return core::fail(core::ErrorCode::InvalidArgument,
                        "private key is encrypted with a passphrase; an unencrypted key is needed");
    }
    return core::fail(core::ErrorCode::InvalidArgument,
                      "not a PEM private key" + (why.empty() ? std::string() : " (" + why + ")"));
  }
  return key;
}

}  // namespace

core::Result<std::vector<PemCertificateInfo>> inspect_certificates_pem(std::string_view pem) {
  auto bio = memory_bio(pem);
  if (!bio) return tl::unexpected(bio.error());
  ERR_clear_error();
  std::vector<PemCertificateInfo> out;
  for (;;) {
    X509Ptr cert(PEM_read_bio_X509(bio->get(), nullptr, no_passphrase, nullptr));
    if (!cert) break;
    auto info = describe(cert.get());
    if (!info) return tl::unexpected(info.error());
    out.push_back(std::move(*info));
  }
  // The loop ends at the end of the data ("no start line") or at a block that does not parse.
  unsigned long code = ERR_peek_last_error();
  bool clean_end = ERR_GET_LIB(code) == ERR_LIB_PEM && ERR_GET_REASON(code) == PEM_R_NO_START_LINE;
  std::string why = last_error();
  if (out.empty()) {
    return core::fail(core::ErrorCode::InvalidArgument,
                      clean_end ? std::string("no PEM certificate found (expected -----BEGIN CERTIFICATE-----)")
                                : "not a PEM X.509 certificate" + (why.empty() ? std::string() : " (" + why + ")"));
  }
  if (!clean_end) {
    return core::fail(core::ErrorCode::InvalidArgument, "certificate " + std::to_string(out.size() + 1) +
                                                            " of the PEM bundle does not parse" +
                                                            (why.empty() ? std::string() : " (" + why + ")"));
  }
  return out;
}

core::Result<PemCertificateInfo> inspect_certificate_pem(std::string_view pem) {
  ERR_clear_error();
  auto cert = first_certificate(pem);
  if (!cert) return tl::unexpected(cert.error());
  return describe(cert->get());
}

core::Status check_private_key_pem(std::string_view pem) {
  ERR_clear_error();
  auto key = read_key(pem);
  if (!key) return tl::unexpected(key.error());
  return {};
}

core::Status check_key_matches_certificate_pem(std::string_view certificate_pem, std::string_view key_pem) {
  ERR_clear_error();
  auto cert = first_certificate(certificate_pem);
  if (!cert) return tl::unexpected(cert.error());
  auto key = read_key(key_pem);
  if (!key) return tl::unexpected(key.error());
  if (X509_check_private_key(cert->get(), key->get()) != 1) {
    ERR_clear_error();
    return core::fail(core::ErrorCode::InvalidArgument, "the private key does not belong to the certificate");
  }
  return {};
}

}  // namespace atrium::net
