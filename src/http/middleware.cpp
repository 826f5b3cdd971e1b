#include "http/middleware.hpp"

#include <algorithm>

#include <boost/url/parse_query.hpp>

#include "crypto/random.hpp"
#include "core/utf8.hpp"

namespace gatehouse::http {

std::string request_id_for(const Request& req) {
  auto in = req.header("x-request-id");
  bool sane = !in.empty() && in.size() <= 128 && std::all_of(in.begin(), in.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
  return sane ? std::string(in) : crypto::new_request_id();
}

std::string client_ip_for(const Request& req, const std::string& peer, const MiddlewareOptions& o) {
  return o.proxies.client_ip(peer, req.header("x-forwarded-for"));
}

bool request_text_is_clean(const Request& req) {
  for (auto& [_, v] : req.params)
    if (!is_clean_text(v)) return false;
  for (auto& [_, v] : req.headers)
    if (!is_clean_text(v)) return false;
  if (req.query.empty()) return true;
  auto parsed = boost::urls::parse_query(req.query);
  if (!parsed) return true;  // handlers treat a malformed query as absent parameters
  boost::urls::encoding_opts opts;
  opts.space_as_plus = true;
  for (auto p : *parsed)
    if (!is_clean_text(p.key.decode(opts)) || (p.has_value && !is_clean_text(p.value.decode(opts)))) return false;
  return true;
}

bool is_secure(const Request& req, const std::string& peer, const MiddlewareOptions& o) {
  return o.proxies.trusts(peer) && req.header("x-forwarded-proto") == "https";
}

std::string loggable_path(const Request& req) {
  return req.route.find("{token}") != std::string::npos ? req.route : req.path;
}

void add_security_headers(const Request& req, Response& res, const MiddlewareOptions& o) {
  bool html = res.content_type.rfind("text/html", 0) == 0;
  bool has_csp = std::any_of(res.headers.begin(), res.headers.end(),
                             [](auto& h) { return h.first == "Content-Security-Policy"; });
  if (!has_csp)  // a handler may set a stricter or page-specific policy (form_post)
    res.set_header("Content-Security-Policy",
                   // no form-action: sign-in and consent forms end in a redirect to the client
                   html ? "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
                        : "default-src 'none'; frame-ancestors 'none'");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("X-Frame-Options", "DENY");
  res.set_header("Referrer-Policy", "no-referrer");
  if (req.secure || o.assume_tls)
    res.set_header("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
  bool cacheable = req.path == "/.well-known/jwks.json" || req.path == "/auth/public-key";
  res.set_header("Cache-Control", cacheable ? "public, max-age=300" : "no-store");
}

namespace {
bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }
}  // namespace

std::optional<Response> apply_cors(const Request& req, Response* res, const MiddlewareOptions& o,
                                   const std::vector<std::string>& allowed_methods) {
  auto origin = req.header("origin");
  if (origin.empty() || o.cors_origins.empty()) return std::nullopt;
  // The login UI authenticates by cookie: no other origin may read it. The OAuth endpoints
  // serve SPAs (token, userinfo) but never with credentials, so the SSO cookie cannot ride
  // along a cross-origin call.
  if (starts_with(req.path, "/ui/") || req.path == "/ui") return std::nullopt;
  bool credentials = !starts_with(req.path, "/oauth2/");
  bool any = std::find(o.cors_origins.begin(), o.cors_origins.end(), "*") != o.cors_origins.end();
  bool listed = std::find(o.cors_origins.begin(), o.cors_origins.end(), origin) != o.cors_origins.end();
  bool preflight = req.method == "OPTIONS" && !req.header("access-control-request-method").empty();
  if (!any && !listed) {
    if (!preflight) return std::nullopt;
    Response r;  // disallowed origin: answer the preflight without granting anything
    r.status = 204;
    r.content_type.clear();
    return r;
  }
  auto add = [&](Response& r) {
    r.set_header("Access-Control-Allow-Origin", listed ? std::string(origin) : "*");
    if (listed && credentials) r.set_header("Access-Control-Allow-Credentials", "true");
    r.set_header("Vary", "Origin");
    r.set_header("Access-Control-Expose-Headers", "X-Request-ID, Retry-After, WWW-Authenticate");
  };
  if (!preflight) {
    if (res) add(*res);  // called again with the response once the handler has run
    return std::nullopt;
  }
  Response r;
  r.status = 204;
  r.content_type.clear();
  add(r);
  std::string methods;
  for (auto& m : allowed_methods) methods += (methods.empty() ? "" : ", ") + m;
  r.set_header("Access-Control-Allow-Methods", methods.empty() ? "GET, POST, PATCH, DELETE" : methods);
  r.set_header("Access-Control-Allow-Headers",
               "Authorization, Content-Type, X-Request-ID, x-access-token, Authentication-Token, X-App-Token, X-API-Key");
  r.set_header("Access-Control-Max-Age", "600");
  return r;
}

}  // namespace gatehouse::http
