#include "http/oauth_envelope.hpp"

#include <boost/json/serialize.hpp>

namespace gatehouse::http {
namespace json = boost::json;

namespace {

int status_of(const Error& e) {
  switch (e.oauth) {
    case OAuthErrc::invalid_client:
    case OAuthErrc::invalid_token: return 401;
    case OAuthErrc::insufficient_scope: return 403;
    case OAuthErrc::none: break;
    default: return 400;
  }
  if (e.code == Errc::unavailable) return 503;
  if (e.code == Errc::rate_limited) return 429;
  if (e.code == Errc::internal) return 500;
  return 400;
}

// A server refusal (busy pool, undecodable text) still speaks OAuth.
const char* code_of(const Error& e) {
  if (e.oauth != OAuthErrc::none) return oauth_error_name(e.oauth);
  if (e.code == Errc::unavailable) return "temporarily_unavailable";
  if (e.code == Errc::internal) return "server_error";
  return "invalid_request";
}

json::object body_of(const Error& e) {
  json::object o{{"error", code_of(e)}};
  if (auto d = error_description_safe(e.public_message); !d.empty()) o["error_description"] = d;
  return o;
}

Response json_response(int status, const json::object& body) {
  Response r;
  r.status = status;
  r.body = json::serialize(body);
  r.set_header("Pragma", "no-cache");  // Cache-Control: no-store comes from the middleware
  return r;
}

}  // namespace

std::string error_description_safe(const std::string& text) {
  std::string d;
  for (unsigned char ch : text) d += (ch >= 0x20 && ch <= 0x7e && ch != '"' && ch != '\\') ? static_cast<char>(ch) : '?';
  return d;
}

Response oauth_error_response(const Error& e) {
  Response r = json_response(status_of(e), body_of(e));
  if (r.status == 401) r.set_header("WWW-Authenticate", "Basic realm=\"gatehouse\"");
  if (e.retry_after > 0) r.set_header("Retry-After", std::to_string(e.retry_after));
  return r;
}

Response oauth_answer(const Result<json::object>& r) {
  if (!r) return oauth_error_response(r.error());
  return json_response(200, *r);
}

Response bearer_answer(const Result<json::object>& r) {
  if (r) return json_response(200, *r);
  const Error& e = r.error();
  std::string h = "Bearer realm=\"gatehouse\"";
  if (e.oauth == OAuthErrc::none && e.code == Errc::authentication) {  // no credentials: challenge only
    Response res = json_response(401, json::object{});
    res.set_header("WWW-Authenticate", h);
    return res;
  }
  Response res = json_response(status_of(e), body_of(e));
  h += ", error=\"" + std::string(code_of(e)) + "\"";
  if (auto d = error_description_safe(e.public_message); !d.empty()) h += ", error_description=\"" + d + "\"";
  res.set_header("WWW-Authenticate", h);
  return res;
}

}  // namespace gatehouse::http
