#pragma once
// What other domains may read of accounts, inside their own connection or transaction.
// Narrow on purpose: authz, oidc and the app see these answers, never identity's tables,
// so the tables can change without touching them.
#include <optional>
#include <string>
#include <vector>

#include "identity/models.hpp"
#include "store/db.hpp"

namespace gatehouse::identity {

class Users {
 public:
  explicit Users(store::Conn& c) : c_(c) {}
  /// The account unless it was deleted (a locked account is still returned).
  std::optional<User> existing(const std::string& id);
  /// Same, by email address (normalised here).
  std::optional<User> existing_by_email(const std::string& email);
  /// The account when it may act: neither deleted nor locked.
  std::optional<User> active(const std::string& id);
  /// True while the sign-in session exists and has not been revoked.
  bool session_live(const std::string& session_id);
  bool is_admin(const std::string& user_id);
  /// Names of the global roles the user holds, most powerful first.
  std::vector<std::string> role_names(const std::string& user_id);
  /// True when some live account holds the admin role (first-run bootstrap).
  bool any_admin();
  /// Every account, oldest first, for the operator's CLI.
  std::vector<User> list(int limit, int offset);

 private:
  store::Conn& c_;
};

}  // namespace gatehouse::identity
