// Admin API for OAuth clients, and the user's consents.
#include <boost/json.hpp>

#include "authz/routes.hpp"
#include "core/clock.hpp"
#include "http/envelope.hpp"
#include "http/route_helpers.hpp"
#include "identity/routes.hpp"
#include "events/audit.hpp"
#include "oidc/routes.hpp"

namespace gatehouse::oidc {
namespace json = boost::json;
using http::Pool;
using http::Request;
using http::Response;
using http::error_response;
using http::ok_response;

namespace {

// Reads a client spec from JSON; `creating` makes name required.
Result<ClientSpec> spec_of(const Request& req, bool creating) {
  return http::with_json_body(req, [&](http::Fields& f) -> Result<ClientSpec> {
    ClientSpec s;
    if (creating || f.body().contains("name")) s.name = f.str("name", true, 128);
    s.is_public = f.boolean("public", false);
    s.first_party = f.boolean("first_party", false);
    if (f.body().contains("token_endpoint_auth_method")) s.auth_method = f.str("token_endpoint_auth_method", true, 64);
    if (f.body().contains("id_token_signed_response_alg")) s.id_token_alg = f.str("id_token_signed_response_alg", true, 16);
    auto list = [&](const char* key, std::optional<std::vector<std::string>>& out) {
      auto* v = f.body().if_contains(key);
      if (!v) return;
      std::vector<std::string> items;
      if (v->is_string()) items = split_scope(std::string(v->get_string()));
      else if (v->is_array()) {
        for (auto& x : v->as_array()) {
          if (x.is_string()) items.emplace_back(x.get_string());
          else f.fail(key, "Must be an array of strings");
        }
      } else f.fail(key, "Must be an array of strings");
      out = items;
    };
    list("redirect_uris", s.redirect_uris);
    list("post_logout_redirect_uris", s.post_logout_redirect_uris);
    list("grant_types", s.grant_types);
    list("scopes", s.scopes);
    if (!s.scopes) list("scope", s.scopes);
    if (auto* j = f.body().if_contains("jwks")) {
      if (j->is_object()) s.jwks = json::serialize(*j);
      else f.fail("jwks", "Must be a JWKS object");
    }
    auto ttl = [&](const char* key, std::optional<std::optional<int>>& out) {
      auto* v = f.body().if_contains(key);
      if (!v) return;
      if (v->is_null()) out = std::optional<int>();
      else if (v->is_int64()) out = std::optional<int>(static_cast<int>(v->get_int64()));
      else f.fail(key, "Must be an integer number of seconds or null");
    };
    ttl("access_token_ttl", s.access_token_ttl);
    ttl("refresh_token_ttl", s.refresh_token_ttl);
    ttl("id_token_ttl", s.id_token_ttl);
    if (!f.ok()) return f.error();
    return s;
  });
}

}  // namespace

void register_client_routes(http::Router& r, OidcApi api) {
  // Admin-only handlers; successful changes (2xx on non-GET) are audited as `action`.
  auto admin = [api](auto h, const char* action = nullptr) {
    return identity::admin_only(api.identity_tokens, api.admin, [api, h, action](Request& req, const Principal& p) mutable {
      Response res = h(req, p);
      if (action && res.status < 300) {
        boost::system::error_code ec;
        auto body = json::parse(res.body, ec);
        std::optional<std::string> subject;
        if (req.params.count("id")) subject = req.params["id"];
        else if (!ec && body.is_object() && body.as_object().contains("data"))
          if (auto* id = body.as_object()["data"].as_object().if_contains("client_id"); id && id->is_string())
            subject = std::string(id->get_string());
        api.db.with([&](store::Conn& c) {
          events::record(c, events::audit_event(identity::origin_of(req), action, p.user_id, subject), now_seconds());
        });
      }
      return res;
    });
  };
  r.get("/api/v1/admin/clients", Pool::db, admin([api](Request& req, const Principal&) {
    json::array a;
    for (auto& c : api.clients.list()) a.push_back(to_json(c));
    return ok_response(req, 200, std::move(a));
  }), "OAuth clients — admin");

  r.post("/api/v1/admin/clients", Pool::db, admin([api](Request& req, const Principal& p) {
    auto spec = spec_of(req, true);
    if (!spec) return error_response(req, spec.error());
    auto made = api.clients.create(*spec, p.user_id);
    if (!made) return error_response(req, made.error());
    auto o = to_json(made->first);
    o["client_secret"] = made->second.empty() ? json::value(nullptr) : json::value(made->second);
    return ok_response(req, 201, std::move(o), "Client created; the secret is shown once");
  }, "oauth.client_created"), "Register an OAuth client (secret shown once) — admin");

  r.get("/api/v1/admin/clients/{id}", Pool::db, admin([api](Request& req, const Principal&) {
    auto c = api.clients.find(req.params["id"]);
    if (!c) return error_response(req, Errc::not_found, "Client not found");
    return ok_response(req, 200, to_json(*c));
  }), "An OAuth client — admin");

  r.patch("/api/v1/admin/clients/{id}", Pool::db, admin([api](Request& req, const Principal&) {
    auto spec = spec_of(req, false);
    if (!spec) return error_response(req, spec.error());
    return http::respond(req, api.clients.update(req.params["id"], *spec), 200, "Client updated");
  }, "oauth.client_updated"), "Change an OAuth client — admin");

  r.del("/api/v1/admin/clients/{id}", Pool::db, admin([api](Request& req, const Principal&) {
    if (auto s = api.clients.remove(req.params["id"]); !s) return error_response(req, s.error());
    api.tokens.revoked_client(req.params["id"]);
    return ok_response(req, 200, json::object{{"client_id", req.params["id"]}}, "Client deleted; its grants are revoked");
  }, "oauth.client_deleted"), "Delete an OAuth client and revoke its grants — admin");

  r.post("/api/v1/admin/clients/{id}/rotate-secret", Pool::db, admin([api](Request& req, const Principal&) {
    auto c = api.clients.rotate_secret(req.params["id"]);
    if (!c) return error_response(req, c.error());
    auto o = to_json(c->first);
    o["client_secret"] = c->second;
    return ok_response(req, 200, std::move(o), "New secret issued; the old one no longer works");
  }, "oauth.client_secret_rotated"), "Issue a new client secret — admin");

  r.get("/api/v1/users/me/consents", Pool::db, identity::authed(api.identity_tokens, [api](Request& req, const Principal& p) {
    auto rows = api.db.with([&](store::Conn& c) { return ConsentStore(c).of_user(p.user_id); });
    json::array a;
    for (auto& k : rows) {
      json::array scopes;
      for (auto& s : k.scopes) scopes.push_back(json::string(s));
      a.push_back(json::object{{"client_id", k.client_id}, {"client_name", k.client_name}, {"scopes", std::move(scopes)},
                               {"created_at", iso8601(k.created_at)}, {"updated_at", iso8601(k.updated_at)}});
    }
    return ok_response(req, 200, std::move(a));
  }), "Applications the caller has consented to");

  auto revoke = [api](Request& req, const Principal& p) {
    std::string client = req.params.count("client_id") ? req.params["client_id"] : "";
    std::vector<std::string> grants;
    auto n = api.db.transaction([&](store::Conn& c) {
      auto n = ConsentStore(c).remove(p.user_id, client, now_seconds(), &grants);
      auto e = events::audit_event(identity::origin_of(req), "oauth.consent_revoked", p.user_id,
                                     client.empty() ? std::optional<std::string>() : client);
      e.details["grants_revoked"] = static_cast<int64_t>(grants.size());
      if (n > 0 || !grants.empty()) events::record(c, e, now_seconds());
      return n;
    });
    api.tokens.revoked_grants(grants);
    if (!client.empty() && n == 0 && grants.empty())
      return error_response(req, Errc::not_found, "No consent or grant for that client");
    return ok_response(req, 200, json::object{{"revoked", n}}, "Consent revoked; the client's tokens stop working");
  };
  r.del("/api/v1/users/me/consents", Pool::db, identity::authed(api.identity_tokens, revoke),
        "Revoke every consent (and the grants behind them)");
  r.del("/api/v1/users/me/consents/{client_id}", Pool::db, identity::authed(api.identity_tokens, revoke),
        "Revoke the consent given to one client");

  r.get("/api/v1/users/me/grants", Pool::db, identity::authed(api.identity_tokens, [api](Request& req, const Principal& p) {
    auto rows = api.db.with([&](store::Conn& c) { return GrantStore(c).live_of(p.user_id, now_seconds()); });
    json::array a;
    for (auto& g : rows)
      a.push_back(json::object{{"id", g.id}, {"client_id", g.client_id}, {"client_name", g.client_name},
                               {"scope", g.scope}, {"created_at", iso8601(g.created_at)},
                               {"refresh_expires_at", g.refresh_expires_at ? json::value(iso8601(*g.refresh_expires_at))
                                                                           : json::value(nullptr)}});
    json::object meta{{"count", static_cast<int64_t>(a.size())}};
    return ok_response(req, 200, std::move(a), "OK", std::move(meta));
  }), "OAuth grants the caller holds (applications that can act for them)");

  auto revoke_grants = [api](Request& req, const Principal& p) {
    std::string grant = req.params.count("id") ? req.params["id"] : "";
    auto ids = api.db.transaction([&](store::Conn& c) {
      auto ids = GrantStore(c).revoke_of_user(p.user_id, grant, now_seconds());
      if (!ids.empty()) {
        auto e = events::audit_event(identity::origin_of(req), "oauth.grant_revoked", p.user_id,
                                       grant.empty() ? std::optional<std::string>() : grant);
        e.details["grants_revoked"] = static_cast<int64_t>(ids.size());
        events::record(c, e, now_seconds());
      }
      return ids;
    });
    api.tokens.revoked_grants(ids);
    if (!grant.empty() && ids.empty()) return error_response(req, Errc::not_found, "No such grant");
    return ok_response(req, 200, json::object{{"revoked", static_cast<int64_t>(ids.size())}},
                       "Grants revoked; their tokens stop working");
  };
  r.del("/api/v1/users/me/grants", Pool::db, identity::authed(api.identity_tokens, revoke_grants),
        "Revoke every OAuth grant of the caller");
  r.del("/api/v1/users/me/grants/{id}", Pool::db, identity::authed(api.identity_tokens, revoke_grants),
        "Revoke one OAuth grant of the caller");
}

}  // namespace gatehouse::oidc
