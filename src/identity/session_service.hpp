#pragma once
// Logging in and staying logged in: password login, refresh-token rotation with reuse
// detection, logout, and the user's view of their sessions. Blocking: run on worker pools.
// A password login is three steps so that no database worker waits for a hash:
// begin_login (database pool), check_password (hashing pool), finish_login (database pool);
// identity/login_steps.hpp chains them for routes.
#include <boost/json/object.hpp>
#include <vector>

#include "crypto/password.hpp"
#include "identity/deps.hpp"

namespace gatehouse::identity {

/// A password login between its steps: the account the login named (if any) and the
/// per-account bucket a failure charges.
struct LoginAttempt {
  std::string login;  // normalised
  std::optional<User> user;
  std::string account_key;
  int64_t started_at = 0;
};

/// The hashing step's outcome; `new_hash` is set when a correct password's stored hash is due
/// for an upgrade (computed here, on the hashing pool, not during the writes).
struct PasswordVerdict {
  crypto::PasswordCheck check;
  std::string new_hash;
};

class SessionService {
 public:
  explicit SessionService(Deps d) : d_(d) {}

  /// `login` is an email or username. Failures are generic (no enumeration) and take the
  /// same time whether or not the account exists. All three steps on the calling thread:
  /// for callers already on the hashing pool (registration's sign-in) and tests.
  Result<TokenPair> login(const std::string& login, const std::string& password, const Origin& o);
  /// Step 1 (database): the per-address limit, the account lookup, the per-account limit.
  Result<LoginAttempt> begin_login(const std::string& login, const Origin& o);
  /// Step 2 (hashing, no I/O): the password check, a dummy of the same cost for unknown
  /// accounts (no timing oracle).
  PasswordVerdict check_password(const LoginAttempt& a, const std::string& password) const;
  /// Step 3 (database): the verdict with the account's state (deleted, locked, unverified,
  /// pre-login hooks), then the session; every outcome audited.
  Result<TokenPair> finish_login(const LoginAttempt& a, const PasswordVerdict& v, const Origin& o);
  /// Rotates the refresh token (RFC 6749 §10.4, OAuth 2.0 Security BCP §4.14).
  Result<TokenPair> refresh(const std::string& refresh_token, const Origin& o);
  Status logout(const Principal& p, const Origin& o);
  /// A fresh access token for the caller's current session (e.g. after switching the
  /// active organization). Blocking (SQL).
  Result<std::string> reissue(const Principal& p);

  Result<std::vector<Session>> list(const Principal& p);
  Status revoke(const Principal& p, const std::string& session_id, const Origin& o);
  Result<int> revoke_others(const Principal& p, const Origin& o);
  Result<boost::json::object> stats(const Principal& p);

 private:
  /// New session + first refresh token + access token; evicts the oldest sessions past the
  /// configured limit. Runs inside the caller's transaction.
  TokenPair start_session(store::Conn& c, const User& u, const Origin& o, int64_t now,
                          std::vector<std::string>& evicted);
  Deps d_;
};

}  // namespace gatehouse::identity
