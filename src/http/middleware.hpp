#pragma once
// Cross-cutting request/response steps applied by the server to every request.
#include <optional>
#include <string>
#include <vector>

#include "http/client_ip.hpp"
#include "http/request.hpp"

namespace gatehouse::http {

struct MiddlewareOptions {
  std::vector<std::string> cors_origins;  // exact origins; "*" allows any (no credentials)
  ProxyTrust proxies;                     // peers whose X-Forwarded-* headers are believed
  bool assume_tls = false;                // issuer is https: behind a TLS terminator
};

/// Keeps a sane incoming X-Request-ID (1..128 chars of [A-Za-z0-9._-]) or mints a UUID.
std::string request_id_for(const Request& req);
/// Client IP: the socket peer, or, when the peer is a trusted proxy, the right-most
/// X-Forwarded-For hop that is not one of our proxies.
std::string client_ip_for(const Request& req, const std::string& peer, const MiddlewareOptions& o);
/// Every decoded field a handler could read (path parameters, query parameters, header and
/// cookie values) is valid UTF-8 without NUL. Bodies are checked by their decoders.
bool request_text_is_clean(const Request& req);
/// Reached us over TLS: X-Forwarded-Proto: https from a trusted proxy.
bool is_secure(const Request& req, const std::string& peer, const MiddlewareOptions& o);
/// The path for the access log: the route pattern where the path carries a secret
/// (verification and invitation tokens), the raw path otherwise.
std::string loggable_path(const Request& req);
/// CSP, HSTS (TLS only), nosniff, frame denial, Referrer-Policy, no-store for the API.
void add_security_headers(const Request& req, Response& res, const MiddlewareOptions& o);
/// Adds CORS headers for an allowed Origin. For a preflight (OPTIONS with
/// Access-Control-Request-Method) returns the complete 204 response.
std::optional<Response> apply_cors(const Request& req, Response* res, const MiddlewareOptions& o,
                                   const std::vector<std::string>& allowed_methods);

}  // namespace gatehouse::http
