#pragma once
// HTTP types the rest of the code sees. Beast stays inside src/http (DESIGN.md §3).
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gatehouse::http {

struct Request {
  std::string method;                 // upper case, e.g. "GET"
  std::string target;                 // as received
  std::string path;                   // target without the query
  std::string query;                  // raw query string, without '?'
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string client_ip;              // the client, through trusted proxies
  std::string peer_ip;                // the socket peer
  std::string request_id;
  bool secure = false;                // reached us over TLS (directly or via trusted proxy)
  std::map<std::string, std::string> params;  // path parameters from the route pattern
  std::string route;                  // matched route pattern, for metrics and logs

  /// First header with that (lower-case) name, or "" when absent.
  std::string_view header(std::string_view lower_name) const;
  /// Percent-decoded query parameter.
  std::optional<std::string> query_param(std::string_view name) const;
  std::string user_agent() const { return std::string(header("user-agent")); }
  /// The credentials of `Authorization: Bearer <token>` (the scheme case-insensitive, RFC
  /// 7235 §2.1); empty when the header is absent or another scheme. The one Bearer parser.
  std::string_view bearer() const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  void set_header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
};

}  // namespace gatehouse::http
