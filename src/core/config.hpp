#pragma once
// Configuration: defaults < config file (INI, keys without the GATEHOUSE_ prefix, lower case)
// < GATEHOUSE_* environment variables < command-line flags. Parsed and validated once at
// start; every problem is reported together.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace gatehouse {

/// A token bucket: `burst` requests at once, refilled at burst per `period_seconds`.
struct RateRule {
  double burst = 0;
  double period_seconds = 60;
};

struct SmtpConfig {
  std::string host;           // empty: write mails as .eml files under <data-dir>/mail
  int port = 587;
  std::string tls = "starttls";  // none | starttls | tls
  std::string username;
  std::string password;
  std::string from = "Gatehouse <no-reply@localhost>";
};

struct Config {
  // server
  std::string listen = "127.0.0.1:8080";
  std::string data_dir = "./data";
  std::string database_url;   // default: sqlite://<data-dir>/gatehouse.db
  std::string issuer;         // default: http://<listen>
  std::string config_file;
  int io_threads = 0;         // 0: one per core
  int db_threads = 4;
  int db_queue_limit = 1024;
  int hash_threads = 0;       // 0: one per core
  int hash_queue_limit = 0;   // 0: 8 per hashing thread (a short queue: a flood gets 503 fast)
  int hash_thread_nice = 10;  // hashing threads yield the CPU to request and database threads
  std::size_t max_body_bytes = 64 * 1024;
  std::size_t max_header_bytes = 16 * 1024;
  int read_timeout_seconds = 15;
  int idle_timeout_seconds = 60;
  std::vector<std::string> cors_origins;
  bool trust_proxy = false;   // believe X-Forwarded-* from trusted_proxies (loopback when unset)
  std::vector<std::string> trusted_proxies;  // CIDRs of the reverse proxies in front of us
  int max_connections = 10000;
  std::size_t max_header_fields = 100;
  std::string metrics_token;  // when set, GET /metrics needs "Authorization: Bearer <token>"
  bool access_log = true;
  std::string log_level = "info";
  bool migrate_on_start = true;

  // passwords
  uint64_t argon2_memory_kib = 19 * 1024;  // OWASP: 19 MiB, t=2, p=1
  uint64_t argon2_iterations = 2;
  int password_min_score = 2;              // zxcvbn 0..4
  int password_min_length = 8;
  int password_max_length = 256;

  // tokens and sessions
  std::string token_alg = "ES256";         // ES256 | EdDSA | RS256
  std::string token_audience = "gatehouse";
  int access_token_ttl = 900;
  int refresh_token_ttl = 30 * 24 * 3600;
  int token_leeway_seconds = 5;             // our own clock: at most 5 (DESIGN.md §6)
  int key_publish_ahead_seconds = 600;      // a rotated-in key is in the JWKS this long before it signs
  int refresh_reuse_grace_seconds = 5;
  int max_sessions_per_user = 10;          // 0: unlimited; oldest evicted past it
  int verify_token_ttl = 24 * 3600;
  int reset_token_ttl = 3600;
  bool require_verified_email = false;
  std::size_t token_cache_entries = 20000;   // per cache (first-party and OAuth tokens)

  // keys
  std::string master_key;       // base64 of 32 bytes
  std::string master_key_file;  // default: <data-dir>/master.key (generated)

  // first admin
  std::string admin_email;
  std::string admin_password;

  // abuse limits
  bool rate_limit_enabled = true;
  RateRule rl_login_ip{60, 60};
  RateRule rl_login_account{10, 300};   // charged on failures only
  RateRule rl_register_ip{30, 60};
  RateRule rl_forgot_ip{10, 60};
  RateRule rl_forgot_account{3, 900};
  RateRule rl_reset_ip{10, 60};
  RateRule rl_verify_ip{30, 60};
  RateRule rl_refresh_ip{300, 60};
  RateRule rl_device_ip{30, 60};        // device authorization requests (RFC 8628 §5.2)
  RateRule rl_device_verify{10, 300};   // user codes tried per signed-in user (RFC 8628 §5.1)
  RateRule rl_invite_org{50, 3600};     // invitation mails per organization

  SmtpConfig smtp;

  // OAuth 2.0 / OIDC provider and login UI
  int oauth_code_ttl = 60;
  bool oauth_password_grant = false;     // the resource-owner password grant: off unless enabled
  int device_code_ttl = 600;
  int device_poll_interval = 5;
  std::string ui_title = "Gatehouse";
  std::string ui_logo_url;
  std::string ui_primary_color = "#2f5d8a";

  // events
  int webhook_max_attempts = 8;
  int webhook_retry_base_seconds = 10;   // backoff: base * 2^(attempt-1), capped at 1 h
  std::string pre_register_hook_url;
  std::string pre_login_hook_url;
  int pre_hook_timeout_ms = 2000;
  bool pre_hook_fail_open = false;       // default: a failing hook blocks (fail closed)
  std::string pre_hook_secret;

  /// Effective database URL (fills in the SQLite default).
  std::string effective_database_url() const;
};

/// Loads configuration from file, environment and `overrides` (flag name -> value, e.g.
/// "listen"). Returns the config and a list of human-readable problems (empty when valid).
struct ConfigLoad {
  Config config;
  std::vector<std::string> problems;
};
ConfigLoad load_config(const std::map<std::string, std::string>& overrides);

/// Every recognised key with its environment variable name, for `config check` and docs.
std::vector<std::pair<std::string, std::string>> config_keys();

}  // namespace gatehouse
