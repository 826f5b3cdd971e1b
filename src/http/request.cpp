#include "http/request.hpp"

#include <boost/url/parse_query.hpp>

namespace gatehouse::http {

std::string_view Request::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (k == name) return v;
  return {};
}

std::string_view Request::bearer() const {
  auto auth = header("authorization");
  if (auth.size() <= 7 || auth[6] != ' ') return {};
  static constexpr std::string_view kScheme = "bearer";
  for (std::size_t i = 0; i < kScheme.size(); ++i)
    if ((auth[i] | 0x20) != kScheme[i]) return {};
  return auth.substr(7);
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
