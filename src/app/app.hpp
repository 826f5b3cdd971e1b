#pragma once
// Wiring: builds every service from the configuration, in one place (a plain struct, not
// a registry). Used by `serve` and by every CLI command, so both see the same database,
// keys and rules.
#include <atomic>
#include <memory>

#include "identity/user_admin.hpp"
#include "authz/app_tokens.hpp"
#include "authz/decisions.hpp"
#include "authz/org_service.hpp"
#include "authz/registry.hpp"
#include "core/config.hpp"
#include "events/prehooks.hpp"
#include "events/webhooks.hpp"
#include "oidc/clients.hpp"
#include "oidc/pending_requests.hpp"
#include "oidc/provider.hpp"
#include "oidc/tokens.hpp"
#include "oidc/browser_sessions.hpp"
#include "core/rate_limiter.hpp"
#include "crypto/password.hpp"
#include "identity/account_service.hpp"
#include "identity/keys.hpp"
#include "identity/session_service.hpp"
#include "identity/tokens.hpp"
#include "identity/user_cache.hpp"
#include "mail/mailer.hpp"
#include "store/db.hpp"

namespace gatehouse {

struct App {
  Config cfg;
  std::unique_ptr<store::Database> db;
  std::unique_ptr<crypto::PasswordHasher> hasher;
  std::unique_ptr<identity::KeyRing> keys;
  std::unique_ptr<identity::TokenService> tokens;
  std::unique_ptr<mail::Mailer> mailer;
  std::unique_ptr<RateLimiter> limiter;
  identity::UserCache users;
  std::unique_ptr<identity::AccountService> accounts;
  std::unique_ptr<identity::SessionService> sessions;
  std::unique_ptr<events::PreHooks> prehooks;
  std::unique_ptr<events::Webhooks> webhooks;
  authz::Generation generation;
  std::unique_ptr<authz::OrgService> orgs;
  std::unique_ptr<authz::ServiceRegistry> registry;
  std::unique_ptr<authz::Decisions> decisions;
  std::unique_ptr<authz::AppTokens> app_tokens;
  std::unique_ptr<identity::AdminService> admin;
  std::unique_ptr<oidc::Clients> clients;
  std::unique_ptr<oidc::OAuthTokens> oauth_tokens;
  std::unique_ptr<oidc::Provider> provider;
  std::unique_ptr<oidc::BrowserSessions> browsers;
  std::unique_ptr<oidc::PendingRequests> pending;

  /// Opens the database (and migrates up when `migrate`). Keys are loaded by load_keys().
  static std::unique_ptr<App> open(const Config& cfg, bool migrate);
  /// Loads (creating on first start) the signing keys. Needs the schema.
  void load_keys();
  identity::Deps deps();
  authz::AuthzDeps authz_deps();
};

/// Runs the HTTP server until SIGTERM/SIGINT. Returns the process exit code.
int serve(App& app);

}  // namespace gatehouse
