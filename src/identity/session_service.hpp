#pragma once
// Logging in and staying logged in: password login, refresh-token rotation with reuse
// detection, logout, and the user's view of their sessions. Blocking: run on worker pools
// (login on the hashing pool).
#include <boost/json/object.hpp>
#include <vector>

#include "identity/deps.hpp"

namespace gatehouse::identity {

class SessionService {
 public:
  explicit SessionService(Deps d) : d_(d) {}
  /// Password checks go to this pool from then on (the server sets it before serving).
  void use_hashing_pool(WorkerPool* p) { d_.hashing = p; }

  /// `login` is an email or username. Failures are generic (no enumeration) and take the
  /// same time whether or not the account exists.
  Result<TokenPair> login(const std::string& login, const std::string& password, const Origin& o);
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
