#include "authz/registry.hpp"

#include <boost/json.hpp>

#include "authz/store.hpp"
#include "core/clock.hpp"
#include "crypto/random.hpp"
#include "events/audit.hpp"
#include "identity/users.hpp"

namespace gatehouse::authz {
using events::audit_event;

namespace {
Error conflict(const std::string& m) { return Error::make(Errc::conflict, m); }
}  // namespace

// Names that would read as another kind of audience are kept out, as a second fence
// behind the permission tokens' own audience namespace.
Status ServiceRegistry::name_allowed(const std::string& name) const {
  std::string lower = name;
  for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (lower == d_.cfg.token_audience || lower.rfind("urn:", 0) == 0 || lower.find("://") != std::string::npos)
    return Error::field("name", "This name is reserved");
  return ok();
}

Result<Service> ServiceRegistry::manageable(store::Conn& c, const std::string& service_id, const Principal& p) {
  auto s = ServiceStore(c).by_id(service_id);
  if (!s) return Error::not_found("Service");
  if (s->owner_id != p.user_id && !identity::Users(c).is_admin(p.user_id))
    return Error::forbidden("Only the service's owner or an administrator may change it");
  return *s;
}

Result<Service> ServiceRegistry::create(const std::string& name, const std::optional<std::string>& description,
                                        const Principal& p, const Origin& o) {
  if (auto allowed = name_allowed(name); !allowed) return allowed.error();
  int64_t now = now_seconds();
  Service s{crypto::new_uuid(), name, description, p.user_id, now, now};
  auto r = d_.db.transaction([&](store::Conn& c) -> Result<Service> {
    if (ServiceStore(c).by_name(name)) return conflict("A service with that name already exists");
    if (auto added = ServiceStore(c).insert(s); !added) return added.error();
    auto e = audit_event(o, "service.create", p.user_id, s.id);
    e.details["name"] = name;
    events::record(c, e, now);
    return s;
  });
  if (r) d_.generation.bump();  // cached "no such service" answers must go
  return r;
}

Result<std::vector<Service>> ServiceRegistry::list() {
  return d_.db.with([&](store::Conn& c) { return ServiceStore(c).all(); });
}

Result<std::vector<Service>> ServiceRegistry::mine(const Principal& p) {
  return d_.db.with([&](store::Conn& c) { return ServiceStore(c).of_user(p.user_id); });
}

Result<Service> ServiceRegistry::get(const std::string& id) {
  auto s = d_.db.with([&](store::Conn& c) { return ServiceStore(c).by_id(id); });
  if (!s) return Error::not_found("Service");
  return *s;
}

Result<Service> ServiceRegistry::update(const std::string& id, const std::string& name,
                                        const std::optional<std::string>& description, const Principal& p,
                                        const Origin& o) {
  if (auto allowed = name_allowed(name); !allowed) return allowed.error();
  int64_t now = now_seconds();
  auto r = d_.db.transaction([&](store::Conn& c) -> Result<Service> {
    auto s = manageable(c, id, p);
    if (!s) return s.error();
    if (auto other = ServiceStore(c).by_name(name); other && other->id != id)
      return conflict("A service with that name already exists");
    if (auto renamed = ServiceStore(c).update(id, name, description, now); !renamed) return renamed.error();
    events::record(c, audit_event(o, "service.update", p.user_id, id), now);
    return *ServiceStore(c).by_id(id);
  });
  if (r) d_.generation.bump();
  return r;
}

Status ServiceRegistry::remove(const std::string& id, const Principal& p, const Origin& o) {
  int64_t now = now_seconds();
  auto r = d_.db.transaction([&](store::Conn& c) -> Status {
    auto s = manageable(c, id, p);
    if (!s) return s.error();
    ServiceStore(c).soft_delete(id, now);
    events::record(c, audit_event(o, "service.delete", p.user_id, id), now);
    return ok();
  });
  if (r) d_.generation.bump();
  return r;
}

Result<std::vector<ServiceRole>> ServiceRegistry::roles(const std::string& service_id) {
  return d_.db.with([&](store::Conn& c) -> Result<std::vector<ServiceRole>> {
    if (!ServiceStore(c).by_id(service_id)) return Error::not_found("Service");
    return ServiceStore(c).roles(service_id);
  });
}

Result<ServiceRole> ServiceRegistry::create_role(const std::string& service_id, const RoleSpec& spec,
                                                 const Principal& p, const Origin& o) {
  int64_t now = now_seconds();
  auto r = d_.db.transaction([&](store::Conn& c) -> Result<ServiceRole> {
    if (auto s = manageable(c, service_id, p); !s) return s.error();
    ServiceRole role{crypto::new_uuid(), service_id, *spec.name, spec.description ? *spec.description : std::nullopt,
                     spec.permissions.value_or(std::vector<std::string>{}), now, now};
    if (auto added = ServiceStore(c).insert_role(role); !added) return added.error();
    std::vector<std::string> ids;
    for (auto& name : role.permissions) ids.push_back(ServiceStore(c).ensure_permission(service_id, name));
    ServiceStore(c).set_role_permissions(role.id, ids);
    auto e = audit_event(o, "service.role_created", p.user_id, role.id);
    e.details["service_id"] = service_id;
    e.details["name"] = role.name;
    events::record(c, e, now);
    return *ServiceStore(c).role(role.id);
  });
  if (r) d_.generation.bump();
  return r;
}

Result<ServiceRole> ServiceRegistry::update_role(const std::string& role_id, const RoleSpec& spec, const Principal& p,
                                                 const Origin& o) {
  int64_t now = now_seconds();
  auto r = d_.db.transaction([&](store::Conn& c) -> Result<ServiceRole> {
    auto role = ServiceStore(c).role(role_id);
    if (!role) return Error::not_found("Role");
    if (auto s = manageable(c, role->service_id, p); !s) return s.error();
    if (spec.name) role->name = *spec.name;
    if (spec.description) role->description = *spec.description;
    role->updated_at = now;
    if (auto changed = ServiceStore(c).update_role(*role); !changed) return changed.error();
    if (spec.permissions) {
      std::vector<std::string> ids;
      for (auto& name : *spec.permissions) ids.push_back(ServiceStore(c).ensure_permission(role->service_id, name));
      ServiceStore(c).set_role_permissions(role_id, ids);
    }
    events::record(c, audit_event(o, "service.role_updated", p.user_id, role_id), now);
    return *ServiceStore(c).role(role_id);
  });
  if (r) d_.generation.bump();
  return r;
}

Status ServiceRegistry::delete_role(const std::string& role_id, const Principal& p, const Origin& o) {
  int64_t now = now_seconds();
  auto r = d_.db.transaction([&](store::Conn& c) -> Status {
    auto role = ServiceStore(c).role(role_id);
    if (!role) return Error::not_found("Role");
    if (auto s = manageable(c, role->service_id, p); !s) return s.error();
    ServiceStore(c).delete_role(role_id);
    events::record(c, audit_event(o, "service.role_deleted", p.user_id, role_id), now);
    return ok();
  });
  if (r) d_.generation.bump();
  return r;
}

Result<std::vector<Permission>> ServiceRegistry::permissions(const std::optional<std::string>& service_id) {
  return d_.db.with([&](store::Conn& c) -> Result<std::vector<Permission>> {
    if (service_id && !ServiceStore(c).by_id(*service_id)) return Error::not_found("Service");
    return ServiceStore(c).permissions(service_id);
  });
}

Result<std::vector<Assignment>> ServiceRegistry::assignments(const std::string& user_id, const std::string& service_id,
                                                             const Principal& p) {
  return d_.db.with([&](store::Conn& c) -> Result<std::vector<Assignment>> {
    auto s = ServiceStore(c).by_id(service_id);
    if (!s) return Error::not_found("Service");
    if (user_id != p.user_id && s->owner_id != p.user_id && !identity::Users(c).is_admin(p.user_id))
      return Error::forbidden("You may only read your own assignments");
    return ServiceStore(c).assignments(user_id, service_id);
  });
}

Result<Assignment> ServiceRegistry::assign(const std::string& user_id, const std::string& service_id,
                                           const std::string& role_id, const std::string& org_id, const Principal& p,
                                           const Origin& o) {
  int64_t now = now_seconds();
  auto r = d_.db.transaction([&](store::Conn& c) -> Result<Assignment> {
    if (auto s = manageable(c, service_id, p); !s) return s.error();
    auto role = ServiceStore(c).role(role_id);
    if (!role || role->service_id != service_id) return Error::not_found("Role");
    if (!identity::Users(c).existing(user_id)) return Error::not_found("User");
    if (!org_id.empty()) {
      if (!OrgStore(c).by_id(org_id)) return Error::not_found("Organization");
      if (!OrgStore(c).member_role(org_id, user_id))
        return Error::field("org_id", "The user is not a member of this organization");
    }
    Assignment a{user_id, service_id, role_id, role->name, org_id, now};
    if (!ServiceStore(c).assign(a, p.user_id)) return conflict("The user already has this role");
    auto e = audit_event(o, "role.assigned", p.user_id, user_id);
    e.details["service_id"] = service_id;
    e.details["role_id"] = role_id;
    e.details["role"] = role->name;
    if (!org_id.empty()) e.details["org_id"] = org_id;
    events::record(c, e, now);
    return a;
  });
  if (r) d_.generation.bump();
  return r;
}

Status ServiceRegistry::unassign(const std::string& user_id, const std::string& service_id, const std::string& role_id,
                                 const std::string& org_id, const Principal& p, const Origin& o) {
  int64_t now = now_seconds();
  auto r = d_.db.transaction([&](store::Conn& c) -> Status {
    if (auto s = manageable(c, service_id, p); !s) return s.error();
    if (!ServiceStore(c).unassign(user_id, service_id, role_id, org_id)) return Error::not_found("Assignment");
    auto e = audit_event(o, "role.unassigned", p.user_id, user_id);
    e.details["service_id"] = service_id;
    e.details["role_id"] = role_id;
    if (!org_id.empty()) e.details["org_id"] = org_id;
    events::record(c, e, now);
    return ok();
  });
  if (r) d_.generation.bump();
  return r;
}

}  // namespace gatehouse::authz
