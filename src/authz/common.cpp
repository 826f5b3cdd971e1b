#include "authz/deps.hpp"

namespace gatehouse::authz {

bool is_admin(store::Conn& c, const std::string& user_id) {
  return !c.query("SELECT 1 FROM user_roles WHERE user_id = $1 AND role_name = 'admin'", {user_id}).empty();
}

Error forbidden(const std::string& why) { return Error::make(Errc::authorization, why); }
Error not_found(const std::string& what) { return Error::make(Errc::not_found, what + " not found"); }

}  // namespace gatehouse::authz
