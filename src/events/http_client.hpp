#pragma once
// Blocking outbound HTTP POST (libcurl) for webhooks and pre-action hooks.
#include <string>
#include <utility>
#include <vector>

namespace gatehouse::events {

struct HttpResult {
  long status = 0;      // 0 when no HTTP answer (connection error, timeout)
  std::string body;     // at most 64 KiB kept
  std::string error;    // transport error text
};

/// POSTs `body` as application/json. Only http:// and https:// URLs; no redirects.
HttpResult post_json(const std::string& url, const std::string& body,
                     const std::vector<std::pair<std::string, std::string>>& headers, long timeout_ms);

}  // namespace gatehouse::events
