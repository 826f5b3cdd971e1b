#pragma once
// The registered microservices, their permissions and roles (a role is a named set of
// permissions), and user -> service -> role assignments, optionally scoped to an
// organization. Managed by the service's owner or a global admin. Blocking (SQL).
#include <optional>
#include <vector>

#include "authz/deps.hpp"
#include "authz/models.hpp"

namespace gatehouse::authz {

struct RoleSpec {
  std::optional<std::string> name;
  std::optional<std::optional<std::string>> description;
  std::optional<std::vector<std::string>> permissions;
};

class ServiceRegistry {
 public:
  explicit ServiceRegistry(AuthzDeps d) : d_(d) {}

  Result<Service> create(const std::string& name, const std::optional<std::string>& description,
                         const Principal& p, const Origin& o);
  Result<std::vector<Service>> list();
  Result<std::vector<Service>> mine(const Principal& p);
  Result<Service> get(const std::string& id);
  Result<Service> update(const std::string& id, const std::string& name, const std::optional<std::string>& description,
                         const Principal& p, const Origin& o);
  Status remove(const std::string& id, const Principal& p, const Origin& o);

  Result<std::vector<ServiceRole>> roles(const std::string& service_id);
  Result<ServiceRole> create_role(const std::string& service_id, const RoleSpec& spec, const Principal& p, const Origin& o);
  Result<ServiceRole> update_role(const std::string& role_id, const RoleSpec& spec, const Principal& p, const Origin& o);
  Status delete_role(const std::string& role_id, const Principal& p, const Origin& o);
  Result<std::vector<Permission>> permissions(const std::optional<std::string>& service_id);

  Result<std::vector<Assignment>> assignments(const std::string& user_id, const std::string& service_id, const Principal& p);
  Result<Assignment> assign(const std::string& user_id, const std::string& service_id, const std::string& role_id,
                            const std::string& org_id, const Principal& p, const Origin& o);
  Status unassign(const std::string& user_id, const std::string& service_id, const std::string& role_id,
                  const std::string& org_id, const Principal& p, const Origin& o);

 private:
  Status name_allowed(const std::string& name) const;
  /// The service, when the caller owns it or is a global admin.
  Result<Service> manageable(store::Conn& c, const std::string& service_id, const Principal& p);
  AuthzDeps d_;
};

}  // namespace gatehouse::authz
