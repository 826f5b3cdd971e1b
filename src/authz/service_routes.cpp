#include <boost/json.hpp>

#include "authz/routes.hpp"
#include "authz/store.hpp"
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


// Reads a role body: name (required on create), description, permissions[].
Result<RoleSpec> role_spec(const Request& req, bool create) {
  return http::with_json_body(req, [&](http::Fields& f) -> Result<RoleSpec> {
    RoleSpec spec;
    if (create || f.body().contains("name")) spec.name = f.str("name", true, 64);
    if (f.body().contains("description")) spec.description = f.str("description", false, 512);
    if (auto* pv = f.body().if_contains("permissions")) {
      std::vector<std::string> perms;
      if (!pv->is_array()) f.fail("permissions", "Must be an array of \"resource:action\" names");
      else for (auto& x : pv->as_array()) {
        if (!x.is_string() || !valid_permission_name(std::string(x.get_string())))
          f.fail("permissions", "Each permission must look like resource:action (lowercase)");
        else perms.emplace_back(x.get_string());
      }
      spec.permissions = perms;
    }
    if (!f.ok()) return f.error();
    return spec;
  });
}

// One decision request from a JSON object.
Result<CheckRequest> check_request(const json::object& o) {
  http::Fields f(o);
  auto subject = f.str("subject", true, 64);
  auto service = f.str("service", true, 128);
  auto permission = f.str("permission", true, 128);
  auto org = f.str("org", false, 64);
  if (!org) org = f.str("org_id", false, 64);
  if (!f.ok()) return f.error();
  return CheckRequest{*subject, *service, *permission, org};
}

// May this caller ask about this subject? Users: themselves; app tokens: their own service.
// Admins and service owners are allowed too, which needs the database (full path only).
bool may_check_without_db(const Caller& c, const CheckRequest& r, Decisions& d) {
  if (c.user) return c.user->user_id == r.subject;
  if (c.app) {
    auto sid = d.resolve_service(r.service);
    return sid && *sid == c.app->service_id;
  }
  return false;
}

// The full rule, including admins and service owners (needs the database).
bool may_check(AuthzApi& api, const Caller& c, const CheckRequest& r, bool caller_is_admin) {
  if (caller_is_admin || may_check_without_db(c, r, api.decisions)) return true;
  if (!c.user) return false;
  auto sid = api.decisions.resolve_service(r.service);
  if (!sid) return false;  // asking about others needs ownership; an unknown service has none
  auto s = api.registry.get(*sid);
  return s && s->owner_id == c.user->user_id;
}

json::object decision_json(const CheckRequest& r, const Decision& d) {
  return {{"allowed", d.allowed}, {"reason", d.reason}, {"subject", r.subject}, {"service", r.service},
          {"permission", r.permission}, {"org", r.org ? json::value(*r.org) : json::value(nullptr)}};
}

}  // namespace

