// Administration's reads and writes: global roles, user search, locking.
#include "identity/store.hpp"

namespace gatehouse::identity {
namespace {
constexpr const char* kUserRowCols =
    "id, email, username, name, email_verified, locked, deleted, created_at, last_login_at";
UserRow user_from(const store::Row& r) {
  return {r.str(0), r.str(1), r.opt(2), r.opt(3), r.flag(4), r.flag(5), r.flag(6), r.i64(7), r.opt_i64(8)};
}
}  // namespace

std::vector<GlobalRole> RoleStore::all() {
  std::vector<GlobalRole> out;
  for (auto& r : c_.query("SELECT name, description, level FROM roles ORDER BY level, name"))
    out.push_back({r.str(0), r.opt(1), static_cast<int>(r.i64(2))});
  return out;
}

std::optional<GlobalRole> RoleStore::find(const std::string& name) {
  auto rows = c_.query("SELECT name, description, level FROM roles WHERE name = $1", {name});
  if (rows.empty()) return std::nullopt;
  return GlobalRole{rows[0].str(0), rows[0].opt(1), static_cast<int>(rows[0].i64(2))};
}

std::vector<GlobalRole> RoleStore::of_user(const std::string& user_id) {
  std::vector<GlobalRole> out;
  for (auto& r : c_.query("SELECT r.name, r.description, r.level FROM user_roles ur JOIN roles r ON r.name = ur.role_name"
                         " WHERE ur.user_id = $1 ORDER BY r.level, r.name",
                         {user_id}))
    out.push_back({r.str(0), r.opt(1), static_cast<int>(r.i64(2))});
  return out;
}

void RoleStore::set_for_user(const std::string& user_id, const std::vector<std::string>& names,
                             const std::string& by, int64_t now) {
  c_.query("DELETE FROM user_roles WHERE user_id = $1", {user_id});
  bool admin = false;
  for (auto& n : names) {
    c_.query("INSERT INTO user_roles (user_id, role_name, assigned_at, assigned_by) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT DO NOTHING",
            {user_id, n, now, by});
    admin |= n == "admin";
  }
  c_.query("UPDATE users SET is_admin = $1, updated_at = $2 WHERE id = $3", {admin, now, user_id});
}

bool RoleStore::is_admin(const std::string& user_id) {
  return !c_.query("SELECT 1 FROM user_roles WHERE user_id = $1 AND role_name = 'admin'", {user_id}).empty();
}

std::vector<std::string> RoleStore::holders(const std::string& name) {
  std::vector<std::string> out;
  for (auto& r : c_.query("SELECT ur.user_id FROM user_roles ur JOIN users u ON u.id = ur.user_id"
                         " WHERE ur.role_name = $1 AND u.deleted = 0 ORDER BY u.created_at",
                         {name}))
    out.push_back(r.str(0));
  return out;
}

std::vector<UserRow> UserStore::search(const std::string& q, int limit, int offset, int64_t* total) {
  std::string escaped;
  for (char ch : q) {
    if (ch == '%' || ch == '_' || ch == '\\') escaped += '\\';
    escaped += ch;
  }
  std::string pattern = "%" + escaped + "%";
  for (auto& ch : pattern) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  const char* where = " FROM users WHERE ($1 = '%%' OR email_normalized LIKE $1 ESCAPE '\\' OR username_normalized LIKE $1 ESCAPE '\\')";
  if (total) *total = c_.query(std::string("SELECT COUNT(*)") + where, {pattern})[0].i64(0);
  std::vector<UserRow> out;
  for (auto& r : c_.query(std::string("SELECT ") + kUserRowCols + where + " ORDER BY created_at, id LIMIT $2 OFFSET $3",
                          {pattern, limit, offset}))
    out.push_back(user_from(r));
  return out;
}

std::optional<UserRow> UserStore::row(const std::string& id) {
  auto rows = c_.query(std::string("SELECT ") + kUserRowCols + " FROM users WHERE id = $1", {id});
  if (rows.empty()) return std::nullopt;
  return user_from(rows[0]);
}

void UserStore::set_locked(const std::string& user_id, bool locked, int64_t now) {
  c_.query("UPDATE users SET locked = $1, updated_at = $2 WHERE id = $3", {locked, now, user_id});
}

}  // namespace gatehouse::identity
