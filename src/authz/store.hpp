#pragma once
// SQL for the authorization domain, and nothing else.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "authz/models.hpp"
#include "store/db.hpp"

namespace gatehouse::authz::sql {

using store::Conn;

// organizations (org_store.cpp)
void insert_org(Conn& c, const Organization& o);
std::optional<Organization> org_by_id(Conn& c, const std::string& id);  // not deleted
void update_org(Conn& c, const std::string& id, const std::optional<std::string>& name,
                const std::optional<std::optional<std::string>>& description, int64_t now);
void soft_delete_org(Conn& c, const std::string& id, int64_t now);
std::vector<std::pair<Organization, std::string>> orgs_of_user(Conn& c, const std::string& user_id);
std::optional<std::string> member_role(Conn& c, const std::string& org_id, const std::string& user_id);
std::vector<Member> members(Conn& c, const std::string& org_id);
/// Serialises membership changes of one organization (PostgreSQL row lock; SQLite
/// transactions are already serial).
void lock_org(Conn& c, const std::string& org_id);
/// Inserts a membership; false when the user is already a member.
bool insert_member(Conn& c, const std::string& org_id, const std::string& user_id, const std::string& role,
                   int64_t now);
/// Pending (unaccepted, unexpired) invitations that would grant this role.
bool role_has_pending_invitations(Conn& c, const std::string& org_id, const std::string& role, int64_t now);
void upsert_member(Conn& c, const std::string& org_id, const std::string& user_id,
                   const std::string& role, int64_t now);
bool remove_member(Conn& c, const std::string& org_id, const std::string& user_id);
int64_t count_owners(Conn& c, const std::string& org_id);
void insert_org_role(Conn& c, const OrgRole& r);
std::optional<OrgRole> org_role(Conn& c, const std::string& org_id, const std::string& id);
std::vector<OrgRole> org_roles(Conn& c, const std::string& org_id);
bool delete_org_role(Conn& c, const std::string& org_id, const std::string& id);
bool org_role_in_use(Conn& c, const std::string& org_id, const std::string& id);
void insert_invitation(Conn& c, const Invitation& i, const std::string& token_hash);
std::optional<Invitation> invitation_by_hash(Conn& c, const std::string& token_hash);
std::vector<Invitation> invitations(Conn& c, const std::string& org_id);
bool accept_invitation(Conn& c, const std::string& id, const std::string& user_id, int64_t now);
/// Ends a pending invitation of this organization (the pair must match); false when none.
bool revoke_invitation(Conn& c, const std::string& org_id, const std::string& id, int64_t now);
void set_active_org(Conn& c, const std::string& user_id, const std::optional<std::string>& org_id);
std::optional<std::string> active_org(Conn& c, const std::string& user_id);

// services, roles, permissions, assignments (service_store.cpp)
void insert_service(Conn& c, const Service& s);
std::optional<Service> service_by_id(Conn& c, const std::string& id);      // not deleted
std::optional<Service> service_by_name(Conn& c, const std::string& name);  // not deleted
std::vector<Service> services(Conn& c);
std::vector<Service> services_of_user(Conn& c, const std::string& user_id);
void update_service(Conn& c, const std::string& id, const std::string& name,
                    const std::optional<std::string>& description, int64_t now);
void soft_delete_service(Conn& c, const std::string& id, int64_t now);
/// Id of the permission, created when missing.
std::string ensure_permission(Conn& c, const std::string& service_id, const std::string& name);
std::vector<Permission> permissions(Conn& c, const std::optional<std::string>& service_id);
void insert_service_role(Conn& c, const ServiceRole& r);
std::optional<ServiceRole> service_role(Conn& c, const std::string& id);
std::vector<ServiceRole> service_roles(Conn& c, const std::string& service_id);
void update_service_role(Conn& c, const ServiceRole& r);
void set_role_permissions(Conn& c, const std::string& role_id, const std::vector<std::string>& permission_ids);
void delete_service_role(Conn& c, const std::string& id);
std::vector<Assignment> assignments(Conn& c, const std::string& user_id, const std::string& service_id);
bool assign(Conn& c, const Assignment& a, const std::string& by);
bool unassign(Conn& c, const std::string& user_id, const std::string& service_id, const std::string& role_id,
              const std::string& org_id);
/// Permission names granted to the user in the service: global assignments plus those
/// scoped to `org_id` (when given). Deleted services and roles grant nothing.
/// Permission name -> name of a role that grants it.
std::map<std::string, std::string> granted_permissions(Conn& c, const std::string& user_id,
                                          const std::string& service_id,
                                          const std::optional<std::string>& org_id);

// global roles and administration (admin_store.cpp)
std::vector<GlobalRole> global_roles(Conn& c);
std::optional<GlobalRole> global_role(Conn& c, const std::string& name);
std::vector<GlobalRole> roles_of_user(Conn& c, const std::string& user_id);
void set_user_roles(Conn& c, const std::string& user_id, const std::vector<std::string>& names,
                    const std::string& by, int64_t now);
std::vector<std::string> users_with_role(Conn& c, const std::string& name);
struct UserRow {
  std::string id, email;
  std::optional<std::string> username, name;
  bool email_verified = false, locked = false, deleted = false;
  int64_t created_at = 0;
  std::optional<int64_t> last_login_at;
};
std::vector<UserRow> search_users(Conn& c, const std::string& query, int limit, int offset, int64_t* total);
std::optional<UserRow> user_row(Conn& c, const std::string& id);
void set_locked(Conn& c, const std::string& user_id, bool locked, int64_t now);

// application tokens (token_store.cpp)
void insert_app_token(Conn& c, const AppToken& t, const std::string& token_hash);
std::optional<AppToken> app_token(Conn& c, const std::string& id);
std::optional<AppToken> app_token_by_hash(Conn& c, const std::string& token_hash);
std::vector<AppToken> app_tokens_of_service(Conn& c, const std::string& service_id);
bool revoke_app_token(Conn& c, const std::string& id, int64_t now);
bool delete_app_token(Conn& c, const std::string& id);
void add_app_token_usage(Conn& c, const std::string& id, const std::string& day, int64_t count, int64_t last_used);
std::vector<std::pair<std::string, int64_t>> app_token_usage(Conn& c, const std::string& id, int days);

}  // namespace gatehouse::authz::sql
