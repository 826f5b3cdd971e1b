#pragma once
// Access tokens: issue (JWS with the KeyRing's signer) and verify. Verified tokens are kept
// in a bounded cache so hot endpoints skip the signature check; every use still honours
// expiry and this node's session revocations, which take effect at once.
#include <functional>
#include <mutex>
#include <optional>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "core/bounded_cache.hpp"
#include "core/config.hpp"
#include "core/expiring_set.hpp"
#include "core/error.hpp"
#include "identity/keys.hpp"
#include "identity/models.hpp"

namespace gatehouse::identity {

class TokenService {
 public:
  TokenService(const Config& cfg, KeyRing& keys, store::Database& db);

  /// Adds claims from other domains (e.g. the active organization); runs on `c`.
  using ClaimsHook = std::function<void(store::Conn& c, const std::string& user_id, boost::json::object& claims)>;
  void set_claims_hook(ClaimsHook h) { claims_hook_ = std::move(h); }

  /// Signs an access token for a session. Returns the JWS. Thread-safe; the claims hook
  /// may read from `c` (the caller's connection or transaction).
  std::string issue(const User& u, const std::string& session_id, int64_t now, store::Conn& c) const;

  /// Verifies signature and claims, then checks the session in the database (blocking). An
  /// empty token is "Missing access token". Routes pass identity::access_token_of(req).
  Result<Principal> authenticate(std::string_view token);
  /// Cache-only check for the IO thread: a Principal when the token was verified before and
  /// is still valid, nullopt when a full authenticate() is needed, or an error for a token
  /// whose session is known to be revoked.
  std::optional<Result<Principal>> authenticate_cached(std::string_view token);

  /// Ends every session of the user (but `except`) inside the caller's transaction, and,
  /// through the sign-out hook, every grant other domains hold for the user (OAuth). This
  /// is what password change and reset, sign out everywhere, lock and delete call
  /// (DESIGN.md §6). Returns the ended session ids; pass them to revoked() after commit.
  std::vector<std::string> end_user_sessions(store::Conn& c, const std::string& user_id, int64_t now,
                                             const std::string& reason, const std::string& except = "");
  /// Ends a user's grants held by another domain; runs inside the caller's transaction.
  using SignOutHook = std::function<void(store::Conn& c, const std::string& user_id, int64_t now)>;
  void set_sign_out_hook(SignOutHook h) { sign_out_hook_ = std::move(h); }

  /// Marks sessions revoked on this node: their tokens fail from the next request.
  void revoked(const std::vector<std::string>& session_ids, int64_t now);
  /// Seeds the revocation set from the database (start-up). Blocking.
  void load_revocations();
  /// True when this node saw the session revoked in the last kRecheckSeconds (cheap; no
  /// database): a fast-path check only, the database is the authority.
  bool session_revoked(const std::string& sid) const { return is_revoked(sid); }
  /// A deleted or locked account: every token naming it fails from now on (this node).
  void user_disabled(const std::string& user_id, bool disabled = true);
  bool user_revoked(const std::string& user_id) const;

 private:
  Result<Principal> verify(const std::string& token);
  bool is_revoked(const std::string& sid) const;
  void remember(const std::string& token, const Principal& p);

  const Config& cfg_;
  ClaimsHook claims_hook_;
  SignOutHook sign_out_hook_;
  KeyRing& keys_;
  store::Database& db_;

  // Verified tokens, keyed by SHA-256 of the token (32 bytes instead of the whole JWS),
  // sharded to keep IO threads off one lock. Entries live kRecheckSeconds: that bounds how
  // long a revocation made elsewhere (another node, the CLI) goes unseen.
  static constexpr std::size_t kShards = 16;
  static constexpr int64_t kRecheckSeconds = 30;
  std::vector<std::unique_ptr<BoundedCache<std::string, Principal>>> shards_;

  ExpiringSet revoked_sessions_;  // while a cached verification of their tokens may exist
  mutable std::shared_mutex disabled_mu_;
  std::unordered_set<std::string> disabled_users_;  // bounded by the number of accounts
};

}  // namespace gatehouse::identity
