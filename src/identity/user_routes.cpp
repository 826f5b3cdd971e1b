#include <boost/json.hpp>
#include <climits>

#include "http/envelope.hpp"
#include "http/route_helpers.hpp"
#include "identity/password_policy.hpp"
#include "identity/routes.hpp"

namespace gatehouse::identity {
namespace json = boost::json;
using http::Pool;
using http::Request;
using http::Response;
using http::error_response;
using http::ok_response;

void register_user_routes(http::Router& r, IdentityApi api) {
  r.patch("/api/v1/users/me", Pool::db, authed(api.tokens, [api](Request& req, const Principal& p) {
    return http::with_json_body(req, [&](http::Fields& f) {
      ProfileChange change;
      for (auto& [key, _] : f.body())
        if (key != "username" && key != "name") f.fail(std::string(key), "Unknown or read-only field");
      if (f.body().contains("username")) {
        auto u = f.str("username", false, 32);
        if (u && !valid_username(*u)) f.fail("username", "Must be 3-32 characters: letters, digits, '_', '.', '-'");
        change.username = u;
      }
      if (f.body().contains("name")) change.name = f.str("name", false, 128);
      if (!f.ok()) return error_response(req, f.error());
      return http::respond(req, api.accounts.update_profile(p, change, origin_of(req)), 200, "Profile updated");
    });
  }), "Update the caller's username or display name");

  r.post("/api/v1/users/me/password", Pool::hash, authed(api.tokens, [api](Request& req, const Principal& p) {
    return http::with_json_body(req, [&](http::Fields& f) {
      auto current = f.str("current_password", true, 4096);
      auto next = f.str("new_password", true, 4096);
      auto confirm = f.str("confirm_password", false, 4096);
      if (next && confirm && *next != *confirm) f.fail("confirm_password", "Passwords do not match");
      if (!f.ok()) return error_response(req, f.error());
      return http::respond(req, api.accounts.change_password(p, *current, *next, origin_of(req)), 200, json::object{},
                           "Password changed; other sessions were ended");
    });
  }), "Change password (needs the current one; ends other sessions)");

  r.del("/api/v1/users/me", Pool::hash, authed(api.tokens, [api](Request& req, const Principal& p) {
    std::optional<std::string> password;
    if (!req.body.empty()) {
      auto body = http::parse_json_object(req);
      if (!body) return error_response(req, body.error());
      http::Fields f(*body);
      password = f.str("password", false, 4096);
      if (!f.ok()) return error_response(req, f.error());
    }
    return http::respond(req, api.accounts.delete_account(p, password, origin_of(req)), 200, json::object{},
                         "Account deleted");
  }), "Delete the caller's account (soft delete; sessions ended)");

  r.get("/api/v1/users/me/audit", Pool::db, authed(api.tokens, [api](Request& req, const Principal& p) {
    auto l = http::query_int(req, "limit", INT_MIN, INT_MAX);
    if (!l) return error_response(req, l.error());
    auto before = http::query_int(req, "before", INT64_MIN, INT64_MAX);
    if (!before) return error_response(req, before.error());
    int limit = static_cast<int>(std::clamp<int64_t>(l->value_or(50), 1, 200));  // too many: the most
    auto rows = api.accounts.audit(p, limit, *before);
    if (!rows) return error_response(req, rows.error());
    json::array out;
    for (auto& r : *rows) out.push_back(events::to_json(r));
    json::object meta{{"limit", limit}};
    if (static_cast<int>(rows->size()) == limit) meta["next_before"] = rows->back().id;
    return ok_response(req, 200, std::move(out), "OK", std::move(meta));
  }), "The caller's own security events, newest first (cursor: ?before=<id>)");

  r.post("/api/v1/password/forgot", Pool::db, [api](Request& req) {
    return http::with_json_body(req, [&](http::Fields& f) {
      auto email = f.str("email", true, 254);
      if (!f.ok()) return error_response(req, f.error());
      return http::respond(req, api.accounts.forgot_password(*email, origin_of(req)), 200, json::object{},
                           "If an account exists for that address, a reset mail is on its way");
    });
  }, "Request a password reset mail (same answer for unknown addresses)");

  r.post("/api/v1/password/reset", Pool::hash, [api](Request& req) {
    return http::with_json_body(req, [&](http::Fields& f) {
      auto token = f.str("token", true, 256);
      auto password = f.body().contains("new_password") && !f.body().contains("password")
                          ? f.str("new_password", true, 4096)
                          : f.str("password", true, 4096);
      auto confirm = f.str("confirm_password", false, 4096);
      if (password && confirm && *password != *confirm) f.fail("confirm_password", "Passwords do not match");
      if (!f.ok()) return error_response(req, f.error());
      return http::respond(req, api.accounts.reset_password(*token, *password, origin_of(req)), 200, json::object{},
                           "Password reset; log in with the new password");
    });
  }, "Set a new password with a reset token (single use)");
}

}  // namespace gatehouse::identity
