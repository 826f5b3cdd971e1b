// The token endpoint (RFC 6749 §3.2, §4.1.3, §4.4, §6; RFC 7636 §4.6; RFC 8628 §3.4;
// RFC 7523 client assertions) and client authentication.
#include <algorithm>
#include <boost/json.hpp>

#include "core/clock.hpp"
#include "crypto/random.hpp"
#include "crypto/encoding.hpp"
#include "crypto/hash.hpp"
#include "identity/users.hpp"
#include "events/audit.hpp"
#include "oidc/provider.hpp"

namespace gatehouse::oidc {
namespace json = boost::json;

namespace {
// Detected attacks are audited in the transaction that answers them (kept with
// tx.keep_on_failure(), so the audit row survives the error it reports).
void audit_failure(store::Conn& c, const char* action, const std::string& user, const std::string& client, int64_t now) {
  events::AuditEvent e;
  e.action = action;
  e.outcome = "failure";
  e.actor_id = user;
  e.subject_id = client;
  events::record(c, e, now);
}
}  // namespace

std::optional<Result<Provider::ClientPtr>> Provider::authenticate(const Credentials& creds, bool cached_only) {
  if (creds.conflicting) return Error::oauth_error(OAuthErrc::invalid_request, "Use exactly one client authentication method");
  if (creds.client_id.empty()) return Error::oauth_error(OAuthErrc::invalid_client, "Client authentication failed");
  auto client = clients_.find_cached(creds.client_id);
  bool from_cache = client != nullptr;
  if (!client && !cached_only) client = clients_.find(creds.client_id);
  if (!client) {
    if (cached_only) return std::nullopt;
    return Error::oauth_error(OAuthErrc::invalid_client, "Client authentication failed");
  }
  if (creds.method != client->auth_method) return Error::oauth_error(OAuthErrc::invalid_client, "Client authentication failed");
  if (creds.method == "none") return client;  // public client: identified, not authenticated
  if (creds.method == "private_key_jwt") {
    if (cached_only) return std::nullopt;
    boost::system::error_code ec;
    auto jwks = json::parse(client->jwks, ec);
    auto lookup = [&](const json::object& h) -> std::shared_ptr<const crypto::Jwk> {
      if (ec || !jwks.is_object()) return nullptr;
      auto* kid = h.if_contains("kid");
      for (auto& k : jwks.as_object()["keys"].as_array()) {
        if (!k.is_object()) continue;
        auto* kk = k.as_object().if_contains("kid");
        if (kid && (!kk || *kk != *kid)) continue;
        if (auto j = crypto::Jwk::from_json(k.as_object())) return std::make_shared<const crypto::Jwk>(*j);
      }
      return nullptr;
    };
    auto parts = crypto::jws_verify(*creds.assertion, lookup);
    if (!parts) return Error::oauth_error(OAuthErrc::invalid_client, "Client assertion signature invalid");
    auto v = json::parse(parts->payload, ec);
    if (ec || !v.is_object()) return Error::oauth_error(OAuthErrc::invalid_client, "Client assertion invalid");
    auto& c = v.as_object();
    auto s = [&](const char* k) { auto* x = c.if_contains(k); return x && x->is_string() ? std::string(x->get_string()) : ""; };
    int64_t now = now_seconds();
    auto* exp = c.if_contains("exp");
    bool aud_ok = false;
    for (auto want : {cfg_.issuer + "/oauth2/token", cfg_.issuer}) {
      if (s("aud") == want) aud_ok = true;
      if (auto* a = c.if_contains("aud"); a && a->is_array())
        for (auto& x : a->as_array()) aud_ok |= x.is_string() && x.get_string() == want;
    }
    if (s("iss") != client->id || s("sub") != client->id || !aud_ok || !exp || !exp->is_int64() ||
        exp->get_int64() <= now || exp->get_int64() > now + 3600 || s("jti").empty())
      return Error::oauth_error(OAuthErrc::invalid_client, "Client assertion claims invalid (iss, sub, aud, exp, jti)");
    // Each assertion once (RFC 7523 §3 item 7), remembered until its exp (at most 1 h).
    if (!seen_assertions_.insert_new(client->id + ":" + s("jti"), exp->get_int64(), now))
      return Error::oauth_error(OAuthErrc::invalid_client, "Client assertion replayed");
    return client;
  }
  if (!creds.secret) return Error::oauth_error(OAuthErrc::invalid_client, "Client authentication failed");
  if (clients_.secret_matches(*client, *creds.secret)) return client;
  if (!from_cache) return Error::oauth_error(OAuthErrc::invalid_client, "Client authentication failed");
  // The cached entry may predate a rotation made by another process: the database decides.
  if (cached_only) return std::nullopt;
  client = clients_.reload(creds.client_id);
  if (!client || client->auth_method != creds.method || !clients_.secret_matches(*client, *creds.secret))
    return Error::oauth_error(OAuthErrc::invalid_client, "Client authentication failed");
  return client;
}

Result<json::object> Provider::issue_for_user(const Client& c, const std::string& user_id,
                                                      const std::string& scope, const std::string& grant_id,
                                                      const std::string& session_id, int64_t auth_time,
                                                      const std::optional<std::string>& nonce, bool with_refresh) {
  int64_t now = now_seconds();
  auto scopes = split_scope(scope);
  auto user = db_.with([&](store::Conn& conn) { return identity::Users(conn).active(user_id); });
  if (!user) return Error::oauth_error(OAuthErrc::invalid_grant, "The user is no longer active");
  std::string access = tokens_.issue_access(c, user_id, scope, grant_id, session_id, now);
  json::object out{{"access_token", access}, {"token_type", "Bearer"}, {"expires_in", tokens_.access_ttl(c)},
                   {"scope", scope}};
  if (with_refresh && has_scope(scopes, "offline_access") && c.allows_grant("refresh_token")) {
    std::string refresh = crypto::new_secret_token();
    db_.with([&](store::Conn& conn) {
      RefreshStore(conn).insert(crypto::token_hash(refresh),
                          {grant_id, c.id, user_id, scope, auth_time, now + tokens_.refresh_ttl(c), std::nullopt, std::nullopt},
                          now);
    });
    out["refresh_token"] = refresh;
  }
  if (has_scope(scopes, "openid")) {
    IdTokenInput in{user_id, claims_for(*user, scopes), nonce, auth_time, "pwd", session_id, access};
    out["id_token"] = tokens_.issue_id_token(c, in, now);
  }
  return out;
}

Result<json::object> Provider::grant_code(const Client& c, const Form& f) {
  std::string code = param(f, "code");
  if (code.empty() || code.size() > 256) return Error::oauth_error(OAuthErrc::invalid_request, "code is required");
  int64_t now = now_seconds();
  std::string hash = crypto::token_hash(code);
  auto row = db_.transaction([&](store::Conn& conn, store::Tx& tx) -> Result<CodeRow> {
    auto r = CodeStore(conn).by_hash(hash);
    if (!r || r->client_id != c.id) return Error::oauth_error(OAuthErrc::invalid_grant, "Unknown authorization code");
    if (r->used_at || !CodeStore(conn).mark_used(hash, now)) {
      // RFC 6749 §4.1.2: a replayed code revokes every token issued from it, and that
      // revocation (and its audit row) must outlive the error this returns.
      GrantStore(conn).revoke(r->grant_id, now);
      audit_failure(conn, "oauth.code_replay", r->user_id, r->client_id, now);
      tx.keep_on_failure();
      tx.on_commit([this, grant = r->grant_id] { tokens_.revoked_grants({grant}); });
      return Error::oauth_error(OAuthErrc::invalid_grant, "Authorization code already used; tokens issued from it are revoked");
    }
    return *r;
  });
  if (!row) return row.error();
  if (row->expires_at <= now) return Error::oauth_error(OAuthErrc::invalid_grant, "Authorization code expired");
  if (param(f, "redirect_uri") != row->redirect_uri)
    return Error::oauth_error(OAuthErrc::invalid_grant, "redirect_uri does not match the authorization request");
  std::string verifier = param(f, "code_verifier");
  if (row->code_challenge) {
    bool shape = verifier.size() >= 43 && verifier.size() <= 128 &&
                 std::all_of(verifier.begin(), verifier.end(), [](unsigned char ch) {
                   return std::isalnum(ch) || ch == '-' || ch == '.' || ch == '_' || ch == '~';
                 });
    if (!shape || !crypto::constant_time_equal(crypto::base64url_encode(crypto::sha256(verifier)), *row->code_challenge))
      return Error::oauth_error(OAuthErrc::invalid_grant, "PKCE verification failed");
  } else if (!verifier.empty()) {
    return Error::oauth_error(OAuthErrc::invalid_grant, "code_verifier sent but no code_challenge was used");
  }
  if (row->session_id) {  // the database, not this node's memory: the session may have ended elsewhere
    bool ended = db_.with([&](store::Conn& conn) { return !identity::Users(conn).session_live(*row->session_id); });
    if (ended) return Error::oauth_error(OAuthErrc::invalid_grant, "The sign-in session has ended");
  }
  return issue_for_user(c, row->user_id, row->scope, row->grant_id, row->session_id.value_or(""), row->auth_time,
                        row->nonce, true);
}

Result<json::object> Provider::grant_refresh(const Client& c, const Form& f) {
  std::string token = param(f, "refresh_token");
  if (token.empty() || token.size() > 256) return Error::oauth_error(OAuthErrc::invalid_request, "refresh_token is required");
  int64_t now = now_seconds();
  std::string hash = crypto::token_hash(token);
  std::string next = crypto::new_secret_token();
  auto row = db_.transaction([&](store::Conn& conn, store::Tx& tx) -> Result<RefreshRow> {
    auto r = RefreshStore(conn).by_hash(hash);
    if (!r || r->client_id != c.id || r->expires_at <= now || !GrantStore(conn).active(r->grant_id))
      return Error::oauth_error(OAuthErrc::invalid_grant, "Refresh token is invalid, expired or revoked");
    if (!RefreshStore(conn).mark_rotated(hash, crypto::token_hash(next), now)) {
      // Reuse of a rotated token ends the family; the revocation must outlive the error.
      GrantStore(conn).revoke(r->grant_id, now);
      audit_failure(conn, "oauth.refresh_reuse", r->user_id, r->client_id, now);
      tx.keep_on_failure();
      tx.on_commit([this, grant = r->grant_id] { tokens_.revoked_grants({grant}); });
      return Error::oauth_error(OAuthErrc::invalid_grant, "Refresh token reuse detected; the grant is revoked");
    }
    return *r;
  });
  if (!row) return row.error();
  auto granted = split_scope(row->scope);
  std::string scope = row->scope;
  if (auto asked = param(f, "scope"); !asked.empty()) {
    for (auto& s : split_scope(asked))
      if (!has_scope(granted, s)) return Error::oauth_error(OAuthErrc::invalid_scope, "Cannot widen the scope on refresh: " + s);
    scope = asked;
  }
  // offline_access: refreshed tokens outlive the browser session, so they carry no sid.
  auto out = issue_for_user(c, row->user_id, scope, row->grant_id, "", row->auth_time, std::nullopt, false);
  if (!out) return out;
  db_.with([&](store::Conn& conn) {
    RefreshStore(conn).insert(crypto::token_hash(next),
                        {row->grant_id, c.id, row->user_id, row->scope, row->auth_time, row->expires_at, std::nullopt, std::nullopt},
                        now);
  });
  (*out)["refresh_token"] = next;
  return out;
}

Result<json::object> Provider::grant_client_credentials(const Client& c, const Form& f) {
  if (c.is_public) return Error::oauth_error(OAuthErrc::unauthorized_client, "Public clients cannot use client_credentials");
  std::vector<std::string> scopes;
  if (auto asked = param(f, "scope"); !asked.empty()) {
    for (auto& s : split_scope(asked))
      if (!c.allows_scope(s) || s == "openid" || s == "offline_access")
        return Error::oauth_error(OAuthErrc::invalid_scope, "Scope not allowed for client_credentials: " + s);
    scopes = split_scope(asked);
  } else {
    for (auto& s : c.scopes)
      if (s != "openid" && s != "offline_access" && s != "profile" && s != "email") scopes.push_back(s);
  }
  std::string scope = join_scope(scopes);
  std::string access = tokens_.issue_access(c, c.id, scope, "", "", now_seconds());
  json::object out{{"access_token", access}, {"token_type", "Bearer"}, {"expires_in", tokens_.access_ttl(c)}};
  if (!scope.empty()) out["scope"] = scope;
  return out;
}

Result<json::object> Provider::grant_device(const Client& c, const Form& f) {
  std::string code = param(f, "device_code");
  if (code.empty() || code.size() > 256) return Error::oauth_error(OAuthErrc::invalid_request, "device_code is required");
  std::string hash = crypto::token_hash(code);
  int64_t now = now_seconds();
  auto d = db_.with([&](store::Conn& conn) { return DeviceStore(conn).by_hash(hash); });
  if (!d || d->client_id != c.id) return Error::oauth_error(OAuthErrc::invalid_grant, "Unknown device_code");
  if (d->expires_at <= now) return Error::oauth_error(OAuthErrc::expired_token, "The device code has expired");
  if (d->status == "denied") return Error::oauth_error(OAuthErrc::access_denied, "The user denied the request");
  if (d->status == "used") return Error::oauth_error(OAuthErrc::invalid_grant, "The device code was already used");
  if (d->status == "pending") {
    bool too_fast = d->last_poll_at && now - *d->last_poll_at < d->interval;
    db_.with([&](store::Conn& conn) { DeviceStore(conn).set_poll(hash, now, too_fast ? d->interval + 5 : d->interval); });
    return (too_fast ? Error::oauth_error(OAuthErrc::slow_down, "Poll more slowly (interval increased by 5 s)")
                                     : Error::oauth_error(OAuthErrc::authorization_pending, "The user has not finished yet"));
  }
  std::string grant_id = crypto::new_uuid();
  bool claimed = db_.transaction([&](store::Conn& conn) {
    if (!DeviceStore(conn).mark_used(hash)) return false;
    GrantStore(conn).insert(grant_id, c.id, *d->user_id, d->session_id, d->scope, now);
    return true;
  });
  if (!claimed) return Error::oauth_error(OAuthErrc::invalid_grant, "The device code was already used");
  return issue_for_user(c, *d->user_id, d->scope, grant_id, d->session_id.value_or(""), d->auth_time.value_or(now),
                        std::nullopt, true);
}

Result<Provider::PasswordGrant> Provider::password_grant_begin(const Credentials& creds, const Form& form) {
  if (param(form, "grant_type") != "password") return Error::oauth_error(OAuthErrc::invalid_request, "grant_type must be password");
  auto client = token_client(creds, form);
  if (!client) return client.error();
  PasswordGrant g{*client, param(form, "scope")};
  for (auto& s : split_scope(g.scope))
    if (!g.client->allows_scope(s)) return Error::oauth_error(OAuthErrc::invalid_scope, "Scope not allowed: " + s);
  return g;
}

Result<json::object> Provider::password_grant_finish(const PasswordGrant& g,
                                                             const Result<identity::TokenPair>& login) {
  if (!login) return Error::oauth_error(OAuthErrc::invalid_grant, "Invalid resource owner credentials");
  std::string grant_id = crypto::new_uuid();
  int64_t now = now_seconds();
  db_.with([&](store::Conn& conn) { GrantStore(conn).insert(grant_id, g.client->id, login->user.id, login->session_id, g.scope, now); });
  return issue_for_user(*g.client, login->user.id, g.scope, grant_id, login->session_id, now, std::nullopt, true);
}

std::optional<Result<json::object>> Provider::token_fast(const Credentials& creds, const Form& form) {
  if (param(form, "grant_type") != "client_credentials") return std::nullopt;
  auto cached = authenticate(creds, true);
  if (!cached) return std::nullopt;
  auto& client = *cached;
  if (!client) return client.error();
  if (!(*client)->allows_grant("client_credentials"))
    return Error::oauth_error(OAuthErrc::unauthorized_client, "Client may not use this grant type");
  return grant_client_credentials(**client, form);
}

Result<Provider::ClientPtr> Provider::token_client(const Credentials& creds, const Form& form) {
  std::string grant = param(form, "grant_type");
  if (grant.empty()) return Error::oauth_error(OAuthErrc::invalid_request, "grant_type is required");
  auto client = authenticate_client(creds);
  if (!client) return client.error();
  static const std::vector<std::string> known = {"authorization_code", "refresh_token", "client_credentials",
                                                 "urn:ietf:params:oauth:grant-type:device_code", "password"};
  if (!has_scope(known, grant)) return Error::oauth_error(OAuthErrc::unsupported_grant_type, "Unsupported grant_type");
  if (grant == "password" && !cfg_.oauth_password_grant)
    return Error::oauth_error(OAuthErrc::unsupported_grant_type, "The password grant is disabled on this server");
  if (!(*client)->allows_grant(grant)) return Error::oauth_error(OAuthErrc::unauthorized_client, "Client may not use this grant type");
  return *client;
}

Result<json::object> Provider::token(const Credentials& creds, const Form& form, const Origin& o) {
  std::string grant = param(form, "grant_type");
  if (grant == "password") {
    auto g = password_grant_begin(creds, form);
    if (!g) return g.error();
    return password_grant_finish(*g, sessions_.login(param(form, "username"), param(form, "password"), o));
  }
  auto client = token_client(creds, form);
  if (!client) return client.error();
  const Client& c = **client;
  if (grant == "authorization_code") return grant_code(c, form);
  if (grant == "refresh_token") return grant_refresh(c, form);
  if (grant == "client_credentials") return grant_client_credentials(c, form);
  return grant_device(c, form);
}

}  // namespace gatehouse::oidc
