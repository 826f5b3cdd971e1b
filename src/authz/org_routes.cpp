#include <boost/json.hpp>

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

void register_org_routes(http::Router& r, AuthzApi api) {
  auto& tokens = api.tokens;
  r.post("/api/v1/organizations", Pool::db, authed(tokens, [api](Request& req, const Principal& p) {
    return http::with_json_body(req, [&](http::Fields& f) {
      auto name = f.str("name", true, 128);
      auto description = f.str("description", false, 1024);
      if (!f.ok()) return error_response(req, f.error());
      auto org = api.orgs.create(*name, description, p, origin_of(req));
      if (!org) return error_response(req, org.error());
      auto o = to_json(*org);
      o["your_role"] = "owner";
      return ok_response(req, 201, std::move(o), "Organization created");
    });
  }), "Create an organization (the creator becomes its owner)");

  r.get("/api/v1/organizations/{id}", Pool::db, authed(tokens, [api](Request& req, const Principal& p) {
    return http::respond(req, api.orgs.get(req.params["id"], p));
  }), "Read an organization (members only)");

  r.patch("/api/v1/organizations/{id}", Pool::db, authed(tokens, [api](Request& req, const Principal& p) {
    return http::with_json_body(req, [&](http::Fields& f) {
      OrgChange ch;
      if (f.body().contains("name")) ch.name = f.str("name", true, 128);
      if (f.body().contains("description")) ch.description = f.str("description", false, 1024);
      for (auto& [k, _] : f.body())
        if (k != "name" && k != "description") f.fail(std::string(k), "Unknown or read-only field");
      if (!f.ok()) return error_response(req, f.error());
      return http::respond(req, api.orgs.update(req.params["id"], ch, p, origin_of(req)), 200,
                           "Organization updated");
    });
  }), "Update an organization (owner/admin)");

  r.del("/api/v1/organizations/{id}", Pool::db, authed(tokens, [api](Request& req, const Principal& p) {
    return http::respond(req, api.orgs.remove(req.params["id"], p, origin_of(req)), 200,
                         json::object{{"id", req.params["id"]}}, "Organization deleted");
  }), "Soft-delete an organization and end its memberships (owner)");

  r.get("/api/v1/organizations/{id}/members", Pool::db, authed(tokens, [api](Request& req, const Principal& p) {
    auto m = api.orgs.members(req.params["id"], p);
    if (!m) return error_response(req, m.error());
    return ok_response(req, 200, http::json_of(*m), "OK", {{"count", static_cast<int64_t>(m->size())}});
  }), "List members");

  r.post("/api/v1/organizations/{id}/members", Pool::db, authed(tokens, [api](Request& req, const Principal& p) {
    return http::with_json_body(req, [&](http::Fields& f) {
      auto user = f.str("user_id", false, 64);
      if (!user) user = f.str("email", !f.body().contains("user_id"), 254);
      auto role = f.str("role", false, 64);
      if (!f.ok()) return error_response(req, f.error());
      return http::respond(req,
                           api.orgs.add_member(req.params["id"], *user, role.value_or("member"), p, origin_of(req)),
                           201, "Member added");
    });
  }), "Add an existing user as a member (owner/admin)");

  r.del("/api/v1/organizations/{id}/members/{userId}", Pool::db, authed(tokens, [api](Request& req, const Principal& p) {
    return http::respond(req, api.orgs.remove_member(req.params["id"], req.params["userId"], p, origin_of(req)), 200,
                         json::object{{"user_id", req.params["userId"]}}, "Member removed");
  }), "Remove a member, or leave (the last owner cannot leave)");

  r.patch("/api/v1/organizations/{id}/members/{userId}/role", Pool::db, authed(tokens, [api](Request& req, const Principal& p) {
    return http::with_json_body(req, [&](http::Fields& f) {
      auto role = f.str("role", true, 64);
      if (!f.ok()) return error_response(req, f.error());
      return http::respond(req,
                           api.orgs.change_role(req.params["id"], req.params["userId"], *role, p, origin_of(req)),
                           200, "Role changed");
    });
  }), "Change a member's role (owner/admin; admins cannot touch owners)");

  r.get("/api/v1/organizations/{id}/roles", Pool::db, authed(tokens, [api](Request& req, const Principal& p) {
    auto roles = api.orgs.roles(req.params["id"], p);
    if (!roles) return error_response(req, roles.error());
    json::array builtin;
    for (const char* b : {"owner", "admin", "member"}) builtin.push_back(json::string(b));
    json::array catalogue;
    for (auto& c : org_permission_catalogue()) catalogue.push_back(json::string(c));
    return ok_response(req, 200, json::object{{"builtin", builtin}, {"custom", http::json_of(*roles)},
                                              {"permissions", catalogue}});
  }), "Built-in and custom roles of the organization");

  r.post("/api/v1/organizations/{id}/roles", Pool::db, authed(tokens, [api](Request& req, const Principal& p) {
    return http::with_json_body(req, [&](http::Fields& f) {
      auto name = f.str("name", true, 64);
      auto description = f.str("description", false, 512);
      std::vector<std::string> perms;
      auto* pv = f.body().if_contains("permissions");
      if (!pv || !pv->is_array()) f.fail("permissions", "Must be an array of permission names");
      else for (auto& x : pv->as_array()) {
        if (x.is_string()) perms.emplace_back(x.get_string());
        else f.fail("permissions", "Must be an array of permission names");
      }
      if (!f.ok()) return error_response(req, f.error());
      return http::respond(req, api.orgs.create_role(req.params["id"], *name, description, perms, p, origin_of(req)),
                           201, "Role created");
    });
  }), "Create a custom organization role (a permission set)");

  r.del("/api/v1/organizations/{id}/roles/{roleId}", Pool::db, authed(tokens, [api](Request& req, const Principal& p) {
    return http::respond(req, api.orgs.delete_role(req.params["id"], req.params["roleId"], p, origin_of(req)), 200,
                         json::object{{"id", req.params["roleId"]}}, "Role deleted");
  }), "Delete an unused custom organization role");

  r.post("/api/v1/organizations/{id}/invitations", Pool::db, authed(tokens, [api](Request& req, const Principal& p) {
    return http::with_json_body(req, [&](http::Fields& f) {
      auto email = f.str("email", true, 254);
      auto role = f.str("role", false, 64);
      if (email && !identity::valid_email(*email)) f.fail("email", "Must be a valid email address");
      if (!f.ok()) return error_response(req, f.error());
      return http::respond(req, api.orgs.invite(req.params["id"], *email, role.value_or("member"), p, origin_of(req)),
                           201, "Invitation sent");
    });
  }), "Invite someone by email (expiring, single-use link)");

  r.get("/api/v1/organizations/{id}/invitations", Pool::db, authed(tokens, [api](Request& req, const Principal& p) {
    return http::respond(req, api.orgs.invitations(req.params["id"], p));
  }), "List invitations");

  r.del("/api/v1/organizations/{id}/invitations/{invitationId}", Pool::db, authed(tokens, [api](Request& req, const Principal& p) {
    return http::respond(req,
                         api.orgs.revoke_invitation(req.params["id"], req.params["invitationId"], p, origin_of(req)),
                         200, json::object{{"id", req.params["invitationId"]}}, "Invitation revoked");
  }), "Revoke a pending invitation (its link stops working)");

  auto accept = authed(tokens, [api](Request& req, const Principal& p) {
    return http::respond(req, api.orgs.accept(req.params["token"], p, origin_of(req)), 200, "Invitation accepted");
  });
  r.post("/api/v1/invitations/{token}/accept", Pool::db, accept, "Accept an invitation as the logged-in invitee");

  r.get("/api/v1/users/me/organizations", Pool::db, authed(tokens, [api](Request& req, const Principal& p) {
    return http::respond(req, api.orgs.orgs_of(p));
  }), "Organizations the caller belongs to, with roles");

  r.post("/api/v1/auth/switch-organization", Pool::db, authed(tokens, [api](Request& req, const Principal& p) {
    return http::with_json_body(req, [&](http::Fields& f) {
      auto org = f.str("org_id", false, 64);
      if (!f.body().contains("org_id")) f.fail("org_id", "Give an organization id, or null to clear");
      if (!f.ok()) return error_response(req, f.error());
      if (auto s = api.orgs.switch_active(org, p, origin_of(req)); !s) return error_response(req, s.error());
      auto token = api.sessions.reissue(p);
      if (!token) return error_response(req, token.error());
      return ok_response(req, 200, json::object{{"access_token", *token}, {"token_type", "Bearer"},
                                                {"expires_in", api.cfg.access_token_ttl},
                                                {"org_id", org ? json::value(*org) : json::value(nullptr)}},
                         "Active organization switched");
    });
  }), "Set the active organization; returns an access token carrying it");
}

}  // namespace gatehouse::authz
