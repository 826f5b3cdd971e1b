#pragma once
// application/x-www-form-urlencoded bodies and query strings, cookies, URL building.
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.hpp"
#include "http/request.hpp"

namespace gatehouse::http {

using Form = std::map<std::string, std::string>;

/// Decodes a urlencoded string ('+' is a space). A parameter given twice is a
/// validation error (RFC 6749 §3.1: parameters must not repeat).
Result<Form> parse_urlencoded(std::string_view text);
/// Decodes one form-urlencoded component ('+' is a space, RFC 6749 §2.3.1 / HTML forms).
/// nullopt for a malformed escape, a NUL or invalid UTF-8: the value is refused, never used raw.
std::optional<std::string> form_decode(std::string_view component);
/// The request's form: the body for POST (415 unless urlencoded), the query for GET.
Result<Form> form_of(const Request& req);
/// RFC 3986 percent-encoding of everything but unreserved characters.
std::string url_encode(std::string_view s);
/// Appends query parameters to a URL that may already have a query.
std::string with_query(const std::string& url, const Form& params);
/// A cookie's value from the Cookie header.
std::optional<std::string> cookie(const Request& req, std::string_view name);
/// Set-Cookie value with HttpOnly, Path=/, the given SameSite and Secure when asked.
std::string set_cookie(const std::string& name, const std::string& value, int max_age_seconds, bool secure,
                       const char* same_site = "Lax");

}  // namespace gatehouse::http
