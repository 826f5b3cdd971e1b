#include "identity/users.hpp"

#include "identity/deps.hpp"
#include "identity/store.hpp"

namespace gatehouse::identity {

std::optional<User> Users::existing(const std::string& id) {
  auto u = UserStore(c_).by_id(id);
  if (!u || u->deleted) return std::nullopt;
  return u;
}

std::optional<User> Users::existing_by_email(const std::string& email) {
  auto u = UserStore(c_).by_email(normalize_login(email));
  if (!u || u->deleted) return std::nullopt;
  return u;
}

std::optional<User> Users::active(const std::string& id) {
  auto u = existing(id);
  if (!u || u->locked) return std::nullopt;
  return u;
}

bool Users::session_live(const std::string& session_id) {
  auto s = SessionStore(c_).by_id(session_id);
  return s && !s->revoked_at;
}

bool Users::is_admin(const std::string& user_id) { return RoleStore(c_).is_admin(user_id); }

std::vector<std::string> Users::role_names(const std::string& user_id) {
  std::vector<std::string> out;
  for (auto& r : RoleStore(c_).of_user(user_id)) out.push_back(r.name);
  return out;
}

bool Users::any_admin() { return UserStore(c_).any_admin(); }

std::vector<User> Users::list(int limit, int offset) { return UserStore(c_).list(limit, offset); }

}  // namespace gatehouse::identity
