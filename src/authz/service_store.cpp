#include "authz/store.hpp"
#include "crypto/random.hpp"

namespace gatehouse::authz {
namespace {
constexpr const char* kServiceCols = "id, name, description, owner_id, created_at, updated_at";
Service service_from(const store::Row& r) {
  return {r.str(0), r.str(1), r.opt(2), r.str(3), r.i64(4), r.i64(5)};
}
std::vector<Service> services_from(const store::Rows& rows) {
  std::vector<Service> out;
  for (auto& r : rows) out.push_back(service_from(r));
  return out;
}
std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
std::vector<std::string> role_permission_names(Conn& c, const std::string& role_id) {
  std::vector<std::string> out;
  for (auto& r : c.query("SELECT p.name FROM service_role_permissions rp JOIN permissions p ON p.id = rp.permission_id"
                         " WHERE rp.role_id = $1 ORDER BY p.name",
                         {role_id}))
    out.push_back(r.str(0));
  return out;
}
}  // namespace

Status ServiceStore::insert(const Service& s) {
  return store::unique_or_conflict([&] {
    c_.query("INSERT INTO services (id, name, name_normalized, description, owner_id, created_at, updated_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $6)",
            {s.id, s.name, lower(s.name), s.description, s.owner_id, s.created_at});
  }, "A service with that name already exists");
}

std::optional<Service> ServiceStore::by_id(const std::string& id) {
  auto rows = c_.query(std::string("SELECT ") + kServiceCols + " FROM services WHERE id = $1 AND deleted = 0", {id});
  if (rows.empty()) return std::nullopt;
  return service_from(rows[0]);
}

std::optional<Service> ServiceStore::by_name(const std::string& name) {
  auto rows = c_.query(std::string("SELECT ") + kServiceCols +
                          " FROM services WHERE name_normalized = $1 AND deleted = 0",
                      {lower(name)});
  if (rows.empty()) return std::nullopt;
  return service_from(rows[0]);
}

std::vector<Service> ServiceStore::all() {
  return services_from(c_.query(std::string("SELECT ") + kServiceCols +
                               " FROM services WHERE deleted = 0 ORDER BY name_normalized"));
}

std::vector<Service> ServiceStore::of_user(const std::string& user_id) {
  return services_from(c_.query(
      std::string("SELECT ") + kServiceCols + " FROM services WHERE deleted = 0 AND (owner_id = $1 OR id IN"
      " (SELECT service_id FROM user_service_roles WHERE user_id = $1)) ORDER BY name_normalized",
      {user_id}));
}

Status ServiceStore::update(const std::string& id, const std::string& name,
                            const std::optional<std::string>& description, int64_t now) {
  return store::unique_or_conflict([&] {
    c_.query("UPDATE services SET name = $1, name_normalized = $2, description = $3, updated_at = $4 WHERE id = $5",
             {name, lower(name), description, now, id});
  }, "A service with that name already exists");
}

void ServiceStore::soft_delete(const std::string& id, int64_t now) {
  // The name is freed for reuse; the row stays for the audit trail. Assignments go.
  c_.query("UPDATE services SET deleted = 1, updated_at = $1, name_normalized = id WHERE id = $2", {now, id});
  c_.query("DELETE FROM user_service_roles WHERE service_id = $1", {id});
  c_.query("UPDATE app_tokens SET revoked_at = $1 WHERE service_id = $2 AND revoked_at IS NULL", {now, id});
}

std::string ServiceStore::ensure_permission(const std::string& service_id, const std::string& name) {
  // Insert-if-absent, then read: concurrent creators of the same permission both succeed.
  c_.query("INSERT INTO permissions (id, service_id, name) VALUES ($1, $2, $3) ON CONFLICT (service_id, name) DO NOTHING",
           {crypto::new_uuid(), service_id, name});
  return c_.query("SELECT id FROM permissions WHERE service_id = $1 AND name = $2", {service_id, name})[0].str(0);
}

std::vector<Permission> ServiceStore::permissions(const std::optional<std::string>& service_id) {
  std::vector<Permission> out;
  auto rows = service_id
                  ? c_.query("SELECT p.id, p.service_id, p.name, p.description FROM permissions p"
                            " JOIN services s ON s.id = p.service_id WHERE s.deleted = 0 AND p.service_id = $1"
                            " ORDER BY p.name",
                            {*service_id})
                  : c_.query("SELECT p.id, p.service_id, p.name, p.description FROM permissions p"
                            " JOIN services s ON s.id = p.service_id WHERE s.deleted = 0"
                            " ORDER BY s.name_normalized, p.name");
  for (auto& r : rows) out.push_back({r.str(0), r.str(1), r.str(2), r.opt(3)});
  return out;
}

Status ServiceStore::insert_role(const ServiceRole& r) {
  return store::unique_or_conflict([&] {
    c_.query("INSERT INTO service_roles (id, service_id, name, description, created_at, updated_at)"
            " VALUES ($1, $2, $3, $4, $5, $5)",
            {r.id, r.service_id, r.name, r.description, r.created_at});
  }, "A role with that name already exists in this service");
}

std::optional<ServiceRole> ServiceStore::role(const std::string& id) {
  auto rows = c_.query("SELECT r.id, r.service_id, r.name, r.description, r.created_at, r.updated_at"
                      " FROM service_roles r JOIN services s ON s.id = r.service_id"
                      " WHERE r.id = $1 AND s.deleted = 0",
                      {id});
  if (rows.empty()) return std::nullopt;
  auto& r = rows[0];
  return ServiceRole{r.str(0), r.str(1), r.str(2), r.opt(3), role_permission_names(c_, r.str(0)), r.i64(4), r.i64(5)};
}

std::vector<ServiceRole> ServiceStore::roles(const std::string& service_id) {
  std::vector<ServiceRole> out;
  for (auto& r : c_.query("SELECT id, service_id, name, description, created_at, updated_at FROM service_roles"
                         " WHERE service_id = $1 ORDER BY name",
                         {service_id}))
    out.push_back({r.str(0), r.str(1), r.str(2), r.opt(3), role_permission_names(c_, r.str(0)), r.i64(4), r.i64(5)});
  return out;
}

Status ServiceStore::update_role(const ServiceRole& r) {
  return store::unique_or_conflict([&] {
    c_.query("UPDATE service_roles SET name = $1, description = $2, updated_at = $3 WHERE id = $4",
             {r.name, r.description, r.updated_at, r.id});
  }, "A role with that name already exists in this service");
}

void ServiceStore::set_role_permissions(const std::string& role_id, const std::vector<std::string>& ids) {
  c_.query("DELETE FROM service_role_permissions WHERE role_id = $1", {role_id});
  for (auto& p : ids)
    c_.query("INSERT INTO service_role_permissions (role_id, permission_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
             {role_id, p});
}

void ServiceStore::delete_role(const std::string& id) {
  c_.query("DELETE FROM user_service_roles WHERE role_id = $1", {id});
  c_.query("DELETE FROM service_role_permissions WHERE role_id = $1", {id});
  c_.query("DELETE FROM service_roles WHERE id = $1", {id});
}

std::vector<Assignment> ServiceStore::assignments(const std::string& user_id, const std::string& service_id) {
  std::vector<Assignment> out;
  for (auto& r : c_.query("SELECT a.user_id, a.service_id, a.role_id, r.name, a.org_id, a.assigned_at"
                         " FROM user_service_roles a JOIN service_roles r ON r.id = a.role_id"
                         " WHERE a.user_id = $1 AND a.service_id = $2 ORDER BY r.name, a.org_id",
                         {user_id, service_id}))
    out.push_back({r.str(0), r.str(1), r.str(2), r.str(3), r.str(4), r.i64(5)});
  return out;
}

bool ServiceStore::assign(const Assignment& a, const std::string& by) {
  return c_.query("INSERT INTO user_service_roles (user_id, service_id, role_id, org_id, assigned_at, assigned_by)"
                 " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
                 {a.user_id, a.service_id, a.role_id, a.org_id, a.assigned_at, by})
             .affected > 0;
}

bool ServiceStore::unassign(const std::string& user_id, const std::string& service_id, const std::string& role_id,
                            const std::string& org_id) {
  // The service is part of the key: the caller's right to manage `service_id` must not
  // reach a role of another service.
  return c_.query("DELETE FROM user_service_roles WHERE user_id = $1 AND service_id = $2 AND role_id = $3"
                 " AND org_id = $4",
                 {user_id, service_id, role_id, org_id})
             .affected > 0;
}

std::map<std::string, std::string> ServiceStore::granted_permissions(const std::string& user_id,
                                                                     const std::string& service_id,
                                                                     const std::optional<std::string>& org_id) {
  std::map<std::string, std::string> out;
  for (auto& r : c_.query("SELECT p.name, sr.name FROM user_service_roles a"
                         " JOIN service_roles sr ON sr.id = a.role_id"
                         " JOIN services s ON s.id = a.service_id AND s.deleted = 0"
                         " JOIN service_role_permissions rp ON rp.role_id = a.role_id"
                         " JOIN permissions p ON p.id = rp.permission_id"
                         " WHERE a.user_id = $1 AND a.service_id = $2 AND (a.org_id = '' OR a.org_id = $3)"
                         " ORDER BY sr.name",
                         {user_id, service_id, org_id.value_or("")}))
    out.emplace(r.str(0), r.str(1));
  return out;
}

}  // namespace gatehouse::authz
