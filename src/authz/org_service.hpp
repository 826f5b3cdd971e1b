#pragma once
// Organizations (multi-tenancy): create/read/update/soft-delete, members with built-in
// roles owner/admin/member or custom roles, email invitations, and the active organization
// whose role and permissions go into access tokens. Blocking: run on the db pool.
#include <boost/json/object.hpp>
#include <optional>
#include <vector>

#include "authz/deps.hpp"
#include "authz/models.hpp"

namespace gatehouse::authz {

/// The organization permission catalogue.
const std::vector<std::string>& org_permission_catalogue();

struct OrgChange {
  std::optional<std::string> name;
  std::optional<std::optional<std::string>> description;
};

class OrgService {
 public:
  explicit OrgService(AuthzDeps d) : d_(d) {}

  Result<Organization> create(const std::string& name, const std::optional<std::string>& description,
                              const Principal& p, const Origin& o);
  /// 404 when missing, 403 for non-members (global admins may read any).
  Result<boost::json::object> get(const std::string& org_id, const Principal& p);
  Result<Organization> update(const std::string& org_id, const OrgChange& c, const Principal& p, const Origin& o);
  Status remove(const std::string& org_id, const Principal& p, const Origin& o);

  Result<std::vector<Member>> members(const std::string& org_id, const Principal& p);
  /// Adds an existing user (by id or email) with a role.
  Result<Member> add_member(const std::string& org_id, const std::string& user_ref, const std::string& role,
                            const Principal& p, const Origin& o);
  Status remove_member(const std::string& org_id, const std::string& user_id, const Principal& p, const Origin& o);
  Result<Member> change_role(const std::string& org_id, const std::string& user_id, const std::string& role,
                             const Principal& p, const Origin& o);
  Result<boost::json::array> orgs_of(const Principal& p);

  Result<std::vector<OrgRole>> roles(const std::string& org_id, const Principal& p);
  Result<OrgRole> create_role(const std::string& org_id, const std::string& name,
                              const std::optional<std::string>& description,
                              const std::vector<std::string>& permissions, const Principal& p, const Origin& o);
  Status delete_role(const std::string& org_id, const std::string& role_id, const Principal& p, const Origin& o);

  Result<Invitation> invite(const std::string& org_id, const std::string& email, const std::string& role,
                            const Principal& p, const Origin& o);
  Result<std::vector<Invitation>> invitations(const std::string& org_id, const Principal& p);
  /// Revokes a pending invitation (members:invite); 404 unless it is this org's and pending.
  Status revoke_invitation(const std::string& org_id, const std::string& invitation_id, const Principal& p,
                           const Origin& o);
  /// Accepts for the logged-in user, whose email must be the invited address.
  Result<Member> accept(const std::string& token, const Principal& p, const Origin& o);

  /// Sets (or clears with nullopt) the caller's active organization.
  Status switch_active(const std::optional<std::string>& org_id, const Principal& p, const Origin& o);
  /// Adds org_id / org_role / org_permissions of the active organization to token claims.
  void add_claims(store::Conn& c, const std::string& user_id, boost::json::object& claims);
  /// Permissions a member role grants in the organization (built-in or custom).
  std::vector<std::string> permissions_of(store::Conn& c, const std::string& org_id, const std::string& role);

 private:
  /// The caller's role when they hold `permission` in the org; 403/404 otherwise.
  Result<std::string> require(store::Conn& c, const std::string& org_id, const Principal& p,
                              const std::string& permission);
  Result<std::string> valid_role(store::Conn& c, const std::string& org_id, const std::string& role);
  Status may_grant(store::Conn& c, const std::string& org_id, const std::string& mine, const std::string& role);
  Result<std::string> member_or_error(store::Conn& c, const std::string& org_id, const Principal& p);
  static void lock_org_if_exists(store::Conn& c, const std::string& org_id);
  AuthzDeps d_;
};

}  // namespace gatehouse::authz
