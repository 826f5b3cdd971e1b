// The fourth seed service's (dgp-oauth2) flow, kept so its clients keep working:
// /auth/check, /auth/authorize (service-specific permission tokens) and /auth/update.
// Answers follow that service's shapes (no envelope); /auth/public-key lives in ops.
#include <boost/json.hpp>

#include "authz/routes.hpp"
#include "authz/store.hpp"
#include "core/clock.hpp"
#include "crypto/random.hpp"
#include "crypto/hash.hpp"
#include "crypto/encoding.hpp"
#include "http/envelope.hpp"
#include "identity/routes.hpp"

namespace gatehouse::authz {
namespace json = boost::json;
using http::Pool;
using http::Request;
using http::Response;

namespace {

Response json_response(int status, const json::object& o) {
  Response r;
  r.status = status;
  r.body = json::serialize(o);
  return r;
}

// The seed passes the token as ?jwt=; a bearer header works too.
Result<Principal> principal_from_query(identity::TokenService& tokens, const Request& req) {
  if (auto jwt = req.query_param("jwt"); jwt && !jwt->empty()) return tokens.authenticate(*jwt);
  return tokens.authenticate(identity::access_token_of(req));
}

}  // namespace

void register_compat_routes(http::Router& r, AuthzApi api, identity::KeyRing& keys) {
  r.get("/auth/check", Pool::db, [api](Request& req) {
    auto p = principal_from_query(api.tokens, req);
    auto u = p ? api.accounts.get(p->user_id) : Result<identity::User>(p.error());
    if (!u) {
      std::string login = api.cfg.issuer + "/api/v1/auth/login";
      json::object o{{"authenticated", false}, {"providers", {{"password", {{"url", login}}}}}};
      if (auto next = req.query_param("next")) o["next"] = *next;
      return json_response(200, o);
    }
    json::object profile{{"id", u->id},
                         {"name", u->name ? json::value(*u->name) : json::value(nullptr)},
                         {"email", u->email},
                         {"avatar_url", nullptr},
                         {"idhash", crypto::hex_encode(crypto::sha256(u->id))}};
    if (u->username) profile["username"] = *u->username;
    return json_response(200, {{"authenticated", true}, {"profile", std::move(profile)}});
  }, "Seed compatibility: is this jwt valid? (profile, or the login providers)");

  r.get("/auth/authorize", Pool::db, [api, &keys](Request& req) {
    auto p = principal_from_query(api.tokens, req);
    if (!p) return http::error_response(req, p.error());
    auto service = req.query_param("service");
    if (!service || service->empty()) return http::error_response(req, Error::field("service", "Query parameter service is required"));
    auto service_id = api.decisions.resolve_service(*service);
    if (!service_id) return http::error_response(req, Error::not_found("Service"));
    auto granted = api.decisions.permissions(p->user_id, *service_id, std::nullopt);
    if (!granted) return http::error_response(req, granted.error());
    auto all = api.registry.permissions(*service_id);
    json::object perms;
    if (all)
      for (auto& perm : *all) perms[perm.name] = false;
    for (auto& g : *granted) perms[g] = true;
    int64_t now = now_seconds();
    // A permission token is not an access token: its own typ (RFC 8725 §3.11) and an
    // audience namespace no service name can leave, so whatever a caller names its service,
    // the token cannot pass for one meant for an OAuth client or for Gatehouse's own API.
    json::object claims{{"iss", api.cfg.issuer}, {"sub", p->user_id}, {"userid", p->user_id},
                        {"service", *service}, {"aud", permission_audience(*service_id)}, {"permissions", perms},
                        {"iat", now}, {"exp", now + api.cfg.access_token_ttl}, {"jti", crypto::new_token_id()}};
    std::string token = crypto::jws_sign(*keys.signer(), json::serialize(claims), kPermissionTokenType);
    return json_response(200, {{"token", token}, {"userid", p->user_id}, {"permissions", perms}, {"service", *service}});
  }, "Seed compatibility: a service-specific permission token signed with Gatehouse's keys");

  r.post("/auth/update", Pool::db, [api](Request& req) {
    auto p = principal_from_query(api.tokens, req);
    if (!p) return json_response(401, {{"success", false}, {"error", "Not authenticated"}});
    auto username = req.query_param("username");
    if (!username) return json_response(200, {{"success", true}});  // other fields: ignored, as the seed did
    auto u = api.accounts.get(p->user_id);
    if (!u) return json_response(401, {{"success", false}, {"error", "Not authenticated"}});
    if (u->username) return json_response(400, {{"success", false}, {"error", "Username can only be set once"}});
    if (!identity::valid_username(*username))
      return json_response(400, {{"success", false}, {"error", "Username must be 3-32 letters, digits, '_', '.', '-'"}});
    identity::ProfileChange ch;
    ch.username = std::optional<std::string>(*username);
    auto r = api.accounts.update_profile(*p, ch, identity::origin_of(req));
    if (!r) return json_response(r.error().code == Errc::conflict ? 409 : 400, {{"success", false}, {"error", r.error().public_message}});
    return json_response(200, {{"success", true}});
  }, "Seed compatibility: set the username (once)");
}

}  // namespace gatehouse::authz
