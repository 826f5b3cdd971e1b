#include "core/json_util.hpp"

#include <boost/json.hpp>

namespace gatehouse {

std::string to_json_text(const std::vector<std::string>& v) {
  boost::json::array a;
  for (auto& s : v) a.push_back(boost::json::string(s));
  return boost::json::serialize(a);
}

std::vector<std::string> strings_from_json_text(const std::string& text) {
  std::vector<std::string> out;
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec || !v.is_array()) return out;
  for (auto& x : v.as_array())
    if (x.is_string()) out.emplace_back(x.get_string());
  return out;
}

std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

}  // namespace gatehouse
