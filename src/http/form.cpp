#include "http/form.hpp"

#include <boost/url/parse_query.hpp>

#include "core/utf8.hpp"

namespace gatehouse::http {

Result<Form> parse_urlencoded(std::string_view text) {
  Form f;
  if (text.empty()) return f;
  // Boost.URL 1.81's parse_query measures its input with strlen (impl/parse_query.ipp), so a
  // view that is not NUL-terminated is over-read: parse an owned, terminated copy.
  const std::string owned(text);
  auto parsed = boost::urls::parse_query(owned);
  if (!parsed) return Error::make(Errc::bad_request, "Malformed form encoding");
  boost::urls::encoding_opts opts;
  opts.space_as_plus = true;
  for (auto p : *parsed) {
    std::string key = p.key.decode(opts);
    std::string value = p.has_value ? p.value.decode(opts) : std::string();
    if (!is_clean_text(key) || !is_clean_text(value))
      return Error::make(Errc::bad_request, "Form fields must be UTF-8 without NUL characters");
    if (key.empty()) continue;
    if (!f.emplace(key, std::move(value)).second)
      return Error::field(key, "Parameter given more than once");
  }
  return f;
}

std::optional<std::string> form_decode(std::string_view component) {
  auto pct = boost::urls::make_pct_string_view(component);
  if (!pct) return std::nullopt;
  boost::urls::encoding_opts opts;
  opts.space_as_plus = true;
  std::string out = pct->decode(opts);
  if (!is_clean_text(out)) return std::nullopt;
  return out;
}

Result<Form> form_of(const Request& req) {
  if (req.method == "GET" || req.method == "HEAD") return parse_urlencoded(req.query);
  auto ct = req.header("content-type");
  std::string media(ct.substr(0, ct.find(';')));
  for (auto& c : media) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  while (!media.empty() && media.back() == ' ') media.pop_back();
  if (media != "application/x-www-form-urlencoded")
    return Error::make(Errc::unsupported_media, "Content-Type must be application/x-www-form-urlencoded");
  return parse_urlencoded(req.body);
}

std::string url_encode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string with_query(const std::string& url, const Form& params) {
  std::string out = url;
  char sep = url.find('?') == std::string::npos ? '?' : '&';
  for (auto& [k, v] : params) {
    out += sep;
    out += url_encode(k) + "=" + url_encode(v);
    sep = '&';
  }
  return out;
}

std::optional<std::string> cookie(const Request& req, std::string_view name) {
  std::string_view h = req.header("cookie");
  while (!h.empty()) {
    auto semi = h.find(';');
    auto part = h.substr(0, semi);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    auto eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == name) return std::string(part.substr(eq + 1));
    if (semi == std::string_view::npos) break;
    h.remove_prefix(semi + 1);
  }
  return std::nullopt;
}

std::string set_cookie(const std::string& name, const std::string& value, int max_age, bool secure,
                       const char* same_site) {
  return name + "=" + value + "; Path=/; Max-Age=" + std::to_string(max_age) + "; HttpOnly; SameSite=" + same_site +
         (secure ? "; Secure" : "");
}

}  // namespace gatehouse::http
