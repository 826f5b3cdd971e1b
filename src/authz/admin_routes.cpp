#include <boost/json.hpp>
#include <climits>

#include "authz/routes.hpp"
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

void register_admin_routes(http::Router& r, AuthzApi api) {
  r.get("/api/v1/admin/users", Pool::db, admin_only(api, [api](Request& req, const Principal&) {
    auto page = http::query_int(req, "page", 1, 1000000);
    if (!page) return error_response(req, page.error());
    auto limit = http::query_int(req, "limit", 1, 200);
    if (!limit) return error_response(req, limit.error());
    auto q = req.query_param("q").value_or(req.query_param("search").value_or(""));
    auto out = api.admin.search(q, static_cast<int>(page->value_or(1)), static_cast<int>(limit->value_or(50)));
    if (!out) return error_response(req, out.error());
    auto meta = (*out)["meta"].as_object();
    return ok_response(req, 200, std::move((*out)["users"]), "OK", std::move(meta));
  }), "List / search users (?q=&page=&limit=) — admin");

  r.get("/api/v1/admin/users/{public_id}", Pool::db, admin_only(api, [api](Request& req, const Principal&) {
    return http::respond(req, api.admin.user(req.params["public_id"]));
  }), "A user with roles and session count — admin");

  r.patch("/api/v1/admin/users/{public_id}", Pool::db, admin_only(api, [api](Request& req, const Principal& p) {
    return http::with_json_body(req, [&](http::Fields& f) {
      identity::AdminUserChange ch;
      ch.locked = f.boolean("locked", false);
      ch.email_verified = f.boolean("email_verified", false);
      ch.force_logout = f.boolean("force_logout", false).value_or(false);
      if (auto* roles = f.body().if_contains("roles")) {
        std::vector<std::string> names;
        if (!roles->is_array()) f.fail("roles", "Must be an array of role names");
        else for (auto& x : roles->as_array()) {
          if (x.is_string()) names.emplace_back(x.get_string());
          else f.fail("roles", "Must be an array of role names");
        }
        ch.roles = names;
      }
      for (auto& [k, _] : f.body())
        if (k != "locked" && k != "email_verified" && k != "force_logout" && k != "roles")
          f.fail(std::string(k), "Unknown field (locked, email_verified, force_logout, roles)");
      if (!f.ok()) return error_response(req, f.error());
      return http::respond(req, api.admin.update(req.params["public_id"], ch, p, origin_of(req)), 200,
                           "User updated");
    });
  }), "Lock/unlock, verify email, force logout, assign roles — admin");

  r.del("/api/v1/admin/users/{public_id}", Pool::db, admin_only(api, [api](Request& req, const Principal& p) {
    return http::respond(req, api.admin.remove(req.params["public_id"], p, origin_of(req)), 200,
                         json::object{{"id", req.params["public_id"]}}, "User deleted");
  }), "Soft-delete a user and end their sessions — admin");

  r.get("/api/v1/admin/users/{public_id}/roles", Pool::db, admin_only(api, [api](Request& req, const Principal&) {
    return http::respond(req, api.admin.roles_of(req.params["public_id"]));
  }), "A user's global roles — admin");

  r.get("/api/v1/admin/audit", Pool::db, admin_only(api, [api](Request& req, const Principal&) {
    events::AuditFilter f;
    f.user_id = req.query_param("user");
    f.action = req.query_param("action");
    auto since = http::query_int(req, "since", INT64_MIN, INT64_MAX);  // Unix seconds
    auto until = http::query_int(req, "until", INT64_MIN, INT64_MAX);
    auto cursor = http::query_int(req, "cursor", INT64_MIN, INT64_MAX);
    auto limit = http::query_int(req, "limit", INT_MIN, INT_MAX);
    for (auto* q : {&since, &until, &cursor, &limit})
      if (!*q) return error_response(req, q->error());
    f.since = *since;
    f.until = *until;
    f.before_id = *cursor;
    if (*limit) f.limit = static_cast<int>(std::clamp<int64_t>(**limit, 1, 500));  // too many: the most
    auto out = api.admin.audit(f);
    if (!out) return error_response(req, out.error());
    auto meta = (*out)["meta"].as_object();
    return ok_response(req, 200, std::move((*out)["events"]), "OK", std::move(meta));
  }), "Audit log (?user=&action=&since=&until=&cursor=&limit=) — admin");

  r.get("/api/v1/roles", Pool::db, identity::authed(api.tokens, [api](Request& req, const Principal&) {
    return http::respond(req, api.admin.roles());
  }), "Global roles with their levels");

  r.get("/api/v1/users/me/roles", Pool::db, identity::authed(api.tokens, [api](Request& req, const Principal& p) {
    return http::respond(req, api.admin.roles_of(p.user_id));
  }), "The caller's global roles");

  r.get("/api/v1/roles/{name}/users", Pool::db, admin_only(api, [api](Request& req, const Principal&) {
    return http::respond(req, api.admin.users_with_role(req.params["name"]));
  }), "Users holding a global role — admin");

  // Webhooks
  r.get("/api/v1/admin/webhooks", Pool::db, admin_only(api, [api](Request& req, const Principal&) {
    return http::respond(req, api.webhooks.list());
  }), "Registered webhooks — admin");

  r.post("/api/v1/admin/webhooks", Pool::db, admin_only(api, [api](Request& req, const Principal& p) {
    return http::with_json_body(req, [&](http::Fields& f) {
      auto url = f.str("url", true, 2048);
      auto secret = f.str("secret", false, 256);
      auto description = f.str("description", false, 512);
      std::vector<std::string> types;
      auto* tv = f.body().if_contains("event_types");
      if (!tv) tv = f.body().if_contains("events");
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
    });
  }), "Register a webhook (URL, secret, event types) — admin");

  r.del("/api/v1/admin/webhooks/{id}", Pool::db, admin_only(api, [api](Request& req, const Principal& p) {
    return http::respond(req,
                         api.webhooks.remove(req.params["id"], events::audit_event(origin_of(req), "", p.user_id)),
                         200, json::object{{"id", req.params["id"]}}, "Webhook removed");
  }), "Deactivate a webhook — admin");

  r.get("/api/v1/admin/webhooks/{id}/deliveries", Pool::db, admin_only(api, [api](Request& req, const Principal&) {
    return http::respond(req, api.webhooks.deliveries(req.params["id"], 100));
  }), "Recent deliveries of a webhook with status and attempts — admin");
}

}  // namespace gatehouse::authz
