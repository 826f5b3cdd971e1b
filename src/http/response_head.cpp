#include "http/response_head.hpp"

#include <boost/beast/http/status.hpp>

#include "core/log.hpp"

namespace gatehouse::http {
namespace {

bool splits_the_head(std::string_view s) {
  for (char c : s)
    if (c == '\r' || c == '\n' || c == '\0') return true;
  return false;
}

void add_field(std::string& out, std::string_view name, std::string_view value) {
  if (name.empty() || splits_the_head(name) || splits_the_head(value)) {
    log::warn("response header dropped: CR, LF or NUL", {{"header", std::string(name.substr(0, 64))}});
    return;
  }
  out.append(name).append(": ").append(value).append("\r\n");
}

}  // namespace

bool status_has_no_body(int status) { return (status >= 100 && status < 200) || status == 204 || status == 304; }

std::string response_head(const Response& res, const HeadOptions& opt) {
  std::string out;
  out.reserve(256 + 64 * res.headers.size());
  auto reason = boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(res.status));
  out.append(opt.version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ").append(std::to_string(res.status)).append(" ");
  out.append(reason.data(), reason.size()).append("\r\n");
  add_field(out, "Server", "gatehouse");
  if (!res.content_type.empty()) add_field(out, "Content-Type", res.content_type);
  add_field(out, "X-Request-ID", opt.request_id);
  for (auto& [name, value] : res.headers) add_field(out, name, value);
  if (!status_has_no_body(res.status)) add_field(out, "Content-Length", std::to_string(res.body.size()));
  if (opt.version == 10 && opt.keep_alive) add_field(out, "Connection", "keep-alive");
  if (opt.version != 10 && !opt.keep_alive) add_field(out, "Connection", "close");
  out.append("\r\n");
  return out;
}

}  // namespace gatehouse::http
