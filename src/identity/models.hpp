#pragma once
// Plain records of the identity domain, shared by store, services and routes.
#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>

#include "core/request_context.hpp"

namespace gatehouse::identity {

struct User {
  std::string id;  // public id (UUID)
  std::string email;
  std::optional<std::string> username;
  std::optional<std::string> name;
  std::string password_hash;  // never leaves the service layer
  bool email_verified = false;
  bool is_admin = false;
  bool deleted = false;
  bool locked = false;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  std::optional<int64_t> last_login_at;
  std::optional<int64_t> deleted_at;
};

/// Public JSON form of a user (no secrets).
boost::json::object to_json(const User& u);

struct Session {
  std::string id;
  std::string user_id;
  int64_t created_at = 0;
  int64_t last_used_at = 0;
  int64_t expires_at = 0;
  std::string ip;
  std::string user_agent;
  std::optional<int64_t> revoked_at;
};

boost::json::object to_json(const Session& s, const std::string& current_session_id);

/// A global role ("admin", "user", ...); a lower level is more powerful.
struct GlobalRole {
  std::string name;
  std::optional<std::string> description;
  int level = 0;
};

boost::json::object to_json(const GlobalRole& r);

/// What login and refresh hand back.
struct TokenPair {
  std::string access_token;
  std::string refresh_token;
  int expires_in = 0;
  std::string session_id;
  User user;
};

boost::json::object to_json(const TokenPair& t);

}  // namespace gatehouse::identity
