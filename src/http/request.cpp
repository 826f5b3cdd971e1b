#include "http/request.hpp"

#include <boost/url/parse_query.hpp>

namespace gatehouse::http {

std::string_view Request::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k == name) return v;
  return {};
}

std::optional<std::string> Request::query_param(std::string_view name) const {
  auto parsed = boost::urls::parse_query(query);
  if (!parsed) return std::nullopt;
  boost::urls::encoding_opts opts;
  opts.space_as_plus = true;  // HTML forms encode spaces as '+'
  for (auto p : *parsed)
    if (p.key.decode(opts) == name) return p.has_value ? p.value.decode(opts) : std::string();
  return std::nullopt;
}

}  // namespace gatehouse::http
