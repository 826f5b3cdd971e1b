// The login UI: sign in, register, forgot/reset password, consent, device code entry and
// the signed-in page. Every POST checks the CSRF double-submit cookie.
#include <algorithm>
#include <boost/json.hpp>

#include "core/clock.hpp"
#include "events/audit.hpp"
#include "http/form.hpp"
#include "identity/login_steps.hpp"
#include "identity/password_policy.hpp"
#include "identity/routes.hpp"
#include "oidc/routes.hpp"
#include "oidc/store.hpp"
#include "ui/pages.hpp"

namespace gatehouse::oidc {
using http::Pool;
using http::Request;
using http::Response;

namespace {

std::string field(const http::Form& f, const char* k) {
  auto it = f.find(k);
  return it == f.end() ? std::string() : it->second;
}

// Only same-site relative paths are followed after sign-in (no open redirects).
std::string safe_return(const std::string& to) {
  bool clean = !to.empty() && to[0] == '/' && to.size() <= 4096 &&
               std::all_of(to.begin(), to.end(), [](unsigned char c) { return c > 0x20 && c < 0x7f && c != '\\'; });
  if (!clean || (to.size() > 1 && to[1] == '/')) return "/ui/account";
  return to;
}

Response see_other(const std::string& location) {
  Response r;
  r.status = 303;
  r.content_type.clear();
  r.set_header("Location", location);
  return r;
}

// Renders a page with a CSRF token (setting the cookie when new).
template <class F>
Response page(OidcApi& api, const Request& req, int status, ui::FormContext f, F render) {
  std::string set_cookie;
  f.csrf = csrf_token(req, api.browsers.secure(), &set_cookie);
  Response r = html(status, render(f));
  if (!set_cookie.empty()) r.set_header("Set-Cookie", set_cookie);
  return r;
}

Response expired_form(OidcApi& api) {
  return html(403, ui::error_page(api.cfg, "invalid_request", "This form has expired. Go back, reload the page and try again."));
}

std::string first_error(const Error& e) {
  for (auto& [k, v] : e.details)
    if (v.is_string() && k != "reason" && k != "retry_after") return std::string(v.get_string());
  return e.public_message;
}

}  // namespace

void register_ui_routes(http::Router& r, OidcApi api) {
  r.get("/ui/static/style.css", Pool::io, [api](Request&) {
    static const std::string css = ui::stylesheet(api.cfg);
    Response res;
    res.content_type = "text/css; charset=utf-8";
    res.body = css;
    return res;
  }, "Login UI stylesheet");

  r.get("/", Pool::io, [](Request&) { return see_other("/ui/account"); }, "Home: the account page");
  r.get("/favicon.ico", Pool::io, [](Request&) {
    Response res;
    res.status = 204;  // no icon; answering keeps browsers from logging a 404 on every page
    res.content_type.clear();
    return res;
  }, "No favicon (204)");

  r.get("/ui/login", Pool::db, [api](Request& req) mutable {
    ui::FormContext f;
    f.hidden["return_to"] = safe_return(req.query_param("return_to").value_or(""));
    return page(api, req, 200, f, [&](auto& ctx) {
      return ui::login_page(api.cfg, ctx, req.query_param("login_hint").value_or(""));
    });
  }, "Sign-in page");

  r.add_staged("POST", "/ui/login", Pool::db, [api](Request& req) mutable -> http::Step {
    auto form = http::form_of(req);
    if (!form) return html(400, ui::error_page(api.cfg, "invalid_request", form.error().public_message));
    if (!csrf_ok(req, *form, api.browsers.secure())) return expired_form(api);
    std::string back = safe_return(field(*form, "return_to"));
    std::string login = field(*form, "login");
    auto answer = [api, &req, back, login](Result<identity::TokenPair> t) mutable {
      if (!t) {
        ui::FormContext f;
        f.hidden["return_to"] = back;
        f.error = t.error().code == Errc::authentication ? "Wrong email/username or password." : t.error().public_message;
        int status = t.error().code == Errc::rate_limited ? 429 : t.error().code == Errc::authorization ? 403 : 401;
        Response res = page(api, req, status, f, [&](auto& ctx) { return ui::login_page(api.cfg, ctx, login); });
        if (t.error().retry_after) res.set_header("Retry-After", std::to_string(t.error().retry_after));
        return res;
      }
      if (auto handle = PendingRequests::handle_in(back); !handle.empty()) api.pending.signed_in(handle, t->session_id);
      Response res = see_other(back);
      res.set_header("Set-Cookie", api.browsers.start(t->session_id, t->user.id, *t->user.last_login_at));
      return res;
    };
    return identity::login_steps(api.sessions, login, field(*form, "password"),
                                 {req.client_ip, req.user_agent(), req.request_id}, std::move(answer));
  }, "Sign in (form post)").admit_only_if_free = Pool::hash;

  r.get("/ui/register", Pool::db, [api](Request& req) mutable {
    ui::FormContext f;
    f.hidden["return_to"] = safe_return(req.query_param("return_to").value_or(""));
    return page(api, req, 200, f, [&](auto& ctx) { return ui::register_page(api.cfg, ctx, "", ""); });
  }, "Registration page");

  r.post("/ui/register", Pool::hash, [api](Request& req) mutable {
    auto form = http::form_of(req);
    if (!form) return html(400, ui::error_page(api.cfg, "invalid_request", form.error().public_message));
    if (!csrf_ok(req, *form, api.browsers.secure())) return expired_form(api);
    Origin o{req.client_ip, req.user_agent(), req.request_id};
    if (auto admitted = api.accounts.admit_registration(o); !admitted)
      return html(429, ui::error_page(api.cfg, "temporarily_unavailable", admitted.error().public_message));
    std::string email = field(*form, "email"), username = field(*form, "username"), password = field(*form, "password");
    std::string back = safe_return(field(*form, "return_to"));
    ui::FormContext f;
    f.hidden["return_to"] = back;
    if (!identity::valid_email(email)) f.error = "Enter a valid email address.";
    else if (!username.empty() && !identity::valid_username(username)) f.error = "Usernames are 3-32 letters, digits, '_', '.' or '-'.";
    else if (password != field(*form, "confirm_password")) f.error = "The passwords do not match.";
    else if (auto why = identity::check_password(api.cfg, password, {email, username})) f.error = *why;
    if (f.error.empty()) {
      auto u = api.accounts.register_user({email, username.empty() ? std::nullopt : std::optional(username), std::nullopt, password}, o);
      if (u) {
        auto t = api.sessions.login(email, password, o);
        if (!t) return see_other("/ui/login?return_to=" + http::url_encode(back));
        if (auto handle = PendingRequests::handle_in(back); !handle.empty()) api.pending.signed_in(handle, t->session_id);
        Response res = see_other(back);
        res.set_header("Set-Cookie", api.browsers.start(t->session_id, t->user.id, *t->user.last_login_at));
        return res;
      }
      f.error = first_error(u.error());
    }
    return page(api, req, 400, f, [&](auto& ctx) { return ui::register_page(api.cfg, ctx, email, username); });
  }, "Register (form post)");

  r.get("/ui/forgot", Pool::db, [api](Request& req) mutable {
    return page(api, req, 200, {}, [&](auto& ctx) { return ui::forgot_page(api.cfg, ctx); });
  }, "Forgotten password page");

  r.post("/ui/forgot", Pool::db, [api](Request& req) mutable {
    auto form = http::form_of(req);
    if (!form) return html(400, ui::error_page(api.cfg, "invalid_request", form.error().public_message));
    if (!csrf_ok(req, *form, api.browsers.secure())) return expired_form(api);
    auto s = api.accounts.forgot_password(field(*form, "email"), {req.client_ip, req.user_agent(), req.request_id});
    if (!s) {
      ui::FormContext f;
      f.error = s.error().public_message;
      return page(api, req, 429, f, [&](auto& ctx) { return ui::forgot_page(api.cfg, ctx); });
    }
    return html(200, ui::message_page(api.cfg, "Check your mail",
                                      "If an account exists for that address, we sent a link to reset the password.",
                                      "/ui/login", "Back to sign in"));
  }, "Request a reset mail (form post)");

  r.get("/ui/reset", Pool::db, [api](Request& req) mutable {
    ui::FormContext f;
    f.hidden["token"] = req.query_param("token").value_or("");
    return page(api, req, 200, f, [&](auto& ctx) { return ui::reset_page(api.cfg, ctx); });
  }, "Choose a new password (link from the reset mail)");

  r.post("/ui/reset", Pool::hash, [api](Request& req) mutable {
    auto form = http::form_of(req);
    if (!form) return html(400, ui::error_page(api.cfg, "invalid_request", form.error().public_message));
    if (!csrf_ok(req, *form, api.browsers.secure())) return expired_form(api);
    ui::FormContext f;
    f.hidden["token"] = field(*form, "token");
    if (field(*form, "password") != field(*form, "confirm_password")) {
      f.error = "The passwords do not match.";
    } else if (auto s = api.accounts.reset_password(field(*form, "token"), field(*form, "password"),
                                                    {req.client_ip, req.user_agent(), req.request_id}); !s) {
      f.error = first_error(s.error());
    } else {
      return html(200, ui::message_page(api.cfg, "Password changed", "Your password has been changed. Sign in with it now.",
                                        "/ui/login", "Sign in"));
    }
    return page(api, req, 400, f, [&](auto& ctx) { return ui::reset_page(api.cfg, ctx); });
  }, "Set a new password (form post)");

  r.post("/ui/consent", Pool::db, [api](Request& req) mutable {
    auto form = http::form_of(req);
    if (!form) return html(400, ui::error_page(api.cfg, "invalid_request", form.error().public_message));
    if (!csrf_ok(req, *form, api.browsers.secure())) return expired_form(api);
    auto browser = api.browsers.current(req);
    // Only the stored request counts: parameters posted beside the handle are ignored, so a
    // consent form cannot be edited into another request.
    std::string handle = field(*form, "pending");
    if (handle.empty()) return html(400, ui::error_page(api.cfg, "invalid_request", "pending is required"));
    auto resumed = resume_request(api, {{"pending", handle}}, browser);
    if (resumed.expired)
      return html(400, ui::error_page(api.cfg, "invalid_request",
                                      "This sign-in request has expired. Go back to the application and start again."));
    if (!browser)
      return see_other(http::with_query("/ui/login", {{"return_to", http::with_query("/oauth2/authorize", {{"pending", handle}})}}));
    auto ar = Provider::parse_authorize(resumed.params);
    bool allow = field(*form, "decision") == "allow";
    // prompt=login and max_age still apply: only a sign-in newer than the request meets them.
    auto out = api.provider.authorize(ar, browser, allow, field(*form, "remember") == "1", resumed.signed_in_since);
    return answer_authorize(api, req, ar, out, browser, handle);
  }, "Consent decision (form post)");

  auto device = [api](Request& req) mutable {
    auto browser = api.browsers.current(req);
    std::string self = req.query.empty() ? "/ui/device" : "/ui/device?" + req.query;
    if (!browser) return see_other(http::with_query("/ui/login", {{"return_to", self}}));
    http::Form form;
    if (req.method == "POST") {
      auto f = http::form_of(req);
      if (!f) return html(400, ui::error_page(api.cfg, "invalid_request", f.error().public_message));
      if (!csrf_ok(req, *f, api.browsers.secure())) return expired_form(api);
      form = *f;
    }
    std::string code = req.method == "POST" ? field(form, "user_code") : req.query_param("user_code").value_or("");
    ui::FormContext ctx;
    if (code.empty()) return page(api, req, 200, ctx, [&](auto& c) { return ui::device_entry_page(api.cfg, c, ""); });
    // RFC 8628 §5.1: user codes are short, so guesses are limited per signed-in user.
    if (int wait = api.limiter.take("device-verify:" + browser->user_id, api.cfg.rl_device_verify)) {
      ctx.error = "Too many codes tried. Wait a few minutes and try again.";
      Response res = page(api, req, 429, ctx, [&](auto& c) { return ui::device_entry_page(api.cfg, c, ""); });
      res.set_header("Retry-After", std::to_string(wait));
      return res;
    }
    auto client = api.provider.device_lookup(code);
    if (!client) {
      ctx.error = first_error(client.error());
      return page(api, req, 400, ctx, [&](auto& c) { return ui::device_entry_page(api.cfg, c, code); });
    }
    std::string decision = field(form, "decision");
    if (decision.empty()) {
      ctx.hidden["user_code"] = code;
      return page(api, req, 200, ctx, [&](auto& c) {
        return ui::device_confirm_page(api.cfg, c, client->client->name, code, client->scopes);
      });
    }
    if (auto s = api.provider.device_decide(code, decision == "allow", *browser); !s) {
      ctx.error = first_error(s.error());
      return page(api, req, 400, ctx, [&](auto& c) { return ui::device_entry_page(api.cfg, c, code); });
    }
    return html(200, ui::message_page(api.cfg, decision == "allow" ? "Device connected" : "Request denied",
                                      decision == "allow" ? "You can return to your device now."
                                                          : "The device was not given access."));
  };
  r.get("/ui/device", Pool::db, device, "Device code entry (RFC 8628 verification URI)");
  r.post("/ui/device", Pool::db, device, "Device code confirmation (form post)");

  r.get("/ui/account", Pool::db, [api](Request& req) mutable {
    auto browser = api.browsers.current(req);
    if (!browser) return see_other("/ui/login");
    auto u = api.accounts.get(browser->user_id);
    if (!u) return see_other("/ui/login");
    std::vector<ui::GrantView> grants;
    for (auto& g : api.db.with([&](store::Conn& c) { return GrantStore(c).live_of(u->id, now_seconds()); }))
      grants.push_back({g.id, g.client_name, g.scope});
    return page(api, req, 200, {}, [&](auto& ctx) {
      return ui::account_page(api.cfg, ctx, u->email, u->name.value_or(""), grants);
    });
  }, "The signed-in account page, with the applications that hold grants");

  r.post("/ui/account/grants/revoke", Pool::db, [api](Request& req) mutable {
    auto form = http::form_of(req);
    if (!form) return html(400, ui::error_page(api.cfg, "invalid_request", form.error().public_message));
    if (!csrf_ok(req, *form, api.browsers.secure())) return expired_form(api);
    auto browser = api.browsers.current(req);
    if (!browser) return see_other("/ui/login");
    std::string grant = field(*form, "grant_id");
    if (grant.empty()) return html(400, ui::error_page(api.cfg, "invalid_request", "grant_id is required"));
    auto ids = api.db.transaction([&](store::Conn& c) {
      auto ids = GrantStore(c).revoke_of_user(browser->user_id, grant, now_seconds());  // only the user's own
      if (!ids.empty()) {
        auto e = events::audit_event(identity::origin_of(req), "oauth.grant_revoked", browser->user_id, grant);
        events::record(c, e, now_seconds());
      }
      return ids;
    });
    api.tokens.revoked_grants(ids);
    if (ids.empty()) return html(404, ui::error_page(api.cfg, "not_found", "No such grant"));
    return see_other("/ui/account");
  }, "Revoke an application's grant (form post)");
}

}  // namespace gatehouse::oidc
