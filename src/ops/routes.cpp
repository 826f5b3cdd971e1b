#include "ops/routes.hpp"

#include <boost/json.hpp>
#include <map>
#include <set>

#include "core/ip_address.hpp"
#include "crypto/hash.hpp"
#include "http/envelope.hpp"
#include "core/metrics.hpp"
#include "ops/openapi.hpp"

namespace gatehouse::ops {
namespace json = boost::json;
using http::Pool;
using http::Request;
using http::Response;

namespace {
Response text(int status, std::string content_type, std::string body) {
  Response r;
  r.status = status;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  return r;
}

bool is_loopback(const std::string& ip) {
  static const Cidr v4 = *Cidr::parse("127.0.0.0/8"), v6 = *Cidr::parse("::1/128");
  return v4.contains(ip) || v6.contains(ip);
}

bool bearer_matches(const Request& req, const std::string& token) {
  auto auth = req.header("authorization");
  return auth.size() > 7 && auth.substr(0, 7) == "Bearer " && crypto::constant_time_equal(auth.substr(7), token);
}

}  // namespace

void register_ops_routes(http::Router& r, OpsApi api) {
  r.get("/healthz", Pool::io, [](Request&) {
    return text(200, "application/json", R"({"status":"ok"})");
  }, "Liveness: the process answers");

  r.get("/readyz", Pool::db, [api](Request&) {
    bool ok = api.ready.load() && api.db.ping();
    return text(ok ? 200 : 503, "application/json",
                ok ? R"({"status":"ready"})" : R"({"status":"not_ready"})");
  }, "Readiness: migrated, keys loaded, database reachable");

  r.get("/api/health", Pool::db, [api](Request& req) {
    bool db_ok = api.db.ping();
    json::object data{{"status", db_ok ? "healthy" : "unhealthy"},
                      {"database", db_ok ? "ok" : "unreachable"},
                      {"engine", api.db.engine() == store::Engine::sqlite ? "sqlite" : "postgresql"},
                      {"version", GATEHOUSE_VERSION}};
    if (db_ok) return http::ok_response(req, 200, std::move(data));
    Error e = Error::make(Errc::unavailable, "Database unreachable", std::move(data));
    e.retry_after = 5;
    return http::error_response(req, e);
  }, "Health with database check and version");

  // Metrics reveal traffic and queue depths: a scraper needs the token, or, when no token is
  // configured, must be on this host (the socket peer, never X-Forwarded-For).
  r.get("/metrics", Pool::io, [api](Request& req) {
    if (api.metrics_token.empty() ? !is_loopback(req.peer_ip) : !bearer_matches(req, api.metrics_token)) {
      Response denied = http::error_response(req, Errc::authorization, "Metrics need the metrics token");
      return denied;
    }
    return text(200, "text/plain; version=0.0.4", metrics().render());
  }, "Prometheus metrics (metrics_token, or loopback only)");

  r.get("/.well-known/jwks.json", Pool::io, [api](Request&) {
    return text(200, "application/json", *api.keys.jwks());
  }, "JSON Web Key Set of the token signing keys");

  r.get("/auth/public-key", Pool::io, [api](Request&) {
    return text(200, "application/x-pem-file", *api.keys.public_pem());
  }, "PEM public key of the current signing key");

  r.get("/api/v1", Pool::io, [api](Request& req) {
    std::map<std::string, std::set<std::string>> by_path;
    std::map<std::string, std::string> summaries;
    for (auto& route : api.router.routes()) {
      by_path[route.pattern].insert(route.method);
      summaries[route.method + " " + route.pattern] = route.summary;
    }
    json::array endpoints;
    for (auto& [path, methods] : by_path) {
      json::array m;
      json::object s;
      for (auto& x : methods) {
        m.push_back(json::string(x));
        s[x] = summaries[x + " " + path];
      }
      endpoints.push_back(json::object{{"path", path}, {"methods", std::move(m)}, {"summary", std::move(s)}});
    }
    json::object meta{{"count", static_cast<int64_t>(endpoints.size())}};
    return http::ok_response(req, 200, json::object{{"endpoints", std::move(endpoints)}}, "OK", std::move(meta));
  }, "Every endpoint with its methods");

  r.get("/api/v1/openapi.json", Pool::io, [api](Request&) {
    static const std::string doc = json::serialize(openapi_document(api.router, api.issuer));
    return text(200, "application/json", doc);
  }, "OpenAPI 3.1 document");
}

}  // namespace gatehouse::ops
