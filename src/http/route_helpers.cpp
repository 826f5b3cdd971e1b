#include "http/route_helpers.hpp"

#include <charconv>

namespace gatehouse::http {

Response respond(const Request& req, const Status& s, int status, boost::json::value data, std::string message) {
  if (!s) return error_response(req, s.error());
  return ok_response(req, status, std::move(data), std::move(message));
}

Result<std::optional<int64_t>> query_int(const Request& req, std::string_view name, int64_t lo, int64_t hi) {
  auto v = req.query_param(name);
  // `?limit=` is what an HTML form sends for an empty field: the same as leaving it out.
  if (!v || v->empty()) return std::optional<int64_t>();
  int64_t x = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), x);
  std::string key(name);
  if (ec == std::errc::invalid_argument || end != v->data() + v->size())
    return Error::field(key, "Must be an integer");
  if (ec == std::errc::result_out_of_range || x < lo || x > hi)
    return Error::field(key, "Must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
  return std::optional<int64_t>(x);
}

}  // namespace gatehouse::http
