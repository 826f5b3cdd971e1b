#include "http/envelope.hpp"

#include "core/utf8.hpp"

#include <boost/json.hpp>

namespace gatehouse::http {
namespace json = boost::json;

ErrorKind error_kind(Errc c) {
  switch (c) {
    case Errc::validation: return {400, "VALIDATION_ERROR"};
    case Errc::bad_request: return {400, "BAD_REQUEST"};
    case Errc::authentication: return {401, "AUTHENTICATION_ERROR"};
    case Errc::authorization: return {403, "AUTHORIZATION_ERROR"};
    case Errc::not_found: return {404, "NOT_FOUND"};
    case Errc::method_not_allowed: return {405, "METHOD_NOT_ALLOWED"};
    case Errc::conflict: return {409, "CONFLICT"};
    case Errc::payload_too_large: return {413, "PAYLOAD_TOO_LARGE"};
    case Errc::unsupported_media: return {415, "UNSUPPORTED_MEDIA_TYPE"};
    case Errc::headers_too_large: return {431, "REQUEST_HEADER_FIELDS_TOO_LARGE"};
    case Errc::rate_limited: return {429, "RATE_LIMITED"};
    case Errc::unavailable: return {503, "SERVICE_UNAVAILABLE"};
    case Errc::internal: return {500, "INTERNAL_ERROR"};
    case Errc::not_implemented: return {501, "NOT_IMPLEMENTED"};
  }
  return {500, "INTERNAL_ERROR"};
}

Response ok_response(const Request& req, int status, json::value data, std::string message,
                     json::object meta) {
  json::object o;
  o.reserve(7);
  o["version"] = "1.0";
  o["success"] = true;
  o["code"] = status;
  o["message"] = std::move(message);
  o["request_id"] = req.request_id;
  o["data"] = std::move(data);
  o["meta"] = std::move(meta);
  Response r;
  r.status = status;
  r.body = json::serialize(o);
  return r;
}

Response error_response(const Request& req, const Error& e) {
  auto kind = error_kind(e.code);
  json::object err;
  err["type"] = kind.type;
  err["details"] = e.details;
  json::object o;
  o["version"] = "1.0";
  o["success"] = false;
  o["code"] = kind.status;
  o["message"] = e.public_message.empty() ? kind.type : e.public_message;
  o["request_id"] = req.request_id;
  o["error"] = std::move(err);
  Response r;
  r.status = kind.status;
  r.body = json::serialize(o);
  if (e.retry_after > 0) r.set_header("Retry-After", std::to_string(e.retry_after));
  if (e.code == Errc::authentication) r.set_header("WWW-Authenticate", "Bearer realm=\"gatehouse\"");
  return r;
}

Response error_response(const Request& req, Errc c, std::string message) {
  return error_response(req, Error::make(c, std::move(message)));
}

namespace {
// Every key and string value, at any depth: the parser has checked UTF-8 already, but a
// \u0000 escape still decodes to NUL.
bool json_text_is_clean(const json::value& v) {
  if (v.is_string()) return is_clean_text(v.get_string());
  if (v.is_array()) {
    for (auto& x : v.get_array())
      if (!json_text_is_clean(x)) return false;
  }
  if (v.is_object()) {
    for (auto& [k, x] : v.get_object())
      if (!is_clean_text(k) || !json_text_is_clean(x)) return false;
  }
  return true;
}
}  // namespace

Result<json::object> parse_json_object(const Request& req) {
  auto ct = req.header("content-type");
  auto semi = ct.find(';');
  auto media = ct.substr(0, semi);
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  std::string lower(media);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower != "application/json")
    return Error::make(Errc::unsupported_media, "Content-Type must be application/json");
  json::parse_options opt;
  opt.max_depth = 32;
  opt.allow_invalid_utf8 = false;
  boost::system::error_code ec;
  json::storage_ptr sp;
  json::value v = json::parse(req.body, ec, sp, opt);
  if (ec) return Error::make(Errc::bad_request, "Malformed JSON body: " + ec.message());
  if (!v.is_object()) return Error::make(Errc::bad_request, "JSON body must be an object");
  if (!json_text_is_clean(v))
    return Error::make(Errc::bad_request, "JSON strings must not contain NUL characters");
  return std::move(v.as_object());
}

std::optional<std::string> Fields::str(const char* name, bool required, std::size_t max_chars) {
  auto* v = o_.if_contains(name);
  if (!v || v->is_null() || (v->is_string() && v->get_string().empty())) {
    if (required) fail(name, "This field is required");
    return std::nullopt;
  }
  if (!v->is_string()) {
    fail(name, "Must be a string");
    return std::nullopt;
  }
  std::string s(v->get_string());
  if (s.find('\0') != std::string::npos) {
    fail(name, "Must not contain NUL characters");
    return std::nullopt;
  }
  if (utf8_length(s) > max_chars) {
    fail(name, "Must be at most " + std::to_string(max_chars) + " characters");
    return std::nullopt;
  }
  return s;
}

std::optional<bool> Fields::boolean(const char* name, bool required) {
  auto* v = o_.if_contains(name);
  if (!v || v->is_null()) {
    if (required) fail(name, "This field is required");
    return std::nullopt;
  }
  if (!v->is_bool()) {
    fail(name, "Must be true or false");
    return std::nullopt;
  }
  return v->get_bool();
}

void Fields::fail(const std::string& name, const std::string& message) {
  if (!details_.contains(name)) details_[name] = message;
}

}  // namespace gatehouse::http
