#pragma once
// OAuth access tokens (JWT, RFC 9068 profile) and OpenID Connect ID tokens: issuing and
// verifying. Verified access tokens are cached; revocation (grant, single token, session)
// is honoured at once on this node and re-checked against the database every 30 s.
#include <boost/json/object.hpp>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "core/bounded_cache.hpp"
#include "core/config.hpp"
#include "core/expiring_set.hpp"
#include "crypto/hash.hpp"
#include "core/error.hpp"
#include "identity/keys.hpp"
#include "identity/tokens.hpp"
#include "oidc/clients.hpp"
#include "store/db.hpp"

namespace gatehouse::oidc {

struct AccessClaims {
  boost::json::object claims;  // as signed
  std::string sub, client_id, scope, jti, grant_id, session_id;
  int64_t exp = 0, iat = 0;
};

struct IdTokenInput {
  std::string user_id;
  boost::json::object profile_claims;  // email, name, ... as allowed by scope
  std::optional<std::string> nonce;
  int64_t auth_time = 0;
  std::string amr;  // "pwd"
  std::string session_id;
  std::string access_token;  // for at_hash ("" when none)
};

class OAuthTokens {
 public:
  OAuthTokens(const Config& cfg, identity::KeyRing& keys, store::Database& db, identity::TokenService& sessions)
      : cfg_(cfg), keys_(keys), db_(db), sessions_(sessions), cache_(cfg.token_cache_entries, kRecheckSeconds) {}

  int access_ttl(const Client& c) const { return c.access_token_ttl.value_or(cfg_.access_token_ttl); }
  int refresh_ttl(const Client& c) const { return c.refresh_token_ttl.value_or(cfg_.refresh_token_ttl); }

  std::string issue_access(const Client& c, const std::string& subject, const std::string& scope,
                           const std::string& grant_id, const std::string& session_id, int64_t now) const;
  std::string issue_id_token(const Client& c, const IdTokenInput& in, int64_t now) const;

  /// Verifies an access token issued by this provider, including revocation. Blocking on a
  /// cache miss (SQL).
  Result<AccessClaims> verify_access(const std::string& token);
  /// Cache-only check for the IO thread; nullopt when the database is needed.
  std::optional<Result<AccessClaims>> verify_cached(const std::string& token);
  /// Verifies an ID token's signature and issuer, ignoring expiry (id_token_hint).
  Result<boost::json::object> verify_id_token_hint(const std::string& token);

  bool session_revoked(const std::string& sid) const { return sessions_.session_revoked(sid); }
  /// Access tokens of these grants stop working on this node at once (the database row,
  /// already revoked by the caller, stops them everywhere within 30 s).
  void revoked_grants(const std::vector<std::string>& ids);
  /// Ends every grant of the user inside the caller's transaction (the identity domain's
  /// sign-out hook: password change or reset, sign out everywhere, lock, delete).
  void end_user_grants(store::Conn& c, const std::string& user_id, int64_t now);
  /// Every token of the client stops working (client deleted).
  void revoked_client(const std::string& client_id);
  /// One access token stops working (its row in oauth_revoked_tokens is the authority).
  void revoked_jti(const std::string& jti, int64_t exp);
  /// Drops a token's cached verification.
  void forget(const std::string& token) { cache_.erase(crypto::sha256(token)); }
  /// Seeds in-memory revocations from the database (start-up). Blocking.
  void load_revocations();

 private:
  bool is_revoked(const AccessClaims& a) const;
  const Config& cfg_;
  identity::KeyRing& keys_;
  store::Database& db_;
  identity::TokenService& sessions_;
  // In-memory revocations are needed only while a cached verification could answer without
  // the database (every miss checks grant, client, jti and session rows there).
  static constexpr int64_t kRecheckSeconds = 30;
  int64_t forget_at(int64_t now) const { return now + kRecheckSeconds + 1; }
  // Verified tokens by SHA-256 of the token; re-checked against the database every 30 s.
  BoundedCache<std::string, std::shared_ptr<const AccessClaims>> cache_;
  ExpiringSet revoked_grants_, revoked_jtis_, revoked_clients_;
};

}  // namespace gatehouse::oidc
