#pragma once
// HTTP in/out for the identity domain: parse, validate, call a service, shape the answer.
#include "http/router.hpp"
#include "identity/account_service.hpp"
#include "identity/session_service.hpp"
#include "identity/user_admin.hpp"

namespace gatehouse::identity {

struct IdentityApi {
  const Config& cfg;
  AccountService& accounts;
  SessionService& sessions;
  TokenService& tokens;
};

void register_auth_routes(http::Router& r, IdentityApi api);
void register_user_routes(http::Router& r, IdentityApi api);

/// Helpers shared by the identity route files.
Origin origin_of(const http::Request& req);
/// The access token a request carries: Authorization: Bearer, or the seeds' X-Access-Token
/// and Authentication-Token headers; empty when none.
std::string_view access_token_of(const http::Request& req);
/// Wraps a handler that needs a logged-in caller; answers 401 otherwise. The token check
/// may hit the database on a cache miss, so use it on the db or hash pool.
using AuthedHandler = std::function<http::Response(http::Request&, const Principal&)>;
http::Handler authed(TokenService& tokens, AuthedHandler h);
/// The one admin guard: an authenticated caller holding the global admin role, else 401/403.
http::Handler admin_only(TokenService& tokens, AdminService& admin, AuthedHandler h);

}  // namespace gatehouse::identity
