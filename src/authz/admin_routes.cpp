#include <boost/json.hpp>

#include "authz/routes.hpp"
#include "http/envelope.hpp"
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
std::optional<int> int_param(const Request& req, const char* name, int lo, int hi, int fallback, bool* bad) {
  auto v = req.query_param(name);
  if (!v || v->empty()) return fallback;
  try {
    std::size_t used = 0;
    int x = std::stoi(*v, &used);
    if (used != v->size() || x < lo || x > hi) throw std::invalid_argument("range");
    return x;
  } catch (...) {
    *bad = true;
    return std::nullopt;
  }
}
}  // namespace

void register_admin_routes(http::Router& r, AuthzApi api) {
  r.get("/api/v1/admin/users", Pool::db, admin_only(api, [api](Request& req, const Principal&) {
    bool bad = false;
    auto page = int_param(req, "page", 1, 1000000, 1, &bad);
    auto limit = int_param(req, "limit", 1, 200, 50, &bad);
    if (bad) return error_response(req, Error::validation("page must be >= 1 and limit 1..200"));
    auto out = api.admin.search(req.query_param("q").value_or(req.query_param("search").value_or("")), *page, *limit);
    if (!out) return error_response(req, out.error());
    auto meta = (*out)["meta"].as_object();
    return ok_response(req, 200, std::move((*out)["users"]), "OK", std::move(meta));
  }), "List / search users (?q=&page=&limit=) — admin");

  r.get("/api/v1/admin/users/{public_id}", Pool::db, admin_only(api, [api](Request& req, const Principal&) {
    auto u = api.admin.user(req.params["public_id"]);
    if (!u) return error_response(req, u.error());
    return ok_response(req, 200, std::move(*u));
  }), "A user with roles and session count — admin");

  r.patch("/api/v1/admin/users/{public_id}", Pool::db, admin_only(api, [api](Request& req, const Principal& p) {
    auto body = http::parse_json_object(req);
    if (!body) return error_response(req, body.error());
    http::Fields f(*body);
    identity::AdminUserChange ch;
    ch.locked = f.boolean("locked", false);
    ch.email_verified = f.boolean("email_verified", false);
    ch.force_logout = f.boolean("force_logout", false).value_or(false);
    if (auto* roles = body->if_contains("roles")) {
      std::vector<std::string> names;
      if (!roles->is_array()) f.fail("roles", "Must be an array of role names");
      else for (auto& x : roles->as_array()) {
        if (x.is_string()) names.emplace_back(x.get_string());
        else f.fail("roles", "Must be an array of role names");
      }
      ch.roles = names;
    }
    for (auto& [k, _] : *body)
      if (k != "locked" && k != "email_verified" && k != "force_logout" && k != "roles")
        f.fail(std::string(k), "Unknown field (locked, email_verified, force_logout, roles)");
    if (!f.ok()) return error_response(req, f.error());
    auto u = api.admin.update(req.params["public_id"], ch, p, origin_of(req));
    if (!u) return error_response(req, u.error());
    return ok_response(req, 200, std::move(*u), "User updated");
  }), "Lock/unlock, verify email, force logout, assign roles — admin");

  r.del("/api/v1/admin/users/{public_id}", Pool::db, admin_only(api, [api](Request& req, const Principal& p) {
    if (auto s = api.admin.remove(req.params["public_id"], p, origin_of(req)); !s) return error_response(req, s.error());
    return ok_response(req, 200, json::object{{"id", req.params["public_id"]}}, "User deleted");
  }), "Soft-delete a user and end their sessions — admin");

  r.get("/api/v1/admin/users/{public_id}/roles", Pool::db, admin_only(api, [api](Request& req, const Principal&) {
    auto roles = api.admin.roles_of(req.params["public_id"]);
    if (!roles) return error_response(req, roles.error());
    json::array a;
    for (auto& x : *roles) a.push_back(to_json(x));
    return ok_response(req, 200, std::move(a));
  }), "A user's global roles — admin");

  r.get("/api/v1/admin/audit", Pool::db, admin_only(api, [api](Request& req, const Principal&) {
    events::AuditFilter f;
    f.user_id = req.query_param("user");
    f.action = req.query_param("action");
    try {
      if (auto s = req.query_param("since")) f.since = std::stoll(*s);
      if (auto u = req.query_param("until")) f.until = std::stoll(*u);
      if (auto c = req.query_param("cursor")) f.before_id = std::stoll(*c);
      if (auto l = req.query_param("limit")) f.limit = std::clamp(std::stoi(*l), 1, 500);
    } catch (...) {
      return error_response(req, Error::validation("since, until (Unix seconds), cursor and limit must be integers"));
    }
    auto out = api.admin.audit(f);
    if (!out) return error_response(req, out.error());
    auto meta = (*out)["meta"].as_object();
    return ok_response(req, 200, std::move((*out)["events"]), "OK", std::move(meta));
  }), "Audit log (?user=&action=&since=&until=&cursor=&limit=) — admin");

  r.get("/api/v1/roles", Pool::db, identity::authed(api.tokens, [api](Request& req, const Principal&) {
    auto roles = api.admin.roles();
    if (!roles) return error_response(req, roles.error());
    json::array a;
    for (auto& x : *roles) a.push_back(to_json(x));
    return ok_response(req, 200, std::move(a));
  }), "Global roles with their levels");

  r.get("/api/v1/users/me/roles", Pool::db, identity::authed(api.tokens, [api](Request& req, const Principal& p) {
    auto roles = api.admin.roles_of(p.user_id);
    if (!roles) return error_response(req, roles.error());
    json::array a;
    for (auto& x : *roles) a.push_back(to_json(x));
    return ok_response(req, 200, std::move(a));
  }), "The caller's global roles");

  r.get("/api/v1/roles/{name}/users", Pool::db, admin_only(api, [api](Request& req, const Principal&) {
    auto users = api.admin.users_with_role(req.params["name"]);
    if (!users) return error_response(req, users.error());
    return ok_response(req, 200, std::move(*users));
  }), "Users holding a global role — admin");

  // Webhooks
  r.get("/api/v1/admin/webhooks", Pool::db, admin_only(api, [api](Request& req, const Principal&) {
    auto list = api.webhooks.list();
    if (!list) return error_response(req, list.error());
    json::array a;
    for (auto& w : *list) a.push_back(events::to_json(w));
    return ok_response(req, 200, std::move(a));
  }), "Registered webhooks — admin");

  r.post("/api/v1/admin/webhooks", Pool::db, admin_only(api, [api](Request& req, const Principal& p) {
    auto body = http::parse_json_object(req);
    if (!body) return error_response(req, body.error());
    http::Fields f(*body);
    auto url = f.str("url", true, 2048);
    auto secret = f.str("secret", false, 256);
    auto description = f.str("description", false, 512);
    std::vector<std::string> types;
    auto* tv = body->if_contains("event_types");
    if (!tv) tv = body->if_contains("events");
    if (!tv) types.push_back("*");
    else if (!tv->is_array()) f.fail("event_types", "Must be an array of event types");
    else for (auto& x : tv->as_array()) {
      if (x.is_string()) types.emplace_back(x.get_string());
      else f.fail("event_types", "Must be an array of event types");
    }
    if (!f.ok()) return error_response(req, f.error());
    auto w = api.webhooks.create(*url, secret, types, description, events::audit_event(origin_of(req), "", p.user_id));
    if (!w) return error_response(req, w.error());
    auto o = events::to_json(w->first);
    o["secret"] = w->second;
    return ok_response(req, 201, std::move(o), "Webhook registered; the secret is shown once");
  }), "Register a webhook (URL, secret, event types) — admin");

  r.del("/api/v1/admin/webhooks/{id}", Pool::db, admin_only(api, [api](Request& req, const Principal& p) {
    if (auto s = api.webhooks.remove(req.params["id"], events::audit_event(origin_of(req), "", p.user_id)); !s)
      return error_response(req, s.error());
    return ok_response(req, 200, json::object{{"id", req.params["id"]}}, "Webhook removed");
  }), "Deactivate a webhook — admin");

  r.get("/api/v1/admin/webhooks/{id}/deliveries", Pool::db, admin_only(api, [api](Request& req, const Principal&) {
    auto d = api.webhooks.deliveries(req.params["id"], 100);
    if (!d) return error_response(req, d.error());
    return ok_response(req, 200, std::move(*d));
  }), "Recent deliveries of a webhook with status and attempts — admin");
}

}  // namespace gatehouse::authz
