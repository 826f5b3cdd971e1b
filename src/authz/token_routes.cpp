#include <boost/json.hpp>
#include <climits>

#include "authz/routes.hpp"
#include "core/clock.hpp"
#include "http/envelope.hpp"
#include "http/route_helpers.hpp"
#include "identity/routes.hpp"

namespace gatehouse::authz {
namespace json = boost::json;
using http::Pool;
using http::Request;
using http::Response;
using http::error_response;
using http::ok_response;
using identity::authed;
using identity::origin_of;

namespace {
json::object validation_json(const AppToken& t) {
  auto o = to_json(t);
  o["token_id"] = t.id;
  return o;
}
}  // namespace

void register_token_routes(http::Router& r, AuthzApi api) {
  auto& tokens = api.tokens;
  r.post("/api/v1/tokens", Pool::db, authed(tokens, [api](Request& req, const Principal& p) {
    return http::with_json_body(req, [&](http::Fields& f) {
      auto service = f.str("service_id", false, 128);
      if (!service) service = f.str("service", true, 128);
      auto name = f.str("name", true, 128);
      std::vector<std::string> scopes;
      if (auto* sv = f.body().if_contains("scopes")) {
        if (!sv->is_array()) f.fail("scopes", "Must be an array of strings");
        else for (auto& x : sv->as_array()) {
          if (x.is_string() && !x.get_string().empty() && x.get_string().size() <= 128) scopes.emplace_back(x.get_string());
          else f.fail("scopes", "Must be an array of non-empty strings");
        }
      }
      constexpr int64_t kMaxTokenLifetime = 3650LL * 86400;
      std::optional<int64_t> expires_at;
      if (auto* e = f.body().if_contains("expires_in_days"); e && !e->is_null()) {
        if (!e->is_int64() || e->get_int64() < 1 || e->get_int64() > 3650) f.fail("expires_in_days", "Must be an integer 1..3650");
        else expires_at = now_seconds() + e->get_int64() * 86400;
      }
      if (auto* e = f.body().if_contains("expires_in"); e && !e->is_null()) {
        if (!e->is_int64() || e->get_int64() < 1 || e->get_int64() > kMaxTokenLifetime)  // no overflow of now + it
          f.fail("expires_in", "Must be 1.." + std::to_string(kMaxTokenLifetime) + " seconds (10 years)");
        else expires_at = now_seconds() + e->get_int64();
      }
      if (!f.ok()) return error_response(req, f.error());
      std::string sid = api.decisions.resolve_service(*service).value_or(*service);
      auto t = api.app_tokens.create(sid, *name, scopes, expires_at, p, origin_of(req));
      if (!t) return error_response(req, t.error());
      auto o = to_json(t->token);
      o["token"] = t->secret;
      return ok_response(req, 201, std::move(o), "Token created; store it now, it is not shown again");
    });
  }), "Create an application token for a service (secret shown once)");

  r.get("/api/v1/tokens/service/{sid}", Pool::db, authed(tokens, [api](Request& req, const Principal& p) {
    std::string sid = api.decisions.resolve_service(req.params["sid"]).value_or(req.params["sid"]);
    return http::respond(req, api.app_tokens.of_service(sid, p));
  }), "A service's tokens (never the secrets)");

  r.post("/api/v1/tokens/{id}/revoke", Pool::db, authed(tokens, [api](Request& req, const Principal& p) {
    return http::respond(req, api.app_tokens.revoke(req.params["id"], p, origin_of(req)), 200,
                         json::object{{"id", req.params["id"]}, {"revoked", true}}, "Token revoked");
  }), "Revoke a token (fails at once)");

  r.del("/api/v1/tokens/{id}", Pool::db, authed(tokens, [api](Request& req, const Principal& p) {
    return http::respond(req, api.app_tokens.remove(req.params["id"], p, origin_of(req)), 200,
                         json::object{{"id", req.params["id"]}}, "Token deleted");
  }), "Delete a token");

  r.get("/api/v1/tokens/{id}/usage", Pool::db, authed(tokens, [api](Request& req, const Principal& p) {
    auto d = http::query_int(req, "days", INT_MIN, INT_MAX);
    if (!d) return error_response(req, d.error());
    int days = static_cast<int>(std::clamp<int64_t>(d->value_or(30), 1, 366));  // out of range: the nearest
    auto t = api.app_tokens.get(req.params["id"], p);
    if (!t) return error_response(req, t.error());
    auto u = api.app_tokens.usage(req.params["id"], p, days);
    if (!u) return error_response(req, u.error());
    json::array per_day;
    for (auto& [day, n] : *u) per_day.push_back(json::object{{"day", day}, {"count", n}});
    auto o = to_json(*t);
    o["per_day"] = std::move(per_day);
    return ok_response(req, 200, std::move(o));
  }), "Usage statistics: total, last used, counts per day");

  auto validate = [api](Request& req) mutable -> Response {
    auto token = app_token_of(req);
    if (!token) return error_response(req, Error::make(Errc::authentication, "Send the token as Authorization: Bearer, X-App-Token or X-API-Key"));
    return http::respond(req, api.app_tokens.validate(*token), 200, validation_json, "Token is valid");
  };
  auto validate_fast = [api](Request& req) mutable -> std::optional<Response> {
    auto token = app_token_of(req);
    if (!token) return std::nullopt;
    auto t = api.app_tokens.validate_cached(*token);
    if (!t) return std::nullopt;
    if (!*t) return error_response(req, t->error());
    return ok_response(req, 200, validation_json(**t), "Token is valid");
  };
  r.get("/api/v1/tokens/validate", Pool::db, validate, "Validate the application token sent in a header").fast_path = validate_fast;
}

}  // namespace gatehouse::authz
