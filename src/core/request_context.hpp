#pragma once
// Who is asking and from where: the request context every service takes as values (never
// an http::Request). Filled by the routes; recorded in sessions and the audit log.
#include <cstdint>
#include <string>

namespace gatehouse {

/// Where a request came from.
struct Origin {
  std::string ip;
  std::string user_agent;
  std::string request_id;
};

/// The authenticated caller, from a verified access token.
struct Principal {
  std::string user_id;
  std::string session_id;
  int64_t expires_at = 0;
};

}  // namespace gatehouse
