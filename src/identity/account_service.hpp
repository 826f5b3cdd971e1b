#pragma once
// Accounts: registration, email verification, profile, password change, soft delete and
// password recovery. Blocking: run on worker pools (hashing ones on the hashing pool).
#include <optional>
#include <string>
#include <vector>

#include "identity/deps.hpp"

namespace gatehouse::identity {

struct Registration {
  std::string email;
  std::optional<std::string> username;
  std::optional<std::string> name;
  std::string password;
};

struct ProfileChange {
  std::optional<std::optional<std::string>> username;  // outer: present; inner: null clears
  std::optional<std::optional<std::string>> name;
};

class AccountService {
 public:
  explicit AccountService(Deps d) : d_(d) {}

  /// Takes one registration from the caller's per-address budget. Call it first, before
  /// any costly check of the input (zxcvbn, hashing): a flood is refused for free.
  Status admit_registration(const Origin& o);
  /// Creates the account (the caller has been admitted).
  Result<User> register_user(const Registration& r, const Origin& o);
  /// Creates a user without the HTTP rate limits and hooks (CLI, first admin). Sends a
  /// verification mail unless `verified`.
  Result<User> create_user(const Registration& r, bool verified, bool admin, const Origin& o);
  /// Adds a user with an existing password hash (bcrypt or Argon2id), e.g. from
  /// `gatehouse user import`. Validates email and username; 409 on duplicates.
  Result<User> import_user(const std::string& email, const std::optional<std::string>& username,
                           const std::string& password_hash, bool verified, const Origin& o);
  Result<User> verify_email(const std::string& token, const Origin& o);
  /// Always succeeds from the caller's view (no enumeration); sends a mail when due.
  Status resend_verification(const std::string& email, const Origin& o);

  Result<User> get(const std::string& user_id);
  /// Cache-only read for the IO thread; nullopt when not cached (or deleted).
  std::optional<User> cached(const std::string& user_id) { return d_.users.get(user_id); }
  Result<User> update_profile(const Principal& p, const ProfileChange& c, const Origin& o);
  Status change_password(const Principal& p, const std::string& current,
                         const std::string& next, const Origin& o);
  /// Soft delete: flag + date, sessions ended; email and username stay reserved.
  Status delete_account(const Principal& p, const std::optional<std::string>& password,
                        const Origin& o);
  Status forgot_password(const std::string& email, const Origin& o);
  Status reset_password(const std::string& token, const std::string& password, const Origin& o);
  /// Sets a password without the old one (CLI); ends every session.
  Status set_password(const std::string& email, const std::string& password, const Origin& o);

  Result<std::vector<events::AuditRecord>> audit(const Principal& p, int limit,
                                                 std::optional<int64_t> before);

 private:
  void send_verification(store::Conn& c, const User& u, int64_t now);
  Status rate_limit_password_check(const std::string& user_id);
  /// Inserts `u` (hash already set) with uniqueness checks and an audit row.
  Status evict_unverified_holder(store::Conn& c, const std::string& email_norm, const Origin& o, int64_t now);
  Result<User> add_user(User u, bool send_mail, const Origin& o, const char* action);
  Deps d_;
};

}  // namespace gatehouse::identity
