// Redirect-URI validation at client registration: oidc::valid_redirect_uri (exact,
// absolute, no fragment; https anywhere, http only to loopback per RFC 8252 §7.3,
// private-use reverse-domain schemes per RFC 8252 §7.1).
// Always checked: an accepted URI has no fragment and is not javascript:, data:, file: or
// vbscript:.
// Strict mode: no control characters or NUL, an accepted URI is an RFC 3986 absolute URI
// (Boost.URL), and an http one really points at a loopback host: no userinfo, host
// 127.0.0.1, localhost or [::1] (http://127.0.0.1:1@evil.example/cb sends the code to
// evil.example).
#include <boost/url/parse.hpp>
#include <cstdint>

#include "fuzz_common.hpp"
#include "oidc/clients.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gatehouse;
  auto in = fuzz::text(data, size);
  if (!oidc::valid_redirect_uri(in)) return 0;

  FUZZ_CHECK(in.find('#') == std::string_view::npos, "no fragment");
  for (unsigned char c : in) FUZZ_STRICT_CHECK(c > 0x20 && c != 0x7f, "no whitespace or control characters");
  std::string scheme(in.substr(0, in.find(':')));
  for (auto& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const char* bad : {"javascript", "data", "file", "vbscript"}) FUZZ_CHECK(scheme != bad, "no script schemes");

  std::string owned(in);  // NUL-terminated, in case Boost.URL reads like parse_query does
  auto u = boost::urls::parse_absolute_uri(owned);
  FUZZ_STRICT_CHECK(u.has_value(), "an accepted redirect URI is an RFC 3986 absolute URI");
  if (!u) return 0;
  if (scheme == "http" || scheme == "https") {
    FUZZ_STRICT_CHECK(u->has_authority() && !u->encoded_host().empty(), "http(s) has a host");
    FUZZ_STRICT_CHECK(!u->has_userinfo(), "no userinfo in an http(s) redirect URI");
  }
  if (scheme == "http") {
    auto host = u->encoded_host();
    bool loopback = host == "127.0.0.1" || host == "localhost" || host == "[::1]";
    FUZZ_STRICT_CHECK(loopback, "http redirect URIs point at a loopback host");
  }
  return 0;
}
