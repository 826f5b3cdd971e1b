#pragma once
// The bytes of an HTTP/1.x response head (status line, fields, blank line). Built by hand
// into one string because Beast's generic serializer cost ~8 % of a small request's CPU
// (docs/decisions.md #34); the rules it follows are Beast's prepare_payload/keep_alive ones.
#include <string>
#include <string_view>

#include "http/request.hpp"

namespace gatehouse::http {

struct HeadOptions {
  unsigned version = 11;    // 10 or 11, as the request said
  bool keep_alive = true;
  std::string_view request_id;
};

/// Server, Content-Type, X-Request-ID, the response's own fields in order, Content-Length
/// (none for 1xx/204/304) and Connection when it differs from the version's default. A field
/// whose name or value holds CR, LF or NUL is dropped: it could split the response.
std::string response_head(const Response& res, const HeadOptions& opt);

/// True when a response with this status carries no body (1xx, 204, 304).
bool status_has_no_body(int status);

}  // namespace gatehouse::http
