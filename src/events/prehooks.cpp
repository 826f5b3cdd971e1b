#include "events/prehooks.hpp"

#include <boost/json.hpp>

#include "core/clock.hpp"
#include "core/log.hpp"
#include "crypto/encoding.hpp"
#include "crypto/hash.hpp"
#include "events/http_client.hpp"

namespace gatehouse::events {
namespace json = boost::json;

Status PreHooks::check(const std::string& event, const json::object& data) const {
  const std::string& url = event == "pre_register" ? cfg_.pre_register_hook_url : cfg_.pre_login_hook_url;
  if (url.empty()) return ok();
  std::string body = json::serialize(json::object{{"event", event}, {"data", data}});
  std::string ts = std::to_string(now_seconds());
  std::vector<std::pair<std::string, std::string>> headers{{"X-Gatehouse-Event", event},
                                                           {"X-Gatehouse-Timestamp", ts}};
  if (!cfg_.pre_hook_secret.empty())
    headers.emplace_back("X-Gatehouse-Signature",
                         "t=" + ts + ",v1=" + crypto::hex_encode(crypto::hmac_sha256(cfg_.pre_hook_secret, ts + "." + body)));
  auto res = post_json(url, body, headers, cfg_.pre_hook_timeout_ms);
  if (res.status >= 200 && res.status < 300) {
    boost::system::error_code ec;
    auto v = json::parse(res.body, ec);
    if (!ec && v.is_object()) {
      auto* allow = v.as_object().if_contains("allow");
      if (allow && allow->is_bool()) {
        if (allow->get_bool()) return ok();
        auto* reason = v.as_object().if_contains("reason");
        std::string why = reason && reason->is_string() ? std::string(reason->get_string()) : "Not allowed";
        Error e = Error::make(Errc::authorization, why);
        e.details["reason"] = "vetoed_by_hook";
        e.details["hook"] = event;
        return e;
      }
    }
  }
  log::warn("pre-action hook failed", {{"hook", event}, {"status", res.status}, {"error", res.error}});
  if (cfg_.pre_hook_fail_open) return ok();
  Error e = Error::make(Errc::unavailable, "A required pre-" + event.substr(4) + " check is unavailable; retry later");
  e.retry_after = 5;
  e.details["reason"] = "hook_unavailable";
  return e;
}

}  // namespace gatehouse::events
