#pragma once
// The identity domain's tables (users, global roles, sessions, refresh tokens, one-time
// email tokens), one store per family of rows, and the only place their SQL lives. A store
// is a view over the connection or transaction it is given: `UserStore(c).by_id(id)`.
// Other domains do not include this header; they read accounts through identity/users.hpp.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "identity/models.hpp"
#include "store/db.hpp"

namespace gatehouse::identity {

using store::Conn;

/// What an administrator sees of an account (no hash).
struct UserRow {
  std::string id, email;
  std::optional<std::string> username, name;
  bool email_verified = false, locked = false, deleted = false;
  int64_t created_at = 0;
  std::optional<int64_t> last_login_at;
};

/// users (and the default global roles every account holds).
class UserStore {
 public:
  explicit UserStore(Conn& c) : c_(c) {}
  /// Errc::conflict when the email or username is taken.
  Status insert(const User& u, const std::string& email_norm, const std::optional<std::string>& username_norm);
  std::optional<User> by_id(const std::string& id);
  /// Looks up by lower-cased email or username; includes soft-deleted accounts.
  std::optional<User> by_login(const std::string& login_norm);
  std::optional<User> by_email(const std::string& email_norm);
  bool email_taken(const std::string& email_norm);
  bool username_taken(const std::string& username_norm, const std::string& except_user);
  void set_password_hash(const std::string& user_id, const std::string& hash, int64_t now);
  void set_email_verified(const std::string& user_id, int64_t now);
  /// Replaces the address (unverified); `email_norm` is its normalized form. Errc::conflict
  /// when another account holds it.
  Status set_email(const std::string& user_id, const std::string& email, const std::string& email_norm,
                   int64_t now);
  void set_last_login(const std::string& user_id, int64_t now);
  /// Errc::conflict when the username is taken.
  Status update_profile(const std::string& user_id, const std::optional<std::string>& username,
                        const std::optional<std::string>& username_norm, const std::optional<std::string>& name,
                        bool set_username, bool set_name, int64_t now);
  void soft_delete(const std::string& user_id, int64_t now);
  std::vector<User> list(int limit, int offset);
  bool any_admin();
  /// Administration: case-insensitive substring search over email and username (not the
  /// display name); `total` counts all matches.
  std::vector<UserRow> search(const std::string& query, int limit, int offset, int64_t* total);
  std::optional<UserRow> row(const std::string& id);
  void set_locked(const std::string& user_id, bool locked, int64_t now);

 private:
  Conn& c_;
};

/// roles and user_roles: the global roles (lower level = more powerful) and who holds them.
class RoleStore {
 public:
  explicit RoleStore(Conn& c) : c_(c) {}
  std::vector<GlobalRole> all();
  std::optional<GlobalRole> find(const std::string& name);
  std::vector<GlobalRole> of_user(const std::string& user_id);
  bool is_admin(const std::string& user_id);
  /// Replaces the user's roles (and keeps users.is_admin in step).
  void set_for_user(const std::string& user_id, const std::vector<std::string>& names, const std::string& by,
                    int64_t now);
  std::vector<std::string> holders(const std::string& name);

 private:
  Conn& c_;
};

struct SessionCounts {
  int64_t total = 0, active = 0, revoked = 0;
  std::optional<int64_t> oldest_active, newest_active;
};

/// sessions: one row per sign-in.
class SessionStore {
 public:
  explicit SessionStore(Conn& c) : c_(c) {}
  void insert(const Session& s);
  std::optional<Session> by_id(const std::string& id);
  std::vector<Session> active_of(const std::string& user_id, int64_t now);
  /// Revokes and returns the ids it revoked. `except` keeps one session alive.
  std::vector<std::string> revoke_all_of(const std::string& user_id, int64_t now, const std::string& reason,
                                         const std::string& except = {});
  bool revoke(const std::string& id, int64_t now, const std::string& reason);
  void touch(const std::string& id, int64_t now);
  SessionCounts counts(const std::string& user_id, int64_t now);
  /// Sessions revoked after `since` (to seed the in-memory revocation set at start).
  std::vector<std::pair<std::string, int64_t>> revoked_since(int64_t since);

 private:
  Conn& c_;
};

struct RefreshRow {
  std::string token_hash;
  std::string session_id;
  int64_t expires_at = 0;
  std::optional<int64_t> rotated_at;
  std::optional<std::string> successor_hash;
};

/// refresh_tokens: one rotating family per session, stored by hash.
class RefreshStore {
 public:
  explicit RefreshStore(Conn& c) : c_(c) {}
  void insert(const std::string& hash, const std::string& session_id, int64_t now, int64_t expires_at);
  std::optional<RefreshRow> by_hash(const std::string& hash);
  /// Marks the token rotated; false when someone else rotated it first.
  bool mark_rotated(const std::string& hash, const std::string& successor, int64_t now);

 private:
  Conn& c_;
};

/// email_tokens: one-time tokens (verify_email, reset_password), stored by hash.
class EmailTokenStore {
 public:
  explicit EmailTokenStore(Conn& c) : c_(c) {}
  void insert(const std::string& hash, const std::string& user_id, const std::string& purpose, int64_t now,
              int64_t expires_at);
  /// User id of a valid token without consuming it.
  std::optional<std::string> peek(const std::string& hash, const std::string& purpose, int64_t now);
  /// Consumes a valid token (unused, unexpired, right purpose); returns its user id.
  std::optional<std::string> consume(const std::string& hash, const std::string& purpose, int64_t now);
  void invalidate(const std::string& user_id, const std::string& purpose, int64_t now);

 private:
  Conn& c_;
};

}  // namespace gatehouse::identity
