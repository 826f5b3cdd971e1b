#pragma once
// HTTP in/out for the identity domain: parse, validate, call a service, shape the answer.
#include "http/router.hpp"
#include "identity/account_service.hpp"
#include "identity/session_service.hpp"

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
/// Authenticates the caller (blocking on a cache miss: call from a worker pool).
Result<Principal> require_user(TokenService& tokens, const http::Request& req);

}  // namespace gatehouse::identity
