#pragma once
// The OAuth 2.0 / OIDC provider's tables, one store per family of rows, and the only place
// their SQL lives. A store is a view over the connection or transaction it is given, so
// several stores can share one transaction: `GrantStore(c).revoke(id, now)`.
#include <optional>
#include <string>
#include <vector>

#include "store/db.hpp"

namespace gatehouse::oidc {

using store::Conn;

/// A user's live authorization of a client: not revoked, and either holding a refresh
/// token that still works or young enough for its access tokens to be alive.
struct GrantRow {
  std::string id, client_id, client_name, scope;
  int64_t created_at = 0;
  std::optional<int64_t> refresh_expires_at;
};

/// oauth_grants: one row per authorization a user (or a client alone) gave a client.
class GrantStore {
 public:
  explicit GrantStore(Conn& c) : c_(c) {}
  void insert(const std::string& id, const std::string& client_id, const std::optional<std::string>& user_id,
              const std::optional<std::string>& session_id, const std::string& scope, int64_t now);
  /// Revokes a grant; returns true when it was active.
  bool revoke(const std::string& id, int64_t now);
  bool active(const std::string& id);
  /// The browser session a grant came from, if any.
  std::optional<std::string> session_of(const std::string& grant_id);
  std::vector<std::string> revoked_since(int64_t since);
  std::vector<GrantRow> live_of(const std::string& user_id, int64_t now);
  /// Revokes the user's grants: all (grant_id empty) or one, which must be the user's.
  /// Returns the revoked grant ids.
  std::vector<std::string> revoke_of_user(const std::string& user_id, const std::string& grant_id, int64_t now);

 private:
  Conn& c_;
};

struct CodeRow {
  std::string grant_id, client_id, user_id, redirect_uri, scope;
  std::optional<std::string> nonce, code_challenge, code_challenge_method;
  int64_t auth_time = 0;
  std::string amr;
  int64_t expires_at = 0;
  std::optional<int64_t> used_at;
  std::optional<std::string> session_id;
};

/// oauth_codes: authorization codes, stored by hash, used once.
class CodeStore {
 public:
  explicit CodeStore(Conn& c) : c_(c) {}
  void insert(const std::string& hash, const CodeRow& r, int64_t now);
  std::optional<CodeRow> by_hash(const std::string& hash);
  /// False when the code was already used (the caller treats that as replay).
  bool mark_used(const std::string& hash, int64_t now);

 private:
  Conn& c_;
};

struct RefreshRow {
  std::string grant_id, client_id, user_id, scope;
  int64_t auth_time = 0, expires_at = 0;
  std::optional<int64_t> rotated_at;
  std::optional<std::string> successor_hash;
};

/// oauth_refresh_tokens: one rotating chain per grant, stored by hash.
class RefreshStore {
 public:
  explicit RefreshStore(Conn& c) : c_(c) {}
  void insert(const std::string& hash, const RefreshRow& r, int64_t now);
  std::optional<RefreshRow> by_hash(const std::string& hash);
  /// Marks the token rotated; false when someone else rotated it first.
  bool mark_rotated(const std::string& hash, const std::string& successor, int64_t now);

 private:
  Conn& c_;
};

struct ConsentRow {
  std::string client_id, client_name;
  std::vector<std::string> scopes;
  int64_t created_at = 0, updated_at = 0;
};

/// oauth_consents: the scopes a user agreed to give a client.
class ConsentStore {
 public:
  explicit ConsentStore(Conn& c) : c_(c) {}
  std::optional<std::vector<std::string>> find(const std::string& user_id, const std::string& client_id);
  void save(const std::string& user_id, const std::string& client_id, const std::vector<std::string>& scopes,
            int64_t now);
  std::vector<ConsentRow> of_user(const std::string& user_id);
  /// Deletes consents (all when client_id is empty) and revokes the grants they backed;
  /// returns the number of consents and fills `revoked` with the grant ids.
  int64_t remove(const std::string& user_id, const std::string& client_id, int64_t now,
                 std::vector<std::string>* revoked);

 private:
  Conn& c_;
};

struct DeviceRow {
  std::string device_code_hash, user_code, client_id, scope, status;
  int64_t expires_at = 0, interval = 5;
  std::optional<int64_t> last_poll_at, auth_time;
  std::optional<std::string> user_id, session_id;
};

/// oauth_device_codes: RFC 8628 device authorizations.
class DeviceStore {
 public:
  explicit DeviceStore(Conn& c) : c_(c) {}
  void insert(const DeviceRow& d, int64_t now);
  std::optional<DeviceRow> by_hash(const std::string& hash);
  std::optional<DeviceRow> by_user_code(const std::string& user_code);
  void set_poll(const std::string& hash, int64_t now, int64_t interval);
  /// Approves or denies a pending code; false when it was not pending.
  bool decide(const std::string& user_code, bool approve, const std::string& user_id,
              const std::string& session_id, int64_t auth_time);
  bool mark_used(const std::string& hash);

 private:
  Conn& c_;
};

struct BrowserRow {
  std::string session_id, user_id;
  int64_t auth_time = 0;
};

/// browser_sessions: the SSO cookie's server side, stored by hash.
class BrowserStore {
 public:
  explicit BrowserStore(Conn& c) : c_(c) {}
  void insert(const std::string& hash, const BrowserRow& b, int64_t now);
  /// The browser session when its identity session is still live.
  std::optional<BrowserRow> by_hash(const std::string& hash, int64_t now);
  void remove(const std::string& hash);

 private:
  Conn& c_;
};

/// oauth_revoked_tokens: access tokens revoked before they expire (RFC 7009).
class RevokedJtiStore {
 public:
  explicit RevokedJtiStore(Conn& c) : c_(c) {}
  void add(const std::string& jti, int64_t expires_at);
  bool contains(const std::string& jti);

 private:
  Conn& c_;
};

struct PendingRow {
  std::string params_json;
  int64_t created_at = 0;
  std::optional<std::string> signed_in_session;
};

/// oauth_pending_requests: authorization requests parked while the user signs in, by handle hash.
class PendingRequestStore {
 public:
  explicit PendingRequestStore(Conn& c) : c_(c) {}
  /// Stores one and drops the expired ones (indexed: cheap).
  void insert(const std::string& hash, const std::string& params_json, int64_t now, int64_t expires_at);
  std::optional<PendingRow> by_hash(const std::string& hash, int64_t now);  // unexpired only
  void set_signed_in(const std::string& hash, const std::string& session_id);
  void remove(const std::string& hash);

 private:
  Conn& c_;
};

}  // namespace gatehouse::oidc