void register_service_routes(http::Router& r, AuthzApi api) {
  auto& tokens = api.tokens;
  r.get("/api/v1/services", Pool::db, authed(tokens, [api](Request& req, const Principal&) {
    auto list = api.registry.list();
    if (!list) return error_response(req, list.error());
    return ok_response(req, 200, http::json_of(*list), "OK", {{"count", static_cast<int64_t>(list->size())}});
  }), "List registered services");

  r.get("/api/v1/services/mine", Pool::db, authed(tokens, [api](Request& req, const Principal& p) {
    return http::respond(req, api.registry.mine(p));
  }), "Services the caller owns or holds roles in");

  r.post("/api/v1/services", Pool::db, authed(tokens, [api](Request& req, const Principal& p) {
    return http::with_json_body(req, [&](http::Fields& f) {
      auto name = f.str("name", true, 128);
      auto description = f.str("description", false, 1024);
      if (!f.ok()) return error_response(req, f.error());
      return http::respond(req, api.registry.create(*name, description, p, origin_of(req)), 201,
                           "Service registered");
    });
  }), "Register a service (the caller becomes its owner)");

  r.get("/api/v1/services/{id}", Pool::db, authed(tokens, [api](Request& req, const Principal&) {
    return http::respond(req, api.registry.get(req.params["id"]));
  }), "Read a service");

  r.add("PUT", "/api/v1/services/{id}", Pool::db, authed(tokens, [api](Request& req, const Principal& p) {
    return http::with_json_body(req, [&](http::Fields& f) {
      auto name = f.str("name", true, 128);
      auto description = f.str("description", false, 1024);
      if (!f.ok()) return error_response(req, f.error());
      return http::respond(req, api.registry.update(req.params["id"], *name, description, p, origin_of(req)), 200,
                           "Service updated");
    });
  }), "Replace a service's name and description (owner/admin)");

  r.del("/api/v1/services/{id}", Pool::db, authed(tokens, [api](Request& req, const Principal& p) {
    return http::respond(req, api.registry.remove(req.params["id"], p, origin_of(req)), 200,
                         json::object{{"id", req.params["id"]}}, "Service deleted");
  }), "Delete a service: its roles stop granting, its tokens are revoked (owner/admin)");

  r.get("/api/v1/services/{id}/roles", Pool::db, authed(tokens, [api](Request& req, const Principal&) {
    return http::respond(req, api.registry.roles(req.params["id"]));
  }), "Roles of a service with their permissions");

  r.post("/api/v1/services/{id}/roles", Pool::db, authed(tokens, [api](Request& req, const Principal& p) {
    auto spec = role_spec(req, true);
    if (!spec) return error_response(req, spec.error());
    return http::respond(req, api.registry.create_role(req.params["id"], *spec, p, origin_of(req)), 201,
                         "Role created");
  }), "Create a role (a named set of permissions) in a service");

  r.add("PUT", "/api/v1/roles/{id}", Pool::db, authed(tokens, [api](Request& req, const Principal& p) {
    auto spec = role_spec(req, false);
    if (!spec) return error_response(req, spec.error());
    return http::respond(req, api.registry.update_role(req.params["id"], *spec, p, origin_of(req)), 200,
                         "Role updated");
  }), "Update a service role (name, description, permissions)");

  r.del("/api/v1/roles/{id}", Pool::db, authed(tokens, [api](Request& req, const Principal& p) {
    return http::respond(req, api.registry.delete_role(req.params["id"], p, origin_of(req)), 200,
                         json::object{{"id", req.params["id"]}}, "Role deleted");
  }), "Delete a service role and its assignments");

  r.get("/api/v1/services/{id}/permissions", Pool::db, authed(tokens, [api](Request& req, const Principal&) {
    return http::respond(req, api.registry.permissions(req.params["id"]));
  }), "Permissions defined in a service");

  r.get("/api/v1/permissions", Pool::db, authed(tokens, [api](Request& req, const Principal&) {
    std::optional<std::string> service = req.query_param("service");
    if (service) service = api.decisions.resolve_service(*service).value_or(*service);
    return http::respond(req, api.registry.permissions(service));
  }), "All permissions (optionally ?service=<id or name>)");

  auto org_of = [](Request& req) {
    std::string org = req.query_param("org").value_or(req.query_param("org_id").value_or(""));
    if (org.empty() && !req.body.empty()) {
      if (auto body = http::parse_json_object(req)) {
        http::Fields f(*body);
        org = f.str("org_id", false, 64).value_or("");
      }
    }
    return org;
  };
  r.get("/api/v1/users/{uid}/services/{sid}/roles", Pool::db, authed(tokens, [api](Request& req, const Principal& p) {
    std::string uid = req.params["uid"] == "me" ? p.user_id : req.params["uid"];
    return http::respond(req, api.registry.assignments(uid, req.params["sid"], p));
  }), "A user's roles in a service (self, service owner or admin)");

  r.post("/api/v1/users/{uid}/services/{sid}/roles/{rid}", Pool::db, authed(tokens, [api, org_of](Request& req, const Principal& p) {
    return http::respond(req,
                         api.registry.assign(req.params["uid"], req.params["sid"], req.params["rid"], org_of(req), p, origin_of(req)),
                         201, "Role assigned");
  }), "Assign a service role to a user (optional org scope: ?org= or {\"org_id\"})");

  r.del("/api/v1/users/{uid}/services/{sid}/roles/{rid}", Pool::db, authed(tokens, [api, org_of](Request& req, const Principal& p) {
    return http::respond(req,
                         api.registry.unassign(req.params["uid"], req.params["sid"], req.params["rid"], org_of(req), p, origin_of(req)),
                         200, json::object{{"role_id", req.params["rid"]}}, "Role removed");
  }), "Remove a service role from a user");

  // Decision API. Full path: any caller kind, admins and service owners may ask about anyone.
  auto check = [api](Request& req) mutable -> Response {
    auto caller = caller_of(api, req);
    if (!caller) return error_response(req, caller.error());
    auto body = http::parse_json_object(req);
    if (!body) return error_response(req, body.error());
    auto cr = check_request(*body);
    if (!cr) return error_response(req, cr.error());
    bool admin = !may_check_without_db(*caller, *cr, api.decisions) && caller->user &&
                 api.admin.require_admin(*caller->user).has_value();
    if (!may_check(api, *caller, *cr, admin))
      return error_response(req, Error::forbidden("You may only check your own permissions, or your service's"));
    return http::respond(req, api.decisions.check(*cr), 200, [&](const Decision& d) { return decision_json(*cr, d); });
  };
  // Fast path on the IO thread: cached caller, self/own-service check, cached grants.
  auto check_fast = [api](Request& req) mutable -> std::optional<Response> {
    if (app_token_of(req)) return std::nullopt;  // service callers take the full path (counted once)
    auto caller = caller_cached(api, req);
    if (!caller || !*caller) return std::nullopt;
    auto body = http::parse_json_object(req);
    if (!body) return error_response(req, body.error());
    auto cr = check_request(*body);
    if (!cr) return error_response(req, cr.error());
    if (!(**caller).user || (**caller).user->user_id != cr->subject) return std::nullopt;
    auto d = api.decisions.check_cached(*cr);
    if (!d) return std::nullopt;
    if (!*d) return error_response(req, d->error());
    return ok_response(req, 200, decision_json(*cr, **d));
  };
  r.post("/api/v1/authz/check", Pool::db, check, "Decide: may subject do permission in service (and org)?").fast_path = check_fast;

  r.post("/api/v1/authz/check/batch", Pool::db, [api](Request& req) mutable -> Response {
    auto caller = caller_of(api, req);
    if (!caller) return error_response(req, caller.error());
    auto body = http::parse_json_object(req);
    if (!body) return error_response(req, body.error());
    auto* checks = body->if_contains("checks");
    if (!checks || !checks->is_array() || checks->as_array().empty() || checks->as_array().size() > 100)
      return error_response(req, Error::field("checks", "Must be an array of 1..100 check objects"));
    bool admin = caller->user && api.admin.require_admin(*caller->user).has_value();
    json::array results;
    for (auto& item : checks->as_array()) {
      if (!item.is_object()) return error_response(req, Error::field("checks", "Every item must be an object"));
      auto cr = check_request(item.as_object());
      if (!cr) return error_response(req, cr.error());
      if (!may_check(api, *caller, *cr, admin))
        return error_response(req, Error::forbidden("You may only check your own permissions, or your service's"));
      auto d = api.decisions.check(*cr);
      if (!d) results.push_back(json::object{{"allowed", false}, {"reason", d.error().public_message}});
      else results.push_back(decision_json(*cr, *d));
    }
    return ok_response(req, 200, json::object{{"results", std::move(results)}});
  }, "Several decisions in one call (up to 100)");

  r.get("/api/v1/authz/permissions", Pool::db, authed(tokens, [api](Request& req, const Principal& p) {
    auto service = req.query_param("service");
    if (!service || service->empty()) return error_response(req, Error::field("service", "Query parameter service is required"));
    auto perms = api.decisions.permissions(p.user_id, *service, req.query_param("org"));
    if (!perms) return error_response(req, perms.error());
    json::array a;
    for (auto& x : *perms) a.push_back(json::string(x));
    return ok_response(req, 200, json::object{{"service", *service}, {"permissions", std::move(a)}});
  }), "The caller's permissions in a service (?service=&org=)");
}

}  // namespace gatehouse::authz
