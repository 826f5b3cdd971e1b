// Authorization requests: RFC 6749 §4.1.1, RFC 7636 (PKCE S256 only), OIDC Core §3.1.2.
#include <algorithm>
#include <boost/json.hpp>

#include "core/clock.hpp"
#include "crypto/random.hpp"
#include "crypto/hash.hpp"
#include "events/audit.hpp"
#include "oidc/provider.hpp"

namespace gatehouse::oidc {

std::vector<std::string> split_scope(const std::string& scope) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : scope + " ") {
    if (c == ' ') {
      if (!cur.empty() && std::find(out.begin(), out.end(), cur) == out.end()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  return out;
}

bool has_scope(const std::vector<std::string>& scopes, const std::string& scope) {
  return std::find(scopes.begin(), scopes.end(), scope) != scopes.end();
}

std::string param(const Form& f, const char* key) {
  auto it = f.find(key);
  return it == f.end() ? std::string() : it->second;
}

std::string join_scope(const std::vector<std::string>& scopes) {
  std::string out;
  for (auto& s : scopes) out += (out.empty() ? "" : " ") + s;
  return out;
}

AuthorizeRequest Provider::parse_authorize(const Form& f) {
  auto get = [&](const char* k) {
    auto it = f.find(k);
    return it == f.end() ? std::string() : it->second;
  };
  AuthorizeRequest r;
  r.client_id = get("client_id");
  r.redirect_uri = get("redirect_uri");
  r.response_type = get("response_type");
  r.scope = get("scope");
  r.state = get("state");
  r.nonce = get("nonce");
  r.code_challenge = get("code_challenge");
  r.code_challenge_method = get("code_challenge_method");
  r.prompt = get("prompt");
  r.response_mode = get("response_mode");
  r.login_hint = get("login_hint");
  r.ui_locales = get("ui_locales");
  if (auto m = get("max_age"); !m.empty()) {
    try {
      r.max_age = std::stoll(m);
    } catch (...) {
      r.max_age = -1;
    }
  }
  r.scopes = split_scope(r.scope);
  r.raw = f;
  return r;
}

AuthorizeOutcome Provider::authorize(AuthorizeRequest& r, const std::optional<Browser>& browser,
                                     std::optional<bool> consent_given, bool remember, bool fresh_login) {
  using K = AuthorizeOutcome::Kind;
  auto page = [](OAuthErrc e, std::string d) {
    return AuthorizeOutcome{K::error_page, Error::oauth_error(e, std::move(d)), nullptr, {}};
  };
  // Until the client and redirect URI are known good, errors are shown, never redirected.
  auto client = clients_.find(r.client_id);
  if (!client) return page(OAuthErrc::invalid_client, "Unknown client_id");
  // RFC 6749 §3.1.2.3: with one registered URI a plain OAuth request may omit it; then the
  // token request must omit it too (the code remembers what was sent: "").
  std::string sent_redirect = r.redirect_uri;
  if (r.redirect_uri.empty() && client->redirect_uris.size() == 1 && !client->allows_scope("openid"))
    r.redirect_uri = client->redirect_uris[0];
  if (r.redirect_uri.empty()) return page(OAuthErrc::invalid_request, "redirect_uri is required");
  if (!client->has_redirect(r.redirect_uri))
    return page(OAuthErrc::invalid_request, "redirect_uri is not registered for this client (exact match required)");
  auto fail = [&](OAuthErrc e, std::string d) {
    return AuthorizeOutcome{K::redirect_error, Error::oauth_error(e, std::move(d)), client, {}};
  };
  // OIDC Core §6: request objects are not supported, and say so.
  if (r.raw.count("request")) return fail(OAuthErrc::request_not_supported, "Request objects are not supported");
  if (r.raw.count("request_uri")) return fail(OAuthErrc::request_uri_not_supported, "request_uri is not supported");
  if (r.response_mode != "" && r.response_mode != "query" && r.response_mode != "form_post")
    return fail(OAuthErrc::invalid_request, "response_mode must be query or form_post");
  if (r.response_type != "code") return fail(OAuthErrc::unsupported_response_type, "Only response_type=code is supported");
  if (!client->allows_grant("authorization_code")) return fail(OAuthErrc::unauthorized_client, "Client may not use the code flow");
  for (auto& s : r.scopes)
    if (!client->allows_scope(s)) return fail(OAuthErrc::invalid_scope, "Scope not allowed for this client: " + s);
  if (r.scopes.empty()) return fail(OAuthErrc::invalid_scope, "scope is required");
  bool oidc = std::find(r.scopes.begin(), r.scopes.end(), "openid") != r.scopes.end();
  if (!r.code_challenge.empty() || !r.code_challenge_method.empty()) {
    if (r.code_challenge_method != "S256")
      return fail(OAuthErrc::invalid_request, "code_challenge_method must be S256 (plain is refused)");
    if (r.code_challenge.size() != 43) return fail(OAuthErrc::invalid_request, "code_challenge must be a base64url SHA-256");
  } else if (client->is_public) {
    return fail(OAuthErrc::invalid_request, "PKCE (code_challenge with S256) is required for public clients");
  }
  if (r.max_age && *r.max_age < 0) return fail(OAuthErrc::invalid_request, "max_age must be a non-negative integer");
  auto prompts = split_scope(r.prompt);
  auto has_prompt = [&](const char* p) { return std::find(prompts.begin(), prompts.end(), p) != prompts.end(); };
  for (auto& p : prompts)
    if (p != "none" && p != "login" && p != "consent" && p != "select_account")
      return fail(OAuthErrc::invalid_request, "Unknown prompt value: " + p);
  if (has_prompt("none") && prompts.size() > 1) return fail(OAuthErrc::invalid_request, "prompt=none cannot be combined");

  int64_t now = now_seconds();
  bool need_login = !browser || (has_prompt("login") && !fresh_login) || (has_prompt("select_account") && !fresh_login) ||
                    (r.max_age && browser && !fresh_login &&
                     (*r.max_age == 0 || now - browser->auth_time > *r.max_age));
  if (need_login) {
    if (has_prompt("none")) return fail(OAuthErrc::login_required, "The user is not signed in");
    return {K::login, {}, client, {}};
  }
  // Consent: first-party clients skip it; others need a remembered consent covering the scopes.
  if (!client->first_party) {
    if (consent_given && !*consent_given) return fail(OAuthErrc::access_denied, "The user denied the request");
    if (!consent_given) {
      auto granted = db_.with([&](store::Conn& c) { return ConsentStore(c).find(browser->user_id, client->id); });
      bool covered = granted && std::all_of(r.scopes.begin(), r.scopes.end(), [&](const std::string& s) {
        return std::find(granted->begin(), granted->end(), s) != granted->end();
      });
      if (!covered || has_prompt("consent")) {
        if (has_prompt("none")) return fail(OAuthErrc::consent_required, "The user has not consented to this client");
        return {K::consent, {}, client, {}};
      }
    }
  }
  std::string code = crypto::new_secret_token();
  db_.transaction([&](store::Conn& c) {
    std::string grant_id = crypto::new_uuid();
    GrantStore(c).insert(grant_id, client->id, browser->user_id, browser->session_id, join_scope(r.scopes), now);
    CodeRow row{grant_id, client->id, browser->user_id, sent_redirect, join_scope(r.scopes),
                     oidc && !r.nonce.empty() ? std::optional(r.nonce) : std::nullopt,
                     r.code_challenge.empty() ? std::nullopt : std::optional(r.code_challenge),
                     r.code_challenge_method.empty() ? std::nullopt : std::optional(r.code_challenge_method),
                     browser->auth_time, "pwd", now + cfg_.oauth_code_ttl, std::nullopt, browser->session_id};
    CodeStore(c).insert(crypto::token_hash(code), row, now);
    if (consent_given && *consent_given) {
      if (remember) ConsentStore(c).save(browser->user_id, client->id, r.scopes, now);
      events::AuditEvent e;
      e.action = "oauth.consent_granted";
      e.actor_id = browser->user_id;
      e.subject_id = client->id;
      e.details["scope"] = join_scope(r.scopes);
      e.details["remembered"] = remember;
      events::record(c, e, now);
    }
  });
  return {K::code, {}, client, code};
}

}  // namespace gatehouse::oidc
