#include <boost/json.hpp>

#include "http/envelope.hpp"
#include "http/route_helpers.hpp"
#include "identity/login_steps.hpp"
#include "identity/password_policy.hpp"
#include "identity/routes.hpp"

namespace gatehouse::identity {
namespace json = boost::json;
using http::Pool;
using http::Request;
using http::Response;
using http::error_response;
using http::ok_response;

Origin origin_of(const Request& req) { return {req.client_ip, req.user_agent(), req.request_id}; }

std::string_view access_token_of(const Request& req) {
  if (auto t = req.bearer(); !t.empty()) return t;
  if (auto t = req.header("x-access-token"); !t.empty()) return t;
  return req.header("authentication-token");
}

http::Handler authed(TokenService& tokens, AuthedHandler h) {
  return [&tokens, h = std::move(h)](Request& req) {
    auto p = tokens.authenticate(access_token_of(req));
    if (!p) return error_response(req, p.error());
    return h(req, *p);
  };
}

http::Handler admin_only(TokenService& tokens, AdminService& admin, AuthedHandler h) {
  return authed(tokens, [&admin, h = std::move(h)](Request& req, const Principal& p) {
    if (auto s = admin.require_admin(p); !s) return error_response(req, s.error());
    return h(req, p);
  });
}

void register_auth_routes(http::Router& r, IdentityApi api) {
  r.post("/api/v1/auth/register", Pool::hash, [api](Request& req) {
    if (auto admitted = api.accounts.admit_registration(origin_of(req)); !admitted)
      return error_response(req, admitted.error());
    return http::with_json_body(req, [&](http::Fields& f) {
      auto email = f.str("email", true, 254);
      auto username = f.str("username", false, 32);
      auto name = f.str("name", false, 128);
      auto password = f.str("password", true, 4096);
      auto confirm = f.str("confirm_password", false, 4096);
      if (email && !valid_email(*email)) f.fail("email", "Must be a valid email address");
      if (username && !valid_username(*username))
        f.fail("username", "Must be 3-32 characters: letters, digits, '_', '.', '-'");
      if (password) {
        if (confirm && *confirm != *password) f.fail("confirm_password", "Passwords do not match");
        if (auto why = check_password(api.cfg, *password, {email.value_or(""), username.value_or("")}))
          f.fail("password", *why);
      }
      if (!f.ok()) return error_response(req, f.error());
      return http::respond(req, api.accounts.register_user({*email, username, name, *password}, origin_of(req)), 201,
                           "Registered; check your mail to verify your email address");
    });
  }, "Register a new account (sends a verification mail)");

  auto verify = [api](Request& req) {
    return http::respond(req, api.accounts.verify_email(req.params["token"], origin_of(req)), 200,
                         "Email address verified");
  };
  r.get("/api/v1/auth/verify-email/{token}", Pool::db, verify, "Verify an email address (link from the mail)");
  r.post("/api/v1/auth/verify-email/{token}", Pool::db, verify, "Verify an email address");

  r.post("/api/v1/auth/verify-email/resend", Pool::db, [api](Request& req) {
    return http::with_json_body(req, [&](http::Fields& f) {
      auto email = f.str("email", true, 254);
      if (!f.ok()) return error_response(req, f.error());
      return http::respond(req, api.accounts.resend_verification(*email, origin_of(req)), 200, json::object{},
                           "If that address belongs to an unverified account, a new verification mail is on its way");
    });
  }, "Send a new verification mail");

  // Staged: the lookup and the writes on the database pool, the password check on the
  // hashing pool (identity/login_steps.hpp).
  r.add_staged("POST", "/api/v1/auth/login", Pool::db, [api](Request& req) -> http::Step {
    return http::with_json_body(req, [&](http::Fields& f) -> http::Step {
      auto email = f.str("email", false, 254);
      auto username = f.str("username", false, 254);
      auto login = f.str("login", false, 254);
      auto password = f.str("password", true, 4096);
      auto id = email ? email : username ? username : login;
      if (!id) f.fail("email", "Provide email or username");
      if (!f.ok()) return error_response(req, f.error());
      // Over-long passwords are refused before any hashing work.
      if (utf8_length(*password) > static_cast<std::size_t>(api.cfg.password_max_length))
        return error_response(req, Error::make(Errc::authentication, "Invalid credentials"));
      return login_steps(api.sessions, *id, std::move(*password), origin_of(req),
                         [&req](Result<TokenPair> t) { return http::respond(req, std::move(t), 200, "Logged in"); });
    });
  }, "Log in with email or username and password").admit_only_if_free = Pool::hash;

  r.post("/api/v1/auth/refresh", Pool::db, [api](Request& req) {
    return http::with_json_body(req, [&](http::Fields& f) {
      auto token = f.str("refresh_token", true, 512);
      if (!f.ok()) return error_response(req, f.error());
      return http::respond(req, api.sessions.refresh(*token, origin_of(req)), 200, "Token refreshed");
    });
  }, "Exchange a refresh token for a new token pair (rotation)");

  r.post("/api/v1/auth/logout", Pool::db, authed(api.tokens, [api](Request& req, const Principal& p) {
    return http::respond(req, api.sessions.logout(p, origin_of(req)), 200, json::object{{"session_id", p.session_id}},
                         "Logged out");
  }), "End the current session");

  auto me = authed(api.tokens, [api](Request& req, const Principal& p) {
    return http::respond(req, api.accounts.get(p.user_id));
  });
  // Fast path on the IO thread: a token verified before and a recently read user.
  auto me_fast = [api](Request& req) -> std::optional<Response> {
    auto p = api.tokens.authenticate_cached(access_token_of(req));
    if (!p) return std::nullopt;
    if (!*p) return error_response(req, p->error());
    auto u = api.accounts.cached((*p)->user_id);
    if (!u) return std::nullopt;
    return ok_response(req, 200, to_json(*u));
  };
  r.get("/api/v1/auth/me", Pool::db, me, "The authenticated user").fast_path = me_fast;
  r.get("/api/v1/users/me", Pool::db, me, "The authenticated user's profile").fast_path = me_fast;

  r.get("/api/v1/auth/sessions", Pool::db, authed(api.tokens, [api](Request& req, const Principal& p) {
    auto list = api.sessions.list(p);
    if (!list) return error_response(req, list.error());
    json::array out;
    for (auto& s : *list) out.push_back(to_json(s, p.session_id));
    json::object meta{{"count", static_cast<int64_t>(list->size())}};
    return ok_response(req, 200, std::move(out), "OK", std::move(meta));
  }), "List the caller's active sessions");

  r.get("/api/v1/auth/sessions/stats", Pool::db, authed(api.tokens, [api](Request& req, const Principal& p) {
    return http::respond(req, api.sessions.stats(p));
  }), "Session statistics for the caller");

  r.del("/api/v1/auth/sessions/{id}", Pool::db, authed(api.tokens, [api](Request& req, const Principal& p) {
    return http::respond(req, api.sessions.revoke(p, req.params["id"], origin_of(req)), 200,
                         json::object{{"session_id", req.params["id"]}}, "Session revoked");
  }), "End one of the caller's sessions");

  r.del("/api/v1/auth/sessions", Pool::db, authed(api.tokens, [api](Request& req, const Principal& p) {
    return http::respond(req, api.sessions.revoke_others(p, origin_of(req)), 200,
                         [](int n) { return json::object{{"revoked", n}}; }, "Other sessions revoked");
  }), "End all of the caller's sessions except the current one");
}

}  // namespace gatehouse::identity
