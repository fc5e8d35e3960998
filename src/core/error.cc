#include "core/error.h"

namespace atrium::core {

Error Error::with_context(std::string_view context) const {
  Error e = *this;
  e.message = std::string(context) + ": " + message;
  return e;
}

int http_status(const Error& e) {
  switch (e.code) {
    case ErrorCode::InvalidArgument:
      return e.causes.empty() ? 400 : 422;
    case ErrorCode::NotFound:
      return 404;
    case ErrorCode::AlreadyExists:
      return 409;
    case ErrorCode::PermissionDenied:
      return 403;
    case ErrorCode::Unauthenticated:
      return 401;
    case ErrorCode::Conflict:
      return 409;
    case ErrorCode::FailedPrecondition:
      return 412;
    case ErrorCode::ResourceExhausted:
      return 429;
    case ErrorCode::Unavailable:
      return 503;
    case ErrorCode::DeadlineExceeded:
      return 504;
    case ErrorCode::MethodNotAllowed:
      return 405;
    case ErrorCode::PayloadTooLarge:
      return 413;
    case ErrorCode::Gone:
      return 410;
    case ErrorCode::Internal:
      return 500;
  }
  return 500;
}

std::string_view reason(const Error& e) {
  switch (e.code) {
    case ErrorCode::InvalidArgument:
      return e.causes.empty() ? "BadRequest" : "Invalid";
    case ErrorCode::NotFound:
      return "NotFound";
    case ErrorCode::AlreadyExists:
      return "AlreadyExists";
    case ErrorCode::PermissionDenied:
      return "Forbidden";
    case ErrorCode::Unauthenticated:
      return "Unauthorized";
    case ErrorCode::Conflict:
      return "Conflict";
    case ErrorCode::FailedPrecondition:
      return "PreconditionFailed";
    case ErrorCode::ResourceExhausted:
      return "TooManyRequests";
    case ErrorCode::Unavailable:
      return "ServiceUnavailable";
    case ErrorCode::DeadlineExceeded:
      return "Timeout";
    case ErrorCode::MethodNotAllowed:
      return "MethodNotAllowed";
    case ErrorCode::PayloadTooLarge:
      return "RequestEntityTooLarge";
    case ErrorCode::Gone:
      return "Expired";
    case ErrorCode::Internal:
      return "InternalError";
  }
  return "InternalError";
}

std::string_view code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::InvalidArgument:
      return "invalid_argument";
    case ErrorCode::NotFound:
      return "not_found";
    case ErrorCode::AlreadyExists:
      return "already_exists";
    case ErrorCode::PermissionDenied:
      return "permission_denied";
    case ErrorCode::Unauthenticated:
      return "unauthenticated";
    case ErrorCode::Conflict:
      return "conflict";
    case ErrorCode::FailedPrecondition:
      return "failed_precondition";
    case ErrorCode::ResourceExhausted:
      return "resource_exhausted";
    case ErrorCode::Unavailable:
      return "unavailable";
    case ErrorCode::DeadlineExceeded:
      return "deadline_exceeded";
    case ErrorCode::MethodNotAllowed:
      return "method_not_allowed";
    case ErrorCode::PayloadTooLarge:
      return "payload_too_large";
    case ErrorCode::Gone:
      return "gone";
    case ErrorCode::Internal:
      return "internal";
  }
  return "internal";
}

ErrorCode code_from_http_status(int status) {
  switch (status) {
    case 400:
    case 422:
      return ErrorCode::InvalidArgument;
    case 401:
      return ErrorCode::Unauthenticated;
    case 403:
      return ErrorCode::PermissionDenied;
    case 404:
      return ErrorCode::NotFound;
    case 405:
      return ErrorCode::MethodNotAllowed;
    case 409:
      return ErrorCode::Conflict;
    case 412:
      return ErrorCode::FailedPrecondition;
    case 413:
      return ErrorCode::PayloadTooLarge;
    case 410:
      return ErrorCode::Gone;
    case 429:
      return ErrorCode::ResourceExhausted;
    case 503:
      return ErrorCode::Unavailable;
    case 504:
      return ErrorCode::DeadlineExceeded;
    default:
      return ErrorCode::Internal;
  }
}

}  // namespace atrium::core
