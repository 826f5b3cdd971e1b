#include "app/app.hpp"

#include <iostream>

#include "core/clock.hpp"
#include "core/log.hpp"
#include "crypto/random.hpp"
#include "core/worker_pool.hpp"
#include "core/metrics.hpp"
#include "core/periodic.hpp"
#include "core/ip_address.hpp"
#include "http/server.hpp"
#include "authz/routes.hpp"
#include "identity/users.hpp"
#include "crypto/hash.hpp"
#include "identity/routes.hpp"
#include "oidc/routes.hpp"
#include "ops/routes.hpp"
#include "store/migrations.hpp"

namespace gatehouse {

std::unique_ptr<App> App::open(const Config& cfg, bool migrate) {
  auto app = std::make_unique<App>();
  app->cfg = cfg;
  const Config& c = app->cfg;
  app->db = store::Database::open(c.effective_database_url(), c.db_threads + c.hash_threads + 2);
  if (migrate) {
    store::Migrator m(*app->db);
    for (auto& v : m.up()) log::info("migration applied", {{"version", v}});
  }
  app->hasher = std::make_unique<crypto::PasswordHasher>(c.argon2_memory_kib, c.argon2_iterations);
  app->mailer = std::make_unique<mail::Mailer>(app->cfg, *app->db);
  app->limiter = std::make_unique<RateLimiter>(c.rate_limit_enabled);
  app->prehooks = std::make_unique<events::PreHooks>(app->cfg);
  return app;
}

void App::load_keys() {
  auto alg = *crypto::alg_from_name(cfg.token_alg);
  // Retired keys stay published until the last token they signed has expired: the longest
  // access token any client may get (oidc::kMaxAccessTtl, 1 day), not just the default.
  int64_t grace = std::max<int64_t>(cfg.access_token_ttl, oidc::kMaxAccessTtl) + cfg.token_leeway_seconds + 300;
  std::string master = identity::load_or_create_master_key(cfg);
  keys = std::make_unique<identity::KeyRing>(*db, master, alg, grace, cfg.key_publish_ahead_seconds);
  keys->load();
  tokens = std::make_unique<identity::TokenService>(cfg, *keys, *db);
  accounts = std::make_unique<identity::AccountService>(deps());
  sessions = std::make_unique<identity::SessionService>(deps());

  webhooks = std::make_unique<events::Webhooks>(cfg, *db, master);
  webhooks->reload();
  events::set_listener([w = webhooks.get()](store::Conn& c, const events::AuditEvent& e, int64_t now) {
    w->enqueue(c, e, now);
  });
  orgs = std::make_unique<authz::OrgService>(authz_deps());
  registry = std::make_unique<authz::ServiceRegistry>(authz_deps());
  decisions = std::make_unique<authz::Decisions>(authz_deps());
  // The app-token HMAC key is derived from the master key, never stored.
  app_tokens = std::make_unique<authz::AppTokens>(authz_deps(), crypto::hmac_sha256(master, "gatehouse app-token hmac v1"));
  admin = std::make_unique<identity::AdminService>(deps());
  clients = std::make_unique<oidc::Clients>(*db, crypto::hmac_sha256(master, "gatehouse client-secret hmac v1"));
  oauth_tokens = std::make_unique<oidc::OAuthTokens>(cfg, *keys, *db, *tokens);
  provider = std::make_unique<oidc::Provider>(cfg, *db, *clients, *oauth_tokens, *accounts, *sessions);
  browsers = std::make_unique<oidc::BrowserSessions>(cfg, *db);
  pending = std::make_unique<oidc::PendingRequests>(*db);
  // Ending a user's sessions ends their OAuth grants too (DESIGN.md §6).
  tokens->set_sign_out_hook([t = oauth_tokens.get()](store::Conn& c, const std::string& user_id, int64_t now) {
    t->end_user_grants(c, user_id, now);
  });
  tokens->set_claims_hook([o = orgs.get()](store::Conn& c, const std::string& user_id, boost::json::object& claims) {
    o->add_claims(c, user_id, claims);
    boost::json::array roles;
    for (auto& r : identity::Users(c).role_names(user_id)) roles.push_back(boost::json::string(r));
    claims["roles"] = std::move(roles);
  });
}

authz::AuthzDeps App::authz_deps() { return authz::AuthzDeps{cfg, *db, *mailer, *limiter, generation}; }

identity::Deps App::deps() {
  return identity::Deps{cfg, *db, *hasher, *tokens, *mailer, *limiter, users, *prehooks,
                        [this] { generation.bump(); }};
}

namespace {

// The first start creates an administrator so the operator can log in at once.
void ensure_admin(App& app) {
  bool exists = app.db->with([](store::Conn& c) { return identity::Users(c).any_admin(); });
  if (exists) return;
  std::string email = app.cfg.admin_email.empty() ? "admin@localhost" : app.cfg.admin_email;
  bool generated = app.cfg.admin_password.empty();
  std::string password = generated ? crypto::new_secret_token().substr(0, 24) : app.cfg.admin_password;
  auto u = app.accounts->create_user({email, std::string("admin"), std::string("Administrator"), password},
                                     true, true, {"local", "gatehouse serve", "startup"});
  if (!u) {
    log::warn("could not create the first admin", {{"email", email}, {"reason", u.error().public_message}});
    return;
  }
  std::cerr << "\n  First administrator created: " << email << "\n";
  if (generated)
    std::cerr << "  One-time password (shown only now; change it after logging in): " << password << "\n";
}

}  // namespace

int serve(App& app) {
  const Config& c = app.cfg;
  auto started = std::chrono::steady_clock::now();
  app.tokens->load_revocations();
  ensure_admin(app);
  app.mailer->start();
  app.mailer->kick();

  WorkerPool db_pool("db", c.db_threads, c.db_queue_limit);
  WorkerPool hash_pool("hash", c.hash_threads, c.hash_queue_limit, c.hash_thread_nice);
  std::atomic<bool> ready{false};

  http::Router router;
  identity::IdentityApi api{c, *app.accounts, *app.sessions, *app.tokens};
  identity::register_auth_routes(router, api);
  identity::register_user_routes(router, api);
  authz::AuthzApi authz_api{c, *app.tokens, *app.accounts, *app.sessions, *app.orgs, *app.registry,
                            *app.decisions, *app.app_tokens, *app.admin, *app.webhooks};
  authz::register_org_routes(router, authz_api);
  authz::register_service_routes(router, authz_api);
  authz::register_token_routes(router, authz_api);
  authz::register_admin_routes(router, authz_api);
  authz::register_compat_routes(router, authz_api, *app.keys);
  oidc::OidcApi oidc_api{c, *app.provider, *app.clients, *app.oauth_tokens, *app.tokens, *app.accounts,
                         *app.sessions, *app.admin, *app.browsers, *app.db, *app.pending, *app.limiter};
  oidc::register_oauth_routes(router, oidc_api);
  oidc::register_client_routes(router, oidc_api);
  oidc::register_ui_routes(router, oidc_api);
  app.oauth_tokens->load_revocations();
  ops::register_ops_routes(router, {router, *app.db, *app.keys, c.issuer, ready, c.metrics_token});
  app.webhooks->start();
  app.app_tokens->start();

  auto& m = metrics();
  m.gauge("gatehouse_db_pool_queue_depth", "Jobs waiting for a database worker.", [&] { return db_pool.queued(); });
  m.gauge("gatehouse_hash_pool_queue_depth", "Jobs waiting for a hashing worker.", [&] { return hash_pool.queued(); });
  m.gauge("gatehouse_db_pool_busy", "Database workers running a job.", [&] { return db_pool.busy(); });
  m.gauge("gatehouse_hash_pool_busy", "Hashing workers running a job.", [&] { return hash_pool.busy(); });

  http::ServerOptions so;
  so.listen = c.listen;
  so.io_threads = c.io_threads;
  so.max_body_bytes = c.max_body_bytes;
  so.max_header_bytes = c.max_header_bytes;
  so.read_timeout_seconds = c.read_timeout_seconds;
  so.idle_timeout_seconds = c.idle_timeout_seconds;
  so.access_log = c.access_log;
  so.max_header_fields = c.max_header_fields;
  so.max_connections = c.max_connections;
  so.middleware.cors_origins = c.cors_origins;
  for (auto& cidr : c.trusted_proxies) so.middleware.proxies.proxies.push_back(*Cidr::parse(cidr));
  so.middleware.assume_tls = c.issuer.rfind("https://", 0) == 0;
  http::Server server(so, router, db_pool, hash_pool);

  // Keys rotated by the CLI or another node are picked up within 10 s (and at once when a
  // published key starts to sign); changes made by other nodes or the CLI reach cached
  // decisions within 30 s. Stopped by its destructor, also when run() throws (bind fails).
  int passes = 0;
  PeriodicWorker reloader("key and decision reload", std::chrono::milliseconds(250), [&] {
    ++passes;
    if (passes % 120 == 0) app.generation.bump();
    if (passes % 40 == 0 || app.keys->change_due()) app.keys->load();
  });
  reloader.start();
  server.run([&](const std::string& bound) {
    ready = true;
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    log::info("listening", {{"address", bound}, {"issuer", c.issuer}, {"startup_ms", ms},
                            {"database", app.db->engine() == store::Engine::sqlite ? "sqlite" : "postgresql"}});
    std::cerr << "\n  Gatehouse is running at http://" << bound << "\n"
              << "  Log in:  curl -s -X POST http://" << bound << "/api/v1/auth/login"
              << " -H 'Content-Type: application/json' -d '{\"email\":\"...\",\"password\":\"...\"}'\n"
              << "  API:     http://" << bound << "/api/v1  (OpenAPI: /api/v1/openapi.json)\n\n";
  });
  log::info("stopping: draining worker pools and mail");
  db_pool.stop();
  hash_pool.stop();
  app.mailer->stop();
  app.webhooks->stop();
  app.app_tokens->stop();
  log::info("stopped");
  return 0;
}

}  // namespace gatehouse
