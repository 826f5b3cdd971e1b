#pragma once
// What the identity services share: configuration, storage, hashing, tokens, mail, limits.
// Wired once in app/app.cpp.
#include <string>

#include "core/config.hpp"
#include "core/rate_limiter.hpp"
#include "crypto/password.hpp"
#include "events/audit.hpp"
#include "events/prehooks.hpp"
#include "identity/models.hpp"
#include "identity/tokens.hpp"
#include "identity/user_cache.hpp"
#include "mail/mailer.hpp"
#include "store/db.hpp"

namespace gatehouse::identity {

struct Deps {
  const Config& cfg;
  store::Database& db;
  crypto::PasswordHasher& hasher;
  TokenService& tokens;
  mail::Mailer& mailer;
  RateLimiter& limiter;
  UserCache& users;
  const events::PreHooks& prehooks;
  /// Called after a change that affects authorization decisions (e.g. account deletion),
  /// so cached decisions are dropped.
  std::function<void()> authz_changed;
};

/// Lower-cased, trimmed email or username used for lookups and uniqueness.
std::string normalize_login(std::string s);
/// Basic shape check: local@domain, at most 254 characters, no spaces or control chars.
bool valid_email(const std::string& email);
/// 3..32 of [A-Za-z0-9_.-].
bool valid_username(const std::string& username);

/// The one user-deletion path (self-service and administration): soft-deletes the account,
/// ends its sessions and grants and audits `user.delete` by `actor` in one transaction, then
/// forgets it in every cache. Errc::not_found when there is no live account.
Status delete_user(Deps& d, const std::string& user_id, const std::string& actor, const Origin& o);

/// Takes one token from `rule` for `key`; a RATE_LIMITED error with Retry-After when empty.
Status rate_limit(RateLimiter& limiter, const std::string& key, const RateRule& rule);

}  // namespace gatehouse::identity
