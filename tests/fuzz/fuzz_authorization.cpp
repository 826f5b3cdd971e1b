// Authorization-scheme strings: oidc::credentials_of (client authentication, RFC 6749 §2.3:
// HTTP Basic with form-urlencoded id and secret, client_secret_post, private_key_jwt per
// RFC 7523) and http::Request::bearer (Bearer, RFC 6750 §2.1, the one Bearer parser). Gatehouse only emits WWW-Authenticate, it never parses one.
// Input: first line = Authorization header value, the rest = urlencoded token-endpoint form.
// Strict mode: the Basic id and secret are decoded exactly as RFC 6749 Appendix B says (a
// raw '&', '=' or a bad %-escape is not silently truncated or kept), and hold no NUL or
// invalid UTF-8 (DESIGN.md §6).
#include <cstdint>
#include <optional>

#include "crypto/encoding.hpp"
#include "fuzz_common.hpp"
#include "http/form.hpp"
#include "oidc/clients.hpp"

namespace {
using namespace gatehouse;

int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// application/x-www-form-urlencoded decoding of one name or value (RFC 6749 Appendix B,
// WHATWG URL §5.1): '+' is a space, %XX a byte; nullopt for a malformed escape ('%' alone).
// A raw '&' or '=' is kept as it is: inside Basic there is no form to split, and clients
// that do not encode their secret still authenticate (decision in docs/security.md).
std::optional<std::string> form_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+') out += ' ';
    else if (c == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else out += c;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto [auth, body] = fuzz::split_line(fuzz::text(data, size));
  http::Request req;
  req.method = "POST";
  req.headers = {{"authorization", std::string(auth)},
                 {"content-type", "application/x-www-form-urlencoded"}};
  req.body = std::string(body);
  auto form = http::form_of(req);
  http::Form f = form ? *form : http::Form{};

  oidc::Credentials c = oidc::credentials_of(req.header("authorization"), f);
  // "" is a Basic header that did not decode: no client's auth_method, so it fails closed.
  FUZZ_CHECK(c.method.empty() || c.method == "none" || c.method == "client_secret_basic" ||
                 c.method == "client_secret_post" || c.method == "private_key_jwt" || c.method == "invalid",
             "method from the closed set");
  if (c.method == "none") FUZZ_CHECK(!c.secret && !c.assertion && !c.conflicting, "none carries nothing");
  if (f.count("client_id") && !c.conflicting) FUZZ_CHECK(c.client_id == f.at("client_id"), "form client_id");

  bool basic = auth.size() > 6 && (auth.starts_with("Basic ") || auth.starts_with("basic "));
  std::optional<std::string> decoded = basic ? crypto::base64_decode(auth.substr(6)) : std::nullopt;
  auto colon = decoded ? decoded->find(':') : std::string::npos;
  if (colon != std::string::npos) {
    auto id = form_decode(std::string_view(*decoded).substr(0, colon));
    auto secret = form_decode(std::string_view(*decoded).substr(colon + 1));
    bool clean = id && secret && fuzz::clean_text(*id) && fuzz::clean_text(*secret);
    if (f.count("client_secret") || f.count("client_assertion"))
      FUZZ_CHECK(c.conflicting, "Basic plus a form secret or assertion conflicts");
    if (!f.count("client_id") && !f.count("client_secret") && !f.count("client_assertion")) {
      FUZZ_CHECK(c.method == "client_secret_basic", "Basic alone is client_secret_basic");
      if (clean) {
        FUZZ_CHECK(c.client_id == *id, "Basic client_id is the form-decoded user-id");
        FUZZ_CHECK(c.secret && *c.secret == *secret, "Basic secret is the form-decoded password");
      } else {
        FUZZ_CHECK(c.client_id.empty() && !c.secret, "a Basic part that does not decode is refused, not used raw");
      }
    }
    if (c.secret) FUZZ_CHECK(fuzz::clean_text(c.client_id) && fuzz::clean_text(*c.secret),
                             "client credentials are NUL-free UTF-8");
  }

  auto token = req.bearer();
  bool bearer = auth.size() > 7 && auth[6] == ' ';
  for (std::size_t i = 0; bearer && i < 6; ++i) bearer = (auth[i] | 0x20) == "bearer"[i];
  if (bearer)
    FUZZ_CHECK(token == auth.substr(7), "Bearer token is the rest of the header, whatever the scheme's case");
  else
    FUZZ_CHECK(token.empty(), "no token without the Bearer scheme");
  return 0;
}
