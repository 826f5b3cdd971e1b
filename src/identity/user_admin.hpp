#pragma once
// Global roles (name, description, level; lower = more powerful) and user administration
// for holders of the "admin" role: search, inspect, lock/unlock, verify, force logout,
// assign roles, soft delete, and the audit log with filters. Blocking (SQL).
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <optional>
#include <vector>

#include "events/audit.hpp"
#include "identity/deps.hpp"
#include "identity/store.hpp"

namespace gatehouse::identity {

struct AdminUserChange {
  std::optional<bool> locked;
  std::optional<bool> email_verified;
  std::optional<std::vector<std::string>> roles;
  bool force_logout = false;
};

class AdminService {
 public:
  explicit AdminService(Deps d) : d_(d) {}

  /// 403 unless the caller holds the admin role.
  Status require_admin(const Principal& p);

  Result<boost::json::object> search(const std::string& q, int page, int limit);
  Result<boost::json::object> user(const std::string& id);
  Result<boost::json::object> update(const std::string& id, const AdminUserChange& c, const Principal& p,
                                     const Origin& o);
  Status remove(const std::string& id, const Principal& p, const Origin& o);
  Result<std::vector<GlobalRole>> roles_of(const std::string& id);
  Result<std::vector<GlobalRole>> roles();
  Result<boost::json::array> users_with_role(const std::string& name);
  /// Filtered audit log, newest first; cursor = id of the last row seen.
  Result<boost::json::object> audit(const events::AuditFilter& f);

 private:
  Deps d_;
};

boost::json::object to_json(const UserRow& u);

}  // namespace gatehouse::identity
