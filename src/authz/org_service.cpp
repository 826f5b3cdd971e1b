#include "authz/org_service.hpp"

#include <algorithm>
#include <boost/json.hpp>

#include "authz/store.hpp"
#include "core/clock.hpp"
#include "crypto/random.hpp"
#include "crypto/hash.hpp"
#include "events/audit.hpp"
#include "identity/users.hpp"

namespace gatehouse::authz {
namespace json = boost::json;
using events::audit_event;

namespace {
const std::vector<std::string> kCatalogue = {"org:read",       "org:update",    "org:delete",  "members:read",
                                             "members:invite", "members:manage", "roles:manage"};
bool builtin(const std::string& r) { return r == "owner" || r == "admin" || r == "member"; }
int rank(const std::string& r) { return r == "owner" ? 0 : r == "admin" ? 1 : 2; }  // custom ranks as member
constexpr int kInviteTtl = 7 * 24 * 3600;
}  // namespace

const std::vector<std::string>& org_permission_catalogue() { return kCatalogue; }

std::vector<std::string> OrgService::permissions_of(store::Conn& c, const std::string& org_id, const std::string& role) {
  if (role == "owner") return kCatalogue;
  if (role == "admin") {
    auto p = kCatalogue;
    p.erase(std::remove(p.begin(), p.end(), "org:delete"), p.end());
    return p;
  }
  if (role == "member") return {"org:read", "members:read"};
  auto custom = OrgStore(c).role(org_id, role);
  return custom ? custom->permissions : std::vector<std::string>{};
}

Result<std::string> OrgService::require(store::Conn& c, const std::string& org_id, const Principal& p,
                                        const std::string& permission) {
  if (!OrgStore(c).by_id(org_id)) return Error::not_found("Organization");
  auto role = OrgStore(c).member_role(org_id, p.user_id);
  if (!role) {
    if (identity::Users(c).is_admin(p.user_id)) return std::string("owner");  // global admins act as owners
    return Error::forbidden("You are not a member of this organization");
  }
  auto perms = permissions_of(c, org_id, *role);
  if (std::find(perms.begin(), perms.end(), permission) == perms.end())
    return Error::forbidden("Your role in this organization does not allow " + permission);
  return *role;
}

void OrgService::lock_org_if_exists(store::Conn& c, const std::string& org_id) { OrgStore(c).lock(org_id); }

Result<std::string> OrgService::member_or_error(store::Conn& c, const std::string& org_id, const Principal& p) {
  if (!OrgStore(c).by_id(org_id)) return Error::not_found("Organization");
  auto role = OrgStore(c).member_role(org_id, p.user_id);
  if (!role) return Error::forbidden("You are not a member of this organization");
  return *role;
}

Status OrgService::may_grant(store::Conn& c, const std::string& org_id, const std::string& mine,
                             const std::string& role) {
  if (role == "owner" && mine != "owner") return Error::forbidden("Only owners can grant the owner role");
  if (rank(role) < rank(mine)) return Error::forbidden("You cannot grant a role above your own");
  // A custom role may only hand out permissions its holder has.
  auto have = permissions_of(c, org_id, mine);
  for (auto& p : permissions_of(c, org_id, role))
    if (std::find(have.begin(), have.end(), p) == have.end())
      return Error::forbidden("You cannot grant a role with permissions you do not hold (" + p + ")");
  return ok();
}

Result<std::string> OrgService::valid_role(store::Conn& c, const std::string& org_id, const std::string& role) {
  if (builtin(role) || OrgStore(c).role(org_id, role)) return role;
  return Error::field("role", "Must be owner, admin, member or the id of a custom role of this organization");
}

Result<Organization> OrgService::create(const std::string& name, const std::optional<std::string>& description,
                                        const Principal& p, const Origin& o) {
  int64_t now = now_seconds();
  Organization org{crypto::new_uuid(), name, description, p.user_id, now, now, false};
  d_.db.transaction([&](store::Conn& c) {
    OrgStore(c).insert(org);
    OrgStore(c).upsert_member(org.id, p.user_id, "owner", now);
    auto e = audit_event(o, "org.create", p.user_id, org.id);
    e.details["name"] = name;
    events::record(c, e, now);
  });
  d_.generation.bump();
  return org;
}

Result<json::object> OrgService::get(const std::string& org_id, const Principal& p) {
  return d_.db.with([&](store::Conn& c) -> Result<json::object> {
    auto role = require(c, org_id, p, "org:read");
    if (!role) return role.error();
    auto org = OrgStore(c).by_id(org_id);
    auto o = to_json(*org);
    o["your_role"] = *role;
    json::array perms;
    for (auto& x : permissions_of(c, org_id, *role)) perms.push_back(json::string(x));
    o["your_permissions"] = std::move(perms);
    o["member_count"] = static_cast<int64_t>(OrgStore(c).members(org_id).size());
    return o;
  });
}

Result<Organization> OrgService::update(const std::string& org_id, const OrgChange& ch, const Principal& p,
                                        const Origin& o) {
  int64_t now = now_seconds();
  return d_.db.transaction([&](store::Conn& c) -> Result<Organization> {
    if (auto r = require(c, org_id, p, "org:update"); !r) return r.error();
    OrgStore(c).update(org_id, ch.name, ch.description, now);
    events::record(c, audit_event(o, "org.update", p.user_id, org_id), now);
    return *OrgStore(c).by_id(org_id);
  });
}

Status OrgService::remove(const std::string& org_id, const Principal& p, const Origin& o) {
  int64_t now = now_seconds();
  auto r = d_.db.transaction([&](store::Conn& c) -> Status {
    if (auto r = require(c, org_id, p, "org:delete"); !r) return r.error();
    OrgStore(c).soft_delete(org_id, now);
    events::record(c, audit_event(o, "org.delete", p.user_id, org_id), now);
    return ok();
  });
  if (r) d_.generation.bump();
  return r;
}

Result<std::vector<Member>> OrgService::members(const std::string& org_id, const Principal& p) {
  return d_.db.with([&](store::Conn& c) -> Result<std::vector<Member>> {
    if (auto r = require(c, org_id, p, "members:read"); !r) return r.error();
    return OrgStore(c).members(org_id);
  });
}

Result<Member> OrgService::add_member(const std::string& org_id, const std::string& user_ref, const std::string& role,
                                      const Principal& p, const Origin& o) {
  int64_t now = now_seconds();
  auto r = d_.db.transaction([&](store::Conn& c) -> Result<Member> {
    lock_org_if_exists(c, org_id);
    auto mine = require(c, org_id, p, "members:manage");
    if (!mine) return mine.error();
    if (auto v = valid_role(c, org_id, role); !v) return v.error();
    if (auto g = may_grant(c, org_id, *mine, role); !g) return g.error();
    identity::Users users(c);
    auto user = user_ref.find('@') != std::string::npos ? users.existing_by_email(user_ref) : users.existing(user_ref);
    if (!user) return Error::not_found("User");
    // By address, only an address its holder has proven: a squatter who registered someone
    // else's address must not be added in their place. By id, the caller knows whom they mean.
    if (user_ref.find('@') != std::string::npos && !user->email_verified)
      return Error::field("email", "No account has verified this address yet; invite it instead");
    if (!OrgStore(c).insert_member(org_id, user->id, role, now))
      return Error::make(Errc::conflict, "User is already a member");
    auto e = audit_event(o, "org.member_added", p.user_id, user->id);
    e.details["org_id"] = org_id;
    e.details["role"] = role;
    events::record(c, e, now);
    return Member{org_id, user->id, role, now, user->email, user->username};
  });
  if (r) d_.generation.bump();
  return r;
}

Status OrgService::remove_member(const std::string& org_id, const std::string& user_id, const Principal& p,
                                 const Origin& o) {
  int64_t now = now_seconds();
  auto r = d_.db.transaction([&](store::Conn& c) -> Status {
    bool self = user_id == p.user_id;
    lock_org_if_exists(c, org_id);
    // Leaving needs nothing but membership, whatever the (custom) role allows.
    auto mine = self ? member_or_error(c, org_id, p) : require(c, org_id, p, "members:manage");
    if (!mine) return mine.error();
    auto theirs = OrgStore(c).member_role(org_id, user_id);
    if (!theirs) return Error::not_found("Member");
    if (!self && *theirs == "owner" && *mine != "owner") return Error::forbidden("Admins cannot remove owners");
    if (!self && rank(*theirs) < rank(*mine)) return Error::forbidden("You cannot remove someone above you");
    if (*theirs == "owner" && OrgStore(c).count_owners(org_id) <= 1)
      return Error::make(Errc::conflict, "The last owner cannot leave; transfer ownership first");
    OrgStore(c).remove_member(org_id, user_id);
    auto e = audit_event(o, self ? "org.member_left" : "org.member_removed", p.user_id, user_id);
    e.details["org_id"] = org_id;
    events::record(c, e, now);
    return ok();
  });
  if (r) d_.generation.bump();
  return r;
}

Result<Member> OrgService::change_role(const std::string& org_id, const std::string& user_id, const std::string& role,
                                       const Principal& p, const Origin& o) {
  int64_t now = now_seconds();
  auto r = d_.db.transaction([&](store::Conn& c) -> Result<Member> {
    lock_org_if_exists(c, org_id);
    auto mine = require(c, org_id, p, "members:manage");
    if (!mine) return mine.error();
    if (auto v = valid_role(c, org_id, role); !v) return v.error();
    auto theirs = OrgStore(c).member_role(org_id, user_id);
    if (!theirs) return Error::not_found("Member");
    if (*mine != "owner" && (*theirs == "owner" || role == "owner"))
      return Error::forbidden("Only owners can change an owner's role or make owners");
    if (rank(*theirs) < rank(*mine)) return Error::forbidden("You cannot change the role of someone above you");
    if (auto g = may_grant(c, org_id, *mine, role); !g) return g.error();
    if (*theirs == "owner" && role != "owner" && OrgStore(c).count_owners(org_id) <= 1)
      return Error::make(Errc::conflict, "An organization must keep at least one owner");
    OrgStore(c).upsert_member(org_id, user_id, role, now);
    auto e = audit_event(o, "org.member_role_changed", p.user_id, user_id);
    e.details["org_id"] = org_id;
    e.details["from"] = *theirs;
    e.details["to"] = role;
    events::record(c, e, now);
    auto u = identity::Users(c).existing(user_id);
    return Member{org_id, user_id, role, now, u ? u->email : "", u ? u->username : std::nullopt};
  });
  if (r) d_.generation.bump();
  return r;
}

Result<json::array> OrgService::orgs_of(const Principal& p) {
  return d_.db.with([&](store::Conn& c) -> Result<json::array> {
    auto active = OrgStore(c).active_org(p.user_id);
    json::array out;
    for (auto& [org, role] : OrgStore(c).of_user(p.user_id)) {
      auto o = to_json(org);
      o["role"] = role;
      o["active"] = active && *active == org.id;
      out.push_back(std::move(o));
    }
    return out;
  });
}

Result<std::vector<OrgRole>> OrgService::roles(const std::string& org_id, const Principal& p) {
  return d_.db.with([&](store::Conn& c) -> Result<std::vector<OrgRole>> {
    if (auto r = require(c, org_id, p, "org:read"); !r) return r.error();
    return OrgStore(c).roles(org_id);
  });
}

Result<OrgRole> OrgService::create_role(const std::string& org_id, const std::string& name,
                                        const std::optional<std::string>& description,
                                        const std::vector<std::string>& permissions, const Principal& p,
                                        const Origin& o) {
  for (auto& perm : permissions)
    if (std::find(kCatalogue.begin(), kCatalogue.end(), perm) == kCatalogue.end())
      return Error::field("permissions", "Unknown organization permission: " + perm);
  if (builtin(name)) return Error::field("name", "owner, admin and member are built in");
  int64_t now = now_seconds();
  OrgRole role{crypto::new_uuid(), org_id, name, description, permissions, now};
  return d_.db.transaction([&](store::Conn& c) -> Result<OrgRole> {
    if (auto r = require(c, org_id, p, "roles:manage"); !r) return r.error();
    if (auto added = OrgStore(c).insert_role(role); !added) return added.error();
    auto e = audit_event(o, "org.role_created", p.user_id, role.id);
    e.details["org_id"] = org_id;
    events::record(c, e, now);
    return role;
  });
}

Status OrgService::delete_role(const std::string& org_id, const std::string& role_id, const Principal& p,
                               const Origin& o) {
  int64_t now = now_seconds();
  return d_.db.transaction([&](store::Conn& c) -> Status {
    if (auto r = require(c, org_id, p, "roles:manage"); !r) return r.error();
    if (OrgStore(c).role_in_use(org_id, role_id)) return Error::make(Errc::conflict, "Role is assigned to members");
    if (OrgStore(c).role_has_pending_invitations(org_id, role_id, now))
      return Error::make(Errc::conflict, "Pending invitations grant this role");
    if (!OrgStore(c).delete_role(org_id, role_id)) return Error::not_found("Role");
    events::record(c, audit_event(o, "org.role_deleted", p.user_id, role_id), now);
    return ok();
  });
}

Result<Invitation> OrgService::invite(const std::string& org_id, const std::string& email, const std::string& role,
                                      const Principal& p, const Origin& o) {
  int64_t now = now_seconds();
  std::string token = crypto::new_secret_token();
  auto r = d_.db.transaction([&](store::Conn& c) -> Result<Invitation> {
    auto mine = require(c, org_id, p, "members:invite");
    if (!mine) return mine.error();
    if (auto v = valid_role(c, org_id, role); !v) return v.error();
    if (auto g = may_grant(c, org_id, *mine, role); !g) return g.error();
    // Each invitation is a mail to an address the inviter chose: bounded per organization.
    if (int wait = d_.limiter.take("invite-org:" + org_id, d_.cfg.rl_invite_org)) {
      Error e = Error::make(Errc::rate_limited, "Too many invitations from this organization, retry later");
      e.retry_after = wait;
      return e;
    }
    auto org = OrgStore(c).by_id(org_id);
    Invitation inv{crypto::new_uuid(), org_id, email, role, p.user_id, now, now + kInviteTtl, std::nullopt};
    OrgStore(c).insert_invitation(inv, crypto::token_hash(token));
    d_.mailer.enqueue(c, {email, "You are invited to " + org->name,
                          "Hello,\r\n\r\nYou have been invited to join the organization \"" + org->name +
                              "\" on Gatehouse as " + role + ".\r\n\r\nLog in (or register with this address) and accept:\r\n" +
                              d_.cfg.issuer + "/api/v1/invitations/" + token + "/accept\r\n\r\nToken: " + token +
                              "\r\n\r\nThe invitation expires in 7 days and works once.\r\n"});
    auto e = audit_event(o, "org.invitation_created", p.user_id, inv.id);
    e.details["org_id"] = org_id;
    e.details["email"] = email;
    e.details["role"] = role;
    events::record(c, e, now);
    return inv;
  });
  if (r) d_.mailer.kick();
  return r;
}

Result<std::vector<Invitation>> OrgService::invitations(const std::string& org_id, const Principal& p) {
  return d_.db.with([&](store::Conn& c) -> Result<std::vector<Invitation>> {
    if (auto r = require(c, org_id, p, "members:invite"); !r) return r.error();
    return OrgStore(c).invitations(org_id);
  });
}

Status OrgService::revoke_invitation(const std::string& org_id, const std::string& invitation_id, const Principal& p,
                                     const Origin& o) {
  int64_t now = now_seconds();
  return d_.db.transaction([&](store::Conn& c) -> Status {
    auto mine = require(c, org_id, p, "members:invite");
    if (!mine) return mine.error();
    if (!OrgStore(c).revoke_invitation(org_id, invitation_id, now)) return Error::not_found("Invitation");
    auto e = audit_event(o, "org.invitation_revoked", p.user_id, invitation_id);
    e.details["org_id"] = org_id;
    events::record(c, e, now);
    return ok();
  });
}

Result<Member> OrgService::accept(const std::string& token, const Principal& p, const Origin& o) {
  int64_t now = now_seconds();
  auto invalid = [] { return Error::field("token", "Invitation is invalid, expired or already used"); };
  auto r = d_.db.transaction([&](store::Conn& c) -> Result<Member> {
    auto inv = token.size() <= 256 ? OrgStore(c).invitation_by_hash(crypto::token_hash(token)) : std::nullopt;
    if (!inv || inv->accepted_at || inv->expires_at <= now || !OrgStore(c).by_id(inv->org_id)) return invalid();
    auto u = identity::Users(c).existing(p.user_id);
    if (!u || identity::normalize_login(u->email) != identity::normalize_login(inv->email))
      return Error::forbidden("This invitation was sent to a different email address");
    if (!u->email_verified)  // the invitation belongs to whoever owns the address
      return Error::forbidden("Verify your email address before accepting an invitation");
    if (!valid_role(c, inv->org_id, inv->role)) return invalid();  // its custom role was deleted
    lock_org_if_exists(c, inv->org_id);
    if (!OrgStore(c).accept_invitation(inv->id, p.user_id, now)) return invalid();
    auto existing = OrgStore(c).member_role(inv->org_id, p.user_id);
    if (!existing || rank(inv->role) < rank(*existing)) OrgStore(c).upsert_member(inv->org_id, p.user_id, inv->role, now);
    auto e = audit_event(o, "org.member_added", p.user_id, p.user_id);
    e.details["org_id"] = inv->org_id;
    e.details["role"] = inv->role;
    e.details["invitation_id"] = inv->id;
    events::record(c, e, now);
    return Member{inv->org_id, p.user_id, *OrgStore(c).member_role(inv->org_id, p.user_id), now, u->email, u->username};
  });
  if (r) d_.generation.bump();
  return r;
}

Status OrgService::switch_active(const std::optional<std::string>& org_id, const Principal& p, const Origin& o) {
  int64_t now = now_seconds();
  return d_.db.transaction([&](store::Conn& c) -> Status {
    if (org_id) {
      if (!OrgStore(c).by_id(*org_id)) return Error::not_found("Organization");
      if (!OrgStore(c).member_role(*org_id, p.user_id)) return Error::forbidden("You are not a member of this organization");
    }
    OrgStore(c).set_active_org(p.user_id, org_id);
    auto e = audit_event(o, "org.switch", p.user_id, org_id);
    events::record(c, e, now);
    return ok();
  });
}

void OrgService::add_claims(store::Conn& c, const std::string& user_id, json::object& claims) {
  auto org = OrgStore(c).active_org(user_id);
  if (!org) return;
  auto role = OrgStore(c).member_role(*org, user_id);
  if (!role) return;
  claims["org_id"] = *org;
  claims["org_role"] = *role;
  json::array perms;
  for (auto& x : permissions_of(c, *org, *role)) perms.push_back(json::string(x));
  claims["org_permissions"] = std::move(perms);
}

}  // namespace gatehouse::authz
