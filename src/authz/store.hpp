#pragma once
// The authorization domain's tables (organizations, services, application tokens), one
// store per family of rows, and the only place their SQL lives: `OrgStore(c).by_id(id)`.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "authz/models.hpp"
#include "store/db.hpp"

namespace gatehouse::authz {

using store::Conn;

/// organizations, memberships, organization roles, invitations, the active organization (org_store.cpp).
class OrgStore {
 public:
  explicit OrgStore(Conn& c) : c_(c) {}
  void insert(const Organization& o);
  std::optional<Organization> by_id(const std::string& id);  // not deleted
  void update(const std::string& id, const std::optional<std::string>& name,
              const std::optional<std::optional<std::string>>& description, int64_t now);
  void soft_delete(const std::string& id, int64_t now);
  std::vector<std::pair<Organization, std::string>> of_user(const std::string& user_id);
  std::optional<std::string> member_role(const std::string& org_id, const std::string& user_id);
  std::vector<Member> members(const std::string& org_id);
  /// Serialises membership changes of one organization (PostgreSQL row lock; SQLite
  /// transactions are already serial).
  void lock(const std::string& org_id);
  /// Inserts a membership; false when the user is already a member.
  bool insert_member(const std::string& org_id, const std::string& user_id, const std::string& role,
                     int64_t now);
  /// Pending (unaccepted, unexpired) invitations that would grant this role.
  bool role_has_pending_invitations(const std::string& org_id, const std::string& role, int64_t now);
  void upsert_member(const std::string& org_id, const std::string& user_id,
                     const std::string& role, int64_t now);
  bool remove_member(const std::string& org_id, const std::string& user_id);
  int64_t count_owners(const std::string& org_id);
  /// Errc::conflict when the organization has a role of that name.
  Status insert_role(const OrgRole& r);
  std::optional<OrgRole> role(const std::string& org_id, const std::string& id);
  std::vector<OrgRole> roles(const std::string& org_id);
  bool delete_role(const std::string& org_id, const std::string& id);
  bool role_in_use(const std::string& org_id, const std::string& id);
  void insert_invitation(const Invitation& i, const std::string& token_hash);
  std::optional<Invitation> invitation_by_hash(const std::string& token_hash);
  std::vector<Invitation> invitations(const std::string& org_id);
  bool accept_invitation(const std::string& id, const std::string& user_id, int64_t now);
  /// Ends a pending invitation of this organization (the pair must match); false when none.
  bool revoke_invitation(const std::string& org_id, const std::string& id, int64_t now);
  void set_active_org(const std::string& user_id, const std::optional<std::string>& org_id);
  std::optional<std::string> active_org(const std::string& user_id);

 private:
  Conn& c_;
};

/// services, permissions, service roles and assignments (service_store.cpp).
class ServiceStore {
 public:
  explicit ServiceStore(Conn& c) : c_(c) {}
  /// Errc::conflict when the name is taken (so for update and the role writes).
  Status insert(const Service& s);
  std::optional<Service> by_id(const std::string& id);      // not deleted
  std::optional<Service> by_name(const std::string& name);  // not deleted
  std::vector<Service> all();
  std::vector<Service> of_user(const std::string& user_id);
  Status update(const std::string& id, const std::string& name,
                const std::optional<std::string>& description, int64_t now);
  void soft_delete(const std::string& id, int64_t now);
  /// Id of the permission, created when missing.
  std::string ensure_permission(const std::string& service_id, const std::string& name);
  std::vector<Permission> permissions(const std::optional<std::string>& service_id);
  Status insert_role(const ServiceRole& r);
  std::optional<ServiceRole> role(const std::string& id);
  std::vector<ServiceRole> roles(const std::string& service_id);
  Status update_role(const ServiceRole& r);
  void set_role_permissions(const std::string& role_id, const std::vector<std::string>& permission_ids);
  void delete_role(const std::string& id);
  std::vector<Assignment> assignments(const std::string& user_id, const std::string& service_id);
  bool assign(const Assignment& a, const std::string& by);
  bool unassign(const std::string& user_id, const std::string& service_id, const std::string& role_id,
                const std::string& org_id);
  /// Permission names granted to the user in the service: global assignments plus those
  /// scoped to `org_id` (when given). Deleted services and roles grant nothing.
  /// Permission name -> name of a role that grants it.
  std::map<std::string, std::string> granted_permissions(const std::string& user_id,
                                                         const std::string& service_id,
                                                         const std::optional<std::string>& org_id);

 private:
  Conn& c_;
};

/// app_tokens and their daily usage (token_store.cpp).
class AppTokenStore {
 public:
  explicit AppTokenStore(Conn& c) : c_(c) {}
  void insert(const AppToken& t, const std::string& token_hash);
  std::optional<AppToken> by_id(const std::string& id);
  std::optional<AppToken> by_hash(const std::string& token_hash);
  std::vector<AppToken> of_service(const std::string& service_id);
  bool revoke(const std::string& id, int64_t now);
  bool remove(const std::string& id);
  void add_usage(const std::string& id, const std::string& day, int64_t count, int64_t last_used);
  std::vector<std::pair<std::string, int64_t>> usage(const std::string& id, int days);

 private:
  Conn& c_;
};

}  // namespace gatehouse::authz
