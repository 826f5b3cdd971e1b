#pragma once
// The OAuth 2.0 responder, beside envelope.cpp: the one place that turns an OAuth result
// into a status, an RFC 6749 §5.2 error body, WWW-Authenticate and no-cache headers.
// (The rest of the API answers through envelope.cpp's {"success", "data"/"error"} form.)
#include <boost/json/object.hpp>

#include "core/error.hpp"
#include "http/request.hpp"

namespace gatehouse::http {

/// RFC 6749 §5.1/§5.2 at the token, introspection, revocation and device endpoints: 200 with
/// the JSON body, or the error.
Response oauth_answer(const Result<boost::json::object>& r);
/// The error alone: invalid_client 401 with WWW-Authenticate: Basic (RFC 6749 §5.2; Basic
/// is the scheme Gatehouse offers clients), server refusals (Errc::unavailable) 503
/// temporarily_unavailable, anything else without an OAuth code 400 invalid_request.
Response oauth_error_response(const Error& e);
/// RFC 6750 §3 on protected resources (userinfo): the error in WWW-Authenticate: Bearer and
/// in the body; invalid_token 401, insufficient_scope 403, invalid_request 400.
Response bearer_answer(const Result<boost::json::object>& r);
/// error_description text restricted to RFC 6749 §5.2's characters (%x20-21 / %x23-5B / %x5D-7E).
std::string error_description_safe(const std::string& text);

}  // namespace gatehouse::http
