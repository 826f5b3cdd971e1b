#pragma once
// HTTP in/out for the OAuth 2.0 / OIDC endpoints, the client admin API, consents, and the
// login UI pages that take part in the flows.
#include "identity/user_admin.hpp"
#include "http/router.hpp"
#include "identity/account_service.hpp"
#include "identity/session_service.hpp"
#include "core/rate_limiter.hpp"
#include "oidc/pending_requests.hpp"
#include "oidc/provider.hpp"
#include "oidc/browser_sessions.hpp"

namespace gatehouse::oidc {

struct OidcApi {
  const Config& cfg;
  Provider& provider;
  Clients& clients;
  OAuthTokens& tokens;
  identity::TokenService& identity_tokens;
  identity::AccountService& accounts;
  identity::SessionService& sessions;
  identity::AdminService& admin;
  BrowserSessions& browsers;
  store::Database& db;
  PendingRequests& pending;
  RateLimiter& limiter;
};

void register_oauth_routes(http::Router& r, OidcApi api);   // /oauth2/*, discovery
void register_client_routes(http::Router& r, OidcApi api);  // admin API for clients, consents
void register_ui_routes(http::Router& r, OidcApi api);      // /ui/*

/// Turns an authorization outcome into the HTTP answer (redirect, form_post, login
/// redirect, consent page or error page). A login or consent detour stores the request
/// server-side (reusing `pending_handle` when the request came from there already).
http::Response answer_authorize(OidcApi& api, const http::Request& req, AuthorizeRequest& ar,
                                const AuthorizeOutcome& out, const std::optional<Browser>& browser,
                                const std::string& pending_handle = "");
/// The authorization request behind `pending=` (or the form itself when absent), and
/// whether the browser's session is the one its user signed in with for that request.
struct ResumedRequest {
  http::Form params;
  std::string handle;
  bool signed_in_since = false;
  bool expired = false;  // a handle that is unknown or past its lifetime
};
ResumedRequest resume_request(OidcApi& api, const http::Form& form, const std::optional<Browser>& browser);
/// An HTML answer with security headers suited to pages.
http::Response html(int status, std::string body);

}  // namespace gatehouse::oidc
