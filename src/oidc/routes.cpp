#include "oidc/routes.hpp"

#include "core/clock.hpp"

#include <boost/json.hpp>

#include "crypto/random.hpp"
#include "http/envelope.hpp"
#include "http/form.hpp"
#include "http/oauth_envelope.hpp"
#include "identity/login_steps.hpp"
#include "ui/pages.hpp"

namespace gatehouse::oidc {
namespace json = boost::json;
using http::Pool;
using http::Request;
using http::Response;

Response html(int status, std::string body) {
  Response r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::move(body);
  return r;
}

namespace {

// The client's credentials as values: the provider never sees the HTTP request.
Credentials client_of(const Request& req, const http::Form& form) {
  return credentials_of(req.header("authorization"), form);
}

// The server's own refusals (undecodable text, busy pools) in RFC 6749 §5.2 form.
Response oauth_refusal(const Request&, const Error& e) { return http::oauth_error_response(e); }

// A form that did not parse, as the OAuth endpoints answer it.
Response bad_form(const Error& e) {
  return http::oauth_error_response(Error::oauth_error(OAuthErrc::invalid_request, e.public_message));
}

Response redirect(const std::string& location, int status = 302) {
  Response r;
  r.status = status;
  r.content_type.clear();
  r.set_header("Location", location);
  return r;
}

// The authorization response (RFC 6749 §4.1.2 / §4.1.2.1, RFC 9207 iss) by response_mode.
Response respond_to_client(const Config& cfg, const AuthorizeRequest& ar, http::Form params) {
  if (!ar.state.empty()) params["state"] = ar.state;
  params["iss"] = cfg.issuer;
  if (ar.response_mode == "form_post") {
    std::string nonce = crypto::new_secret_token().substr(0, 22);
    Response r = html(200, ui::form_post_page(ar.redirect_uri, params, nonce));
    auto scheme_end = ar.redirect_uri.find("://");
    auto path_start = ar.redirect_uri.find('/', scheme_end == std::string::npos ? 0 : scheme_end + 3);
    std::string origin = ar.redirect_uri.substr(0, path_start);
    r.set_header("Content-Security-Policy", "default-src 'none'; script-src 'nonce-" + nonce + "'; form-action " +
                                                origin + "; frame-ancestors 'none'; base-uri 'none'");
    return r;
  }
  return redirect(http::with_query(ar.redirect_uri, params));
}

// The access token from the header or (POST) the form body; RFC 6750 §2 forbids both at once.
Result<std::string> bearer_of(const Request& req, const http::Form& form) {
  auto header = req.bearer();
  auto it = req.method == "POST" ? form.find("access_token") : form.end();
  if (!header.empty() && it != form.end())
    return Error::oauth_error(OAuthErrc::invalid_request, "Send the access token in one place only");
  if (!header.empty()) return std::string(header);
  return it != form.end() ? it->second : std::string();
}


}  // namespace

ResumedRequest resume_request(OidcApi& api, const http::Form& form, const std::optional<Browser>& browser) {
  auto it = form.find("pending");
  if (it == form.end()) return {form, "", false, false};
  auto p = api.pending.load(it->second, now_seconds());
  if (!p) return {{}, it->second, false, true};
  bool since = browser && !p->signed_in_session.empty() && p->signed_in_session == browser->session_id;
  return {std::move(p->params), it->second, since, false};
}

Response answer_authorize(OidcApi& api, const Request& req, AuthorizeRequest& ar, const AuthorizeOutcome& out,
                          const std::optional<Browser>& browser, const std::string& pending_handle) {
  using K = AuthorizeOutcome::Kind;
  auto handle = [&] { return pending_handle.empty() ? api.pending.save(ar.raw, now_seconds()) : pending_handle; };
  switch (out.kind) {
    case K::error_page:
      return html(400, ui::error_page(api.cfg, oauth_error_name(out.error.oauth), out.error.public_message));
    case K::redirect_error:
      if (!pending_handle.empty()) api.pending.drop(pending_handle);
      return respond_to_client(api.cfg, ar, {{"error", oauth_error_name(out.error.oauth)},
                                             {"error_description", http::error_description_safe(out.error.public_message)}});
    case K::code:
      if (!pending_handle.empty()) api.pending.drop(pending_handle);
      return respond_to_client(api.cfg, ar, {{"code", out.code}});
    case K::login: {
      // Back to the same stored request after signing in: prompt and max_age stay, and are
      // met by a sign-in newer than the request.
      std::string back = http::with_query("/oauth2/authorize", {{"pending", handle()}});
      http::Form q{{"return_to", back}};
      if (!ar.login_hint.empty()) q["login_hint"] = ar.login_hint;
      return redirect(http::with_query("/ui/login", q));
    }
    case K::consent: {
      std::string set_cookie;
      ui::FormContext f;
      f.csrf = csrf_token(req, api.browsers.secure(), &set_cookie);
      f.hidden = {{"pending", handle()}};  // the request itself stays on the server
      auto user = api.accounts.get(browser->user_id);
      Response r = html(200, ui::consent_page(api.cfg, f, out.client->name, ar.scopes, user ? user->email : ""));
      if (!set_cookie.empty()) r.set_header("Set-Cookie", set_cookie);
      return r;
    }
  }
  return html(500, ui::error_page(api.cfg, "server_error", "Unexpected state"));
}

void register_oauth_routes(http::Router& r, OidcApi api) {
  auto discovery = [api](Request&) mutable {
    static const std::string doc = json::serialize(api.provider.discovery());
    Response res;
    res.body = doc;
    return res;
  };
  r.get("/.well-known/openid-configuration", Pool::io, discovery, "OpenID Provider metadata");
  r.get("/.well-known/oauth-authorization-server", Pool::io, discovery, "OAuth 2.0 authorization server metadata (RFC 8414)");

  auto authorize = [api](Request& req) mutable {
    auto form = http::form_of(req);
    if (!form) return html(400, ui::error_page(api.cfg, "invalid_request", form.error().public_message));
    auto browser = api.browsers.current(req);
    auto resumed = resume_request(api, *form, browser);
    if (resumed.expired)
      return html(400, ui::error_page(api.cfg, "invalid_request",
                                      "This sign-in request has expired. Go back to the application and start again."));
    auto ar = Provider::parse_authorize(resumed.params);
    auto out = api.provider.authorize(ar, browser, std::nullopt, false, resumed.signed_in_since);
    return answer_authorize(api, req, ar, out, browser, resumed.handle);
  };
  r.get("/oauth2/authorize", Pool::db, authorize, "Authorization endpoint (code flow, PKCE S256)");
  r.post("/oauth2/authorize", Pool::db, authorize, "Authorization endpoint (form-encoded request)");

  // Staged for the password grant (the password check on the hashing pool); every other
  // grant answers in its first step.
  auto token = [api](Request& req) mutable -> http::Step {
    auto form = http::form_of(req);
    if (!form) return bad_form(form.error());
    Origin origin{req.client_ip, req.user_agent(), req.request_id};
    if (form->count("grant_type") && form->at("grant_type") == "password") {
      auto grant = api.provider.password_grant_begin(client_of(req, *form), *form);
      if (!grant) return http::oauth_error_response(grant.error());
      auto answer = [api, g = *grant](Result<identity::TokenPair> login) mutable {
        return http::oauth_answer(api.provider.password_grant_finish(g, login));
      };
      return identity::login_steps(api.sessions, (*form)["username"], (*form)["password"], origin, std::move(answer));
    }
    return http::oauth_answer(api.provider.token(client_of(req, *form), *form, origin));
  };
  auto token_fast = [api](Request& req) mutable -> std::optional<Response> {
    auto form = http::form_of(req);
    if (!form) return std::nullopt;
    auto out = api.provider.token_fast(client_of(req, *form), *form);
    if (!out) return std::nullopt;
    return http::oauth_answer(*out);
  };
  auto& token_route = r.add_staged("POST", "/oauth2/token", Pool::db, token, "Token endpoint");
  token_route.fast_path = token_fast;
  token_route.refuse = oauth_refusal;

  auto introspect = [api](Request& req) mutable {
    auto form = http::form_of(req);
    if (!form) return bad_form(form.error());
    return http::oauth_answer(api.provider.introspect(client_of(req, *form), *form));
  };
  auto introspect_fast = [api](Request& req) mutable -> std::optional<Response> {
    auto form = http::form_of(req);
    if (!form) return std::nullopt;
    auto out = api.provider.introspect_cached(client_of(req, *form), *form);
    if (!out) return std::nullopt;
    return http::oauth_answer(*out);
  };
  auto& introspect_route = r.post("/oauth2/introspect", Pool::db, introspect, "Token introspection (RFC 7662)");
  introspect_route.fast_path = introspect_fast;
  introspect_route.refuse = oauth_refusal;

  r.post("/oauth2/revoke", Pool::db, [api](Request& req) mutable {
    auto form = http::form_of(req);
    if (!form) return bad_form(form.error());
    auto revoked = api.provider.revoke(client_of(req, *form), *form);
    Response res = http::oauth_answer(revoked);
    if (revoked) {  // RFC 7009 §2.2: 200 with no content
      res.body.clear();
      res.content_type.clear();
    }
    return res;
  }, "Token revocation (RFC 7009)").refuse = oauth_refusal;

  r.post("/oauth2/device_authorization", Pool::db, [api](Request& req) mutable {
    if (int wait = api.limiter.take(RateLimiter::address_key("device-ip", req.client_ip), api.cfg.rl_device_ip)) {
      Error e = Error::oauth_error(OAuthErrc::slow_down, "Too many device authorization requests");
      Response r = http::oauth_error_response(e);
      r.status = 429;  // RFC 8628 names no status for this; 429 + Retry-After is what clients back off on
      r.set_header("Retry-After", std::to_string(wait));
      return r;
    }
    auto form = http::form_of(req);
    if (!form) return bad_form(form.error());
    return http::oauth_answer(api.provider.device_authorization(client_of(req, *form), *form));
  }, "Device authorization (RFC 8628)").refuse = oauth_refusal;

  auto userinfo = [api](Request& req) mutable {
    http::Form form;
    if (req.method == "POST" && !req.body.empty()) {
      auto f = http::form_of(req);
      if (!f) return http::bearer_answer(Error::oauth_error(OAuthErrc::invalid_request, f.error().public_message));
      form = *f;
    }
    auto token = bearer_of(req, form);
    if (!token) return http::bearer_answer(token.error());
    // RFC 6750 §3.1: a request without credentials gets the challenge and no error code.
    if (token->empty()) return http::bearer_answer(Error::make(Errc::authentication, ""));
    return http::bearer_answer(api.provider.userinfo(*token));
  };
  r.get("/oauth2/userinfo", Pool::db, userinfo, "UserInfo (OIDC Core §5.3)");
  r.post("/oauth2/userinfo", Pool::db, userinfo, "UserInfo (POST)");

  // RP-initiated logout (OIDC RP-Initiated Logout 1.0): confirm, then end the browser session.
  auto logout = [api](Request& req) mutable {
    auto form = http::form_of(req);
    if (!form) return html(400, ui::error_page(api.cfg, "invalid_request", form.error().public_message));
    auto get = [&](const char* k) { auto it = form->find(k); return it == form->end() ? std::string() : it->second; };
    std::string client_id = get("client_id"), target = get("post_logout_redirect_uri"), state = get("state");
    if (auto hint = get("id_token_hint"); !hint.empty()) {
      auto claims = api.tokens.verify_id_token_hint(hint);
      if (!claims) return html(400, ui::error_page(api.cfg, "invalid_request", "id_token_hint is not valid"));
      auto* aud = claims->if_contains("aud");
      std::string hint_client = aud && aud->is_string() ? std::string(aud->get_string()) : "";
      if (!client_id.empty() && client_id != hint_client)
        return html(400, ui::error_page(api.cfg, "invalid_request", "client_id does not match id_token_hint"));
      client_id = hint_client;
    }
    std::shared_ptr<const Client> client = client_id.empty() ? nullptr : api.clients.find(client_id);
    if (!target.empty()) {
      bool registered = client && std::find(client->post_logout_redirect_uris.begin(),
                                            client->post_logout_redirect_uris.end(), target) !=
                                      client->post_logout_redirect_uris.end();
      if (!registered)
        return html(400, ui::error_page(api.cfg, "invalid_request", "post_logout_redirect_uri is not registered for the client"));
    }
    if (req.method == "GET" || get("decision").empty()) {
      std::string set_cookie;
      ui::FormContext f;
      f.csrf = csrf_token(req, api.browsers.secure(), &set_cookie);
      for (const char* k : {"client_id", "post_logout_redirect_uri", "state"})
        if (!get(k).empty()) f.hidden[k] = get(k);
      if (!client_id.empty()) f.hidden["client_id"] = client_id;
      Response res = html(200, ui::logout_page(api.cfg, f, client ? client->name : ""));
      if (!set_cookie.empty()) res.set_header("Set-Cookie", set_cookie);
      return res;
    }
    if (!csrf_ok(req, *form, api.browsers.secure())) return html(403, ui::error_page(api.cfg, "invalid_request", "The form expired; please try again"));
    Response res;
    if (get("decision") == "logout") {
      if (auto b = api.browsers.current(req)) {
        Principal p{b->user_id, b->session_id, 0};
        (void)api.sessions.logout(p, {req.client_ip, req.user_agent(), req.request_id});
      }
      std::string clear = api.browsers.end(req);
      if (!target.empty()) {
        res = redirect(state.empty() ? target : http::with_query(target, {{"state", state}}), 303);
      } else {
        res = html(200, ui::message_page(api.cfg, "Signed out", "You have been signed out.", "/ui/login", "Sign in again"));
      }
      res.set_header("Set-Cookie", clear);
      return res;
    }
    return target.empty() ? redirect("/ui/account", 303)
                          : redirect(state.empty() ? target : http::with_query(target, {{"state", state}}), 303);
  };
  r.get("/oauth2/logout", Pool::db, logout, "RP-initiated logout (confirmation page)");
  r.post("/oauth2/logout", Pool::db, logout, "RP-initiated logout (confirm)");
}

}  // namespace gatehouse::oidc
