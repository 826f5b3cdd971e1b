#pragma once
// The product API envelope (DESIGN.md §5) and the one table mapping Errc to HTTP.
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "core/json_util.hpp"
#include "http/request.hpp"

namespace gatehouse::http {

struct ErrorKind {
  int status;
  const char* type;
};
/// HTTP status and envelope `type` for an error code.
ErrorKind error_kind(Errc c);

/// {"version":"1.0","success":true,"code":status,"message":...,"request_id":...,"data":...,"meta":...}
Response ok_response(const Request& req, int status, boost::json::value data,
                     std::string message = "OK", boost::json::object meta = {});
/// Error envelope; adds Retry-After when the error carries one and WWW-Authenticate for 401.
Response error_response(const Request& req, const Error& e);
Response error_response(const Request& req, Errc c, std::string message);

/// Parses the body as a JSON object: 415 unless Content-Type is application/json,
/// 400 BAD_REQUEST for malformed JSON / invalid UTF-8 / nesting deeper than 32 / non-object.
Result<boost::json::object> parse_json_object(const Request& req);

/// Reads typed fields from a JSON object, collecting every problem for one
/// VALIDATION_ERROR with per-field details.
class Fields {
 public:
  explicit Fields(const boost::json::object& o) : o_(o) {}
  /// The object the fields are read from.
  const boost::json::object& body() const { return o_; }
  /// String field; `max_chars` counts UTF-8 code points. Empty strings count as missing
  /// when required.
  std::optional<std::string> str(const char* name, bool required, std::size_t max_chars = 1024);
  std::optional<bool> boolean(const char* name, bool required);
  void fail(const std::string& name, const std::string& message);
  bool ok() const { return details_.empty(); }
  Error error() const { return Error::validation("Validation failed", details_); }

 private:
  const boost::json::object& o_;
  boost::json::object details_;
};


}  // namespace gatehouse::http
