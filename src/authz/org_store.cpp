#include "authz/store.hpp"
#include "core/json_util.hpp"

namespace gatehouse::authz {
namespace {
constexpr const char* kOrgCols = "id, name, description, created_by, created_at, updated_at, deleted";
Organization org_from(const store::Row& r, std::size_t o = 0) {
  return {r.str(o), r.str(o + 1), r.opt(o + 2), r.str(o + 3), r.i64(o + 4), r.i64(o + 5), r.flag(o + 6)};
}
OrgRole role_from(const store::Row& r) {
  return {r.str(0), r.str(1), r.str(2), r.opt(3), strings_from_json_text(r.str(4)), r.i64(5)};
}
Invitation invitation_from(const store::Row& r) {
  return {r.str(0), r.str(1), r.str(2), r.str(3), r.str(4), r.i64(5), r.i64(6), r.opt_i64(7)};
}
constexpr const char* kInvCols = "id, org_id, email, role, invited_by, created_at, expires_at, accepted_at";
}  // namespace

void OrgStore::insert(const Organization& o) {
  c_.query("INSERT INTO organizations (id, name, description, created_by, created_at, updated_at)"
          " VALUES ($1, $2, $3, $4, $5, $5)",
          {o.id, o.name, o.description, o.created_by, o.created_at});
}

std::optional<Organization> OrgStore::by_id(const std::string& id) {
  auto rows = c_.query(std::string("SELECT ") + kOrgCols + " FROM organizations WHERE id = $1 AND deleted = 0", {id});
  if (rows.empty()) return std::nullopt;
  return org_from(rows[0]);
}

void OrgStore::update(const std::string& id, const std::optional<std::string>& name,
                      const std::optional<std::optional<std::string>>& description, int64_t now) {
  if (name) c_.query("UPDATE organizations SET name = $1, updated_at = $2 WHERE id = $3", {*name, now, id});
  if (description)
    c_.query("UPDATE organizations SET description = $1, updated_at = $2 WHERE id = $3", {*description, now, id});
}

void OrgStore::soft_delete(const std::string& id, int64_t now) {
  c_.query("UPDATE organizations SET deleted = 1, deleted_at = $1, updated_at = $1 WHERE id = $2", {now, id});
  c_.query("DELETE FROM org_members WHERE org_id = $1", {id});
  c_.query("UPDATE users SET active_org_id = NULL WHERE active_org_id = $1", {id});
}

std::vector<std::pair<Organization, std::string>> OrgStore::of_user(const std::string& user_id) {
  std::vector<std::pair<Organization, std::string>> out;
  for (auto& r : c_.query("SELECT o.id, o.name, o.description, o.created_by, o.created_at, o.updated_at,"
                         " o.deleted, m.role FROM org_members m JOIN organizations o ON o.id = m.org_id"
                         " WHERE m.user_id = $1 AND o.deleted = 0 ORDER BY o.created_at, o.id",
                         {user_id}))
    out.emplace_back(org_from(r), r.str(7));
  return out;
}

std::optional<std::string> OrgStore::member_role(const std::string& org_id, const std::string& user_id) {
  auto rows = c_.query("SELECT m.role FROM org_members m JOIN organizations o ON o.id = m.org_id"
                      " WHERE m.org_id = $1 AND m.user_id = $2 AND o.deleted = 0",
                      {org_id, user_id});
  if (rows.empty()) return std::nullopt;
  return rows[0].str(0);
}

std::vector<Member> OrgStore::members(const std::string& org_id) {
  std::vector<Member> out;
  for (auto& r : c_.query("SELECT m.org_id, m.user_id, m.role, m.created_at, u.email, u.username"
                         " FROM org_members m JOIN users u ON u.id = m.user_id"
                         " WHERE m.org_id = $1 AND u.deleted = 0 ORDER BY m.created_at, m.user_id",
                         {org_id}))
    out.push_back({r.str(0), r.str(1), r.str(2), r.i64(3), r.str(4), r.opt(5)});
  return out;
}

void OrgStore::lock(const std::string& org_id) {
  if (c_.engine() == store::Engine::postgres)
    c_.query("SELECT id FROM organizations WHERE id = $1 FOR UPDATE", {org_id});
}

bool OrgStore::insert_member(const std::string& org_id, const std::string& user_id, const std::string& role,
                             int64_t now) {
  return c_.query("INSERT INTO org_members (org_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)"
                 " ON CONFLICT DO NOTHING",
                 {org_id, user_id, role, now})
             .affected == 1;
}

bool OrgStore::role_has_pending_invitations(const std::string& org_id, const std::string& role, int64_t now) {
  return !c_.query("SELECT 1 FROM org_invitations WHERE org_id = $1 AND role = $2 AND accepted_at IS NULL"
                  " AND expires_at > $3",
                  {org_id, role, now})
              .empty();
}

void OrgStore::upsert_member(const std::string& org_id, const std::string& user_id, const std::string& role,
                             int64_t now) {
  if (c_.query("UPDATE org_members SET role = $1 WHERE org_id = $2 AND user_id = $3", {role, org_id, user_id})
          .affected == 0)
    c_.query("INSERT INTO org_members (org_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)",
             {org_id, user_id, role, now});
}

bool OrgStore::remove_member(const std::string& org_id, const std::string& user_id) {
  bool removed = c_.query("DELETE FROM org_members WHERE org_id = $1 AND user_id = $2", {org_id, user_id}).affected > 0;
  c_.query("UPDATE users SET active_org_id = NULL WHERE id = $1 AND active_org_id = $2", {user_id, org_id});
  return removed;
}

int64_t OrgStore::count_owners(const std::string& org_id) {
  return c_.query("SELECT COUNT(*) FROM org_members m JOIN users u ON u.id = m.user_id"
                 " WHERE m.org_id = $1 AND m.role = 'owner' AND u.deleted = 0",
                 {org_id})[0].i64(0);
}

Status OrgStore::insert_role(const OrgRole& r) {
  return store::unique_or_conflict([&] {
    c_.query("INSERT INTO org_roles (id, org_id, name, description, permissions, created_at)"
            " VALUES ($1, $2, $3, $4, $5, $6)",
            {r.id, r.org_id, r.name, r.description, to_json_text(r.permissions), r.created_at});
  }, "A role with that name already exists");
}

std::optional<OrgRole> OrgStore::role(const std::string& org_id, const std::string& id) {
  auto rows = c_.query("SELECT id, org_id, name, description, permissions, created_at FROM org_roles"
                      " WHERE org_id = $1 AND id = $2",
                      {org_id, id});
  if (rows.empty()) return std::nullopt;
  return role_from(rows[0]);
}

std::vector<OrgRole> OrgStore::roles(const std::string& org_id) {
  std::vector<OrgRole> out;
  for (auto& r : c_.query("SELECT id, org_id, name, description, permissions, created_at FROM org_roles"
                         " WHERE org_id = $1 ORDER BY name",
                         {org_id}))
    out.push_back(role_from(r));
  return out;
}

bool OrgStore::delete_role(const std::string& org_id, const std::string& id) {
  return c_.query("DELETE FROM org_roles WHERE org_id = $1 AND id = $2", {org_id, id}).affected > 0;
}

bool OrgStore::role_in_use(const std::string& org_id, const std::string& id) {
  return !c_.query("SELECT 1 FROM org_members WHERE org_id = $1 AND role = $2", {org_id, id}).empty();
}

void OrgStore::insert_invitation(const Invitation& i, const std::string& token_hash) {
  c_.query("INSERT INTO org_invitations (id, token_hash, org_id, email, role, invited_by, created_at, expires_at)"
          " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
          {i.id, token_hash, i.org_id, i.email, i.role, i.invited_by, i.created_at, i.expires_at});
}

std::optional<Invitation> OrgStore::invitation_by_hash(const std::string& token_hash) {
  auto rows = c_.query(std::string("SELECT ") + kInvCols + " FROM org_invitations WHERE token_hash = $1", {token_hash});
  if (rows.empty()) return std::nullopt;
  return invitation_from(rows[0]);
}

std::vector<Invitation> OrgStore::invitations(const std::string& org_id) {
  std::vector<Invitation> out;
  for (auto& r : c_.query(std::string("SELECT ") + kInvCols +
                             " FROM org_invitations WHERE org_id = $1 ORDER BY created_at DESC",
                         {org_id}))
    out.push_back(invitation_from(r));
  return out;
}

bool OrgStore::accept_invitation(const std::string& id, const std::string& user_id, int64_t now) {
  return c_.query("UPDATE org_invitations SET accepted_at = $1, accepted_by = $2 WHERE id = $3 AND accepted_at IS NULL",
                  {now, user_id, id})
             .affected == 1;
}

bool OrgStore::revoke_invitation(const std::string& org_id, const std::string& id, int64_t now) {
  // A revoked invitation is one that expired now: the list shows it, the link stops working.
  return c_.query("UPDATE org_invitations SET expires_at = $1 WHERE id = $2 AND org_id = $3"
                 " AND accepted_at IS NULL AND expires_at > $1",
                 {now, id, org_id})
             .affected == 1;
}

void OrgStore::set_active_org(const std::string& user_id, const std::optional<std::string>& org_id) {
  c_.query("UPDATE users SET active_org_id = $1 WHERE id = $2", {org_id, user_id});
}

std::optional<std::string> OrgStore::active_org(const std::string& user_id) {
  auto rows = c_.query("SELECT active_org_id FROM users WHERE id = $1", {user_id});
  if (rows.empty()) return std::nullopt;
  return rows[0].opt(0);
}

}  // namespace gatehouse::authz
