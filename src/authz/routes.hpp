#pragma once
// HTTP in/out for organizations, services/roles/permissions, the decision API,
// application tokens, administration, webhooks and the fourth seed's compatibility routes.
#include <optional>

#include "identity/user_admin.hpp"
#include "authz/app_tokens.hpp"
#include "authz/decisions.hpp"
#include "authz/org_service.hpp"
#include "authz/registry.hpp"
#include "events/webhooks.hpp"
#include "http/router.hpp"
#include "identity/account_service.hpp"
#include "identity/session_service.hpp"
#include "identity/tokens.hpp"

namespace gatehouse::authz {

struct AuthzApi {
  const Config& cfg;
  identity::TokenService& tokens;
  identity::AccountService& accounts;
  identity::SessionService& sessions;
  OrgService& orgs;
  ServiceRegistry& registry;
  Decisions& decisions;
  AppTokens& app_tokens;
  identity::AdminService& admin;
  events::Webhooks& webhooks;
};

void register_org_routes(http::Router& r, AuthzApi api);
void register_service_routes(http::Router& r, AuthzApi api);
void register_token_routes(http::Router& r, AuthzApi api);
void register_admin_routes(http::Router& r, AuthzApi api);
void register_compat_routes(http::Router& r, AuthzApi api, identity::KeyRing& keys);

/// Who is calling: a user (access token) or a service (application token).
struct Caller {
  std::optional<Principal> user;
  std::optional<AppToken> app;
};
/// The application token from Authorization: Bearer gha_..., X-App-Token or X-API-Key.
std::optional<std::string> app_token_of(const http::Request& req);
/// Authenticates either kind of caller. Blocking on cache misses.
Result<Caller> caller_of(AuthzApi& api, const http::Request& req);
/// Cache-only variant for the IO thread; nullopt when a full check is needed.
std::optional<Result<Caller>> caller_cached(AuthzApi& api, const http::Request& req);

/// Wraps a handler that needs an administrator.
http::Handler admin_only(AuthzApi api, std::function<http::Response(http::Request&, const Principal&)> h);

}  // namespace gatehouse::authz
