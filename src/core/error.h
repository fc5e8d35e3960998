// Errors as values: every fallible call in Atrium returns Result<T>. An Error carries a canonical code,
// a message a user can act on, and optional causes (field path + message) for validation failures.
// Value types; thread-compatible.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <tl/expected.hpp>

namespace atrium::core {

enum class ErrorCode {
  InvalidArgument,
  NotFound,
  AlreadyExists,
  PermissionDenied,
  Unauthenticated,
  Conflict,
  FailedPrecondition,
  ResourceExhausted,
  Unavailable,
  DeadlineExceeded,
  MethodNotAllowed,
  PayloadTooLarge,
  Gone,  // HTTP 410: a Kubernetes resourceVersion or continue token too old
  Internal,
};

// One invalid field of a request: `field` is a JSON path such as "metadata.labels[0]".
struct Cause {
  std::string field;
  std::string message;
};

struct Error {
  ErrorCode code = ErrorCode::Internal;
  std::string message;
  std::vector<Cause> causes;

  Error() = default;
  Error(ErrorCode c, std::string msg) : code(c), message(std::move(msg)) {}
  Error(ErrorCode c, std::string msg, std::vector<Cause> cs)
      : code(c), message(std::move(msg)), causes(std::move(cs)) {}

  // Returns a copy whose message is prefixed with `context: `.
  Error with_context(std::string_view context) const;
};

template <class T>
using Result = tl::expected<T, Error>;
using Status = Result<void>;

inline tl::unexpected<Error> fail(ErrorCode code, std::string message) {
  return tl::unexpected<Error>(Error(code, std::move(message)));
}
inline tl::unexpected<Error> fail(Error e) { return tl::unexpected<Error>(std::move(e)); }

// HTTP status for a code (InvalidArgument → 400 or 422 when causes are present, see status_json).
int http_status(const Error& e);
// Kubernetes Status `reason` for a code ("NotFound", "AlreadyExists", "Invalid", ...).
std::string_view reason(const Error& e);
// Short stable name of a code, for logs and metrics ("not_found").
std::string_view code_name(ErrorCode code);
// Maps an HTTP status back to a code (for clients reading a Status body).
ErrorCode code_from_http_status(int status);

}  // namespace atrium::core
