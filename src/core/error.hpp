#pragma once
// Expected failures travel as values: Result<T> holds either a T or an Error.
// Exceptions are reserved for bugs and start-up failures (DESIGN.md §5).
#include <boost/json/object.hpp>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace gatehouse {

/// Error codes independent of HTTP; http/envelope.cpp is the one place that maps them.
enum class Errc {
  validation,        // 400 VALIDATION_ERROR
  bad_request,       // 400 BAD_REQUEST (malformed syntax)
  authentication,    // 401 AUTHENTICATION_ERROR
  authorization,     // 403 AUTHORIZATION_ERROR
  not_found,         // 404 NOT_FOUND
  method_not_allowed,// 405 METHOD_NOT_ALLOWED
  conflict,          // 409 CONFLICT
  payload_too_large, // 413 PAYLOAD_TOO_LARGE
  unsupported_media, // 415 UNSUPPORTED_MEDIA_TYPE
  headers_too_large, // 431 REQUEST_HEADER_FIELDS_TOO_LARGE
  rate_limited,      // 429 RATE_LIMITED
  unavailable,       // 503 SERVICE_UNAVAILABLE
  internal,          // 500 INTERNAL_ERROR
  not_implemented,   // 501 NOT_IMPLEMENTED (an HTTP method Gatehouse does not know)
};

/// The OAuth 2.0 dialect of an error (RFC 6749 §5.2, RFC 6750 §3.1, RFC 8628 §3.5,
/// RFC 7009 §2.2.1): the `error` code an OAuth endpoint answers. http/oauth_envelope.cpp is
/// the one place that maps it to a status and headers.
enum class OAuthErrc {
  none,                    // not an OAuth error: the envelope maps `code` instead
  invalid_request,
  invalid_client,          // 401
  invalid_grant,
  unauthorized_client,
  unsupported_grant_type,
  invalid_scope,
  access_denied,
  authorization_pending,
  slow_down,
  expired_token,
  unsupported_token_type,
  invalid_token,           // 401 on protected resources
  insufficient_scope,      // 403 on protected resources
  unsupported_response_type,
  login_required,
  consent_required,
  request_not_supported,
  request_uri_not_supported,
};
const char* oauth_error_name(OAuthErrc e);

struct Error {
  Errc code = Errc::internal;
  std::string public_message;     // safe to show to the client (error_description for OAuth)
  boost::json::object details;    // per-field messages or machine-readable reasons
  std::string internal;           // for logs only, never sent
  int retry_after = 0;            // seconds, for rate_limited / unavailable
  OAuthErrc oauth = OAuthErrc::none;

  static Error validation(std::string msg, boost::json::object details = {}) {
    return {Errc::validation, std::move(msg), std::move(details), {}, 0, OAuthErrc::none};
  }
  static Error field(const std::string& name, const std::string& msg) {
    boost::json::object d;
    d[name] = msg;
    return validation("Validation failed", std::move(d));
  }
  static Error make(Errc c, std::string msg, boost::json::object details = {}) {
    return {c, std::move(msg), std::move(details), {}, 0, OAuthErrc::none};
  }
  /// An OAuth error; `code` is set to the nearest Errc so the generic envelope stays right.
  static Error oauth_error(OAuthErrc e, std::string description) {
    Errc c = e == OAuthErrc::invalid_client || e == OAuthErrc::invalid_token ? Errc::authentication
             : e == OAuthErrc::insufficient_scope                            ? Errc::authorization
                                                                             : Errc::bad_request;
    Error out = make(c, std::move(description));
    out.oauth = e;
    return out;
  }
  static Error forbidden(std::string why) { return make(Errc::authorization, std::move(why)); }
  /// "<what> not found": also the answer for another owner's thing, so ids cannot be probed.
  static Error not_found(const std::string& what) { return make(Errc::not_found, what + " not found"); }
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T v) : v_(std::move(v)) {}
  Result(Error e) : v_(std::move(e)) {}
  explicit operator bool() const { return v_.index() == 0; }
  bool has_value() const { return v_.index() == 0; }
  T& operator*() { return std::get<0>(v_); }
  const T& operator*() const { return std::get<0>(v_); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }
  T& value() { return std::get<0>(v_); }
  Error& error() { return std::get<1>(v_); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

/// Thrown only at the edge of a dependency that itself failed (a lost database
/// connection): not a bug, so the HTTP shell answers with `error` (e.g. 503 +
/// Retry-After) instead of 500. Expected outcomes never travel this way.
struct DependencyFailure : std::runtime_error {
  Error error;
  DependencyFailure(Error e, const std::string& what) : std::runtime_error(what), error(std::move(e)) {}
};

struct Ok {};
using Status = Result<Ok>;
inline Status ok() { return Ok{}; }

}  // namespace gatehouse
