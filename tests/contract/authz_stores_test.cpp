// Contract of the authorization stores (authz/store.hpp) and of Claims::for_user
// (authz/claims.hpp), run on SQLite and on PostgreSQL.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <string>
#include <vector>

#include "authz/claims.hpp"
#include "authz/store.hpp"
#include "engine_fixture.hpp"

namespace gatehouse::contract {
namespace {

using namespace gatehouse::authz;

class AuthzStores : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    owner_ = add_user(c(), "owner@example.com", "owner");
  }

  Organization add_org(const std::string& name, int64_t created_at = kNow) {
    Organization o{crypto::new_uuid(), name, "About " + name, owner_.id, created_at, created_at, false};
    OrgStore(c()).insert(o);
    return o;
  }
  Service add_service(const std::string& name, int64_t created_at = kNow) {
    Service s{crypto::new_uuid(), name, "Service " + name, owner_.id, created_at, created_at};
    auto st = ServiceStore(c()).insert(s);
    EXPECT_TRUE(st) << "seed service " << name;
    return s;
  }
  ServiceRole add_role(const Service& s, const std::string& name, const std::vector<std::string>& permissions = {}) {
    ServiceRole r{crypto::new_uuid(), s.id, name, "Role " + name, {}, kNow, kNow};
    EXPECT_TRUE(ServiceStore(c()).insert_role(r)) << "seed role " << name;
    std::vector<std::string> ids;
    for (auto& p : permissions) ids.push_back(ServiceStore(c()).ensure_permission(s.id, p));
    ServiceStore(c()).set_role_permissions(r.id, ids);
    r.permissions = permissions;
    return r;
  }
  AppToken add_token(const Service& s, const std::string& name, const std::string& hash, int64_t created_at = kNow) {
    AppToken t{crypto::new_uuid(), s.id, name, "gh_" + name.substr(0, 4), {"read", "write"}, owner_.id, created_at,
               created_at + 3600, std::nullopt, std::nullopt, 0};
    AppTokenStore(c()).insert(t, hash);
    return t;
  }
  Assignment assignment(const identity::User& u, const Service& s, const ServiceRole& r, const std::string& org = "") {
    return {u.id, s.id, r.id, r.name, org, kNow};
  }

  identity::User owner_;
};
GATEHOUSE_CONTRACT_ENGINES(AuthzStores);

// ---------------------------------------------------------------- OrgStore

TEST_P(AuthzStores, OrgInsertReadsBackEveryField) {
  auto o = add_org("acme", kNow - 3);
  auto got = OrgStore(c()).by_id(o.id);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->id, o.id);
  EXPECT_EQ(got->name, "acme");
  EXPECT_EQ(got->description, "About acme");
  EXPECT_EQ(got->created_by, owner_.id);
  EXPECT_EQ(got->created_at, kNow - 3);
  EXPECT_EQ(got->updated_at, kNow - 3);
  EXPECT_FALSE(got->deleted);
  EXPECT_EQ(OrgStore(c()).by_id(crypto::new_uuid()), std::nullopt);
}

TEST_P(AuthzStores, OrgUpdateChangesOnlyGivenFields) {
  auto o = add_org("acme");
  OrgStore orgs(c());
  orgs.update(o.id, "acme-2", std::nullopt, kNow + 1);
  EXPECT_EQ(orgs.by_id(o.id)->name, "acme-2");
  EXPECT_EQ(orgs.by_id(o.id)->description, "About acme") << "description not given";
  EXPECT_EQ(orgs.by_id(o.id)->updated_at, kNow + 1);
  // An explicit null description clears it; the name stays.
  orgs.update(o.id, std::nullopt, std::optional<std::optional<std::string>>(std::in_place, std::nullopt), kNow + 2);
  EXPECT_EQ(orgs.by_id(o.id)->description, std::nullopt);
  EXPECT_EQ(orgs.by_id(o.id)->name, "acme-2");
  EXPECT_EQ(orgs.by_id(o.id)->updated_at, kNow + 2);
}

TEST_P(AuthzStores, OrgSoftDeleteHidesItDropsMembersAndActiveOrg) {
  auto o = add_org("acme");
  auto other = add_org("other");
  OrgStore orgs(c());
  ASSERT_TRUE(orgs.insert_member(o.id, owner_.id, "owner", kNow));
  ASSERT_TRUE(orgs.insert_member(other.id, owner_.id, "member", kNow));
  orgs.set_active_org(owner_.id, o.id);

  orgs.soft_delete(o.id, kNow + 1);
  EXPECT_EQ(orgs.by_id(o.id), std::nullopt);
  EXPECT_EQ(orgs.member_role(o.id, owner_.id), std::nullopt);
  EXPECT_TRUE(orgs.members(o.id).empty());
  EXPECT_EQ(orgs.active_org(owner_.id), std::nullopt) << "the active organization is cleared";
  auto mine = orgs.of_user(owner_.id);
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0].first.id, other.id);
  EXPECT_EQ(orgs.member_role(other.id, owner_.id), "member") << "other organizations untouched";
}

TEST_P(AuthzStores, OrgInsertMemberIsTrueOnceThenFalse) {
  auto o = add_org("acme");
  auto bob = add_user(c(), "bob@example.com", "bob");
  OrgStore orgs(c());
  EXPECT_TRUE(orgs.insert_member(o.id, bob.id, "member", kNow));
  EXPECT_FALSE(orgs.insert_member(o.id, bob.id, "admin", kNow + 1)) << "already a member";
  EXPECT_EQ(orgs.member_role(o.id, bob.id), "member") << "the second insert changed nothing";
  EXPECT_EQ(orgs.member_role(o.id, owner_.id), std::nullopt);
  EXPECT_EQ(orgs.member_role(crypto::new_uuid(), bob.id), std::nullopt);
}

TEST_P(AuthzStores, OrgMembersJoinUsersAndSkipDeletedAccounts) {
  auto o = add_org("acme");
  auto bob = add_user(c(), "bob@example.com", "bob");
  auto gone = add_user(c(), "gone@example.com");
  OrgStore orgs(c());
  orgs.insert_member(o.id, owner_.id, "owner", kNow);
  orgs.insert_member(o.id, bob.id, "member", kNow + 1);
  orgs.insert_member(o.id, gone.id, "owner", kNow + 2);
  identity::UserStore(c()).soft_delete(gone.id, kNow + 3);

  auto members = orgs.members(o.id);
  ASSERT_EQ(members.size(), 2u);
  EXPECT_EQ(members[0].user_id, owner_.id);
  EXPECT_EQ(members[0].role, "owner");
  EXPECT_EQ(members[0].email, "owner@example.com");
  EXPECT_EQ(members[0].username, "owner");
  EXPECT_EQ(members[0].created_at, kNow);
  EXPECT_EQ(members[1].user_id, bob.id);
  EXPECT_EQ(members[1].org_id, o.id);
  EXPECT_EQ(orgs.count_owners(o.id), 1) << "a deleted owner does not count";
}

TEST_P(AuthzStores, OrgUpsertMemberChangesRoleOrInserts) {
  auto o = add_org("acme");
  auto bob = add_user(c(), "bob@example.com");
  OrgStore orgs(c());
  orgs.upsert_member(o.id, bob.id, "member", kNow);
  EXPECT_EQ(orgs.member_role(o.id, bob.id), "member");
  orgs.upsert_member(o.id, bob.id, "owner", kNow + 5);
  EXPECT_EQ(orgs.member_role(o.id, bob.id), "owner");
  ASSERT_EQ(orgs.members(o.id).size(), 1u);
  EXPECT_EQ(orgs.members(o.id)[0].created_at, kNow) << "a role change keeps the join time";
  EXPECT_EQ(orgs.count_owners(o.id), 1);
  orgs.lock(o.id);  // a no-op on SQLite, a row lock on PostgreSQL: must not fail outside a transaction
}

TEST_P(AuthzStores, OrgRemoveMemberClearsActiveOrgOnlyForThatOrg) {
  auto o = add_org("acme");
  auto other = add_org("other");
  auto bob = add_user(c(), "bob@example.com");
  OrgStore orgs(c());
  orgs.insert_member(o.id, bob.id, "member", kNow);
  orgs.insert_member(other.id, bob.id, "member", kNow);
  orgs.set_active_org(bob.id, other.id);

  EXPECT_TRUE(orgs.remove_member(o.id, bob.id));
  EXPECT_EQ(orgs.active_org(bob.id), other.id) << "removal from another organization keeps it";
  EXPECT_FALSE(orgs.remove_member(o.id, bob.id)) << "no longer a member";
  EXPECT_TRUE(orgs.remove_member(other.id, bob.id));
  EXPECT_EQ(orgs.active_org(bob.id), std::nullopt);
}

TEST_P(AuthzStores, OrgRoleDuplicateNameIsConflictPerOrganization) {
  auto o = add_org("acme");
  auto other = add_org("other");
  OrgStore orgs(c());
  OrgRole r{crypto::new_uuid(), o.id, "auditor", "Reads logs", {"logs:read", "billing:read"}, kNow};
  ASSERT_TRUE(orgs.insert_role(r));
  OrgRole dup{crypto::new_uuid(), o.id, "auditor", std::nullopt, {}, kNow};
  auto st = orgs.insert_role(dup);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, Errc::conflict);
  OrgRole elsewhere{crypto::new_uuid(), other.id, "auditor", std::nullopt, {}, kNow};
  EXPECT_TRUE(orgs.insert_role(elsewhere)) << "names are unique per organization only";

  auto got = orgs.role(o.id, r.id);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->name, "auditor");
  EXPECT_EQ(got->org_id, o.id);
  EXPECT_EQ(got->description, "Reads logs");
  EXPECT_EQ(got->permissions, (std::vector<std::string>{"logs:read", "billing:read"}));
  EXPECT_EQ(got->created_at, kNow);
  EXPECT_EQ(orgs.role(other.id, r.id), std::nullopt) << "another organization's role id";
  EXPECT_EQ(orgs.role(o.id, dup.id), std::nullopt);
}

TEST_P(AuthzStores, OrgRoleConflictInTransactionKeepsEarlierRows) {
  auto o = add_org("acme");
  OrgRole first{crypto::new_uuid(), o.id, "first", std::nullopt, {}, kNow};
  ASSERT_TRUE(OrgStore(c()).insert_role(first));
  OrgRole second{crypto::new_uuid(), o.id, "second", std::nullopt, {}, kNow};
  OrgRole dup{crypto::new_uuid(), o.id, "first", std::nullopt, {}, kNow};
  Status st = db().transaction([&](Conn& tx) -> Status {
    if (auto s = OrgStore(tx).insert_role(second); !s) return s;
    return OrgStore(tx).insert_role(dup);
  });
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, Errc::conflict);
  auto roles = OrgStore(c()).roles(o.id);
  ASSERT_EQ(roles.size(), 1u) << "the second role was rolled back with the failure";
  EXPECT_EQ(roles[0].id, first.id);
}

TEST_P(AuthzStores, OrgRolesListByNameDeleteAndInUse) {
  auto o = add_org("acme");
  auto bob = add_user(c(), "bob@example.com");
  OrgStore orgs(c());
  OrgRole b{crypto::new_uuid(), o.id, "bravo", std::nullopt, {}, kNow};
  OrgRole a{crypto::new_uuid(), o.id, "alpha", std::nullopt, {}, kNow};
  ASSERT_TRUE(orgs.insert_role(b));
  ASSERT_TRUE(orgs.insert_role(a));
  auto roles = orgs.roles(o.id);
  ASSERT_EQ(roles.size(), 2u);
  EXPECT_EQ(roles[0].name, "alpha");
  EXPECT_EQ(roles[1].name, "bravo");
  EXPECT_TRUE(roles[0].permissions.empty());

  orgs.insert_member(o.id, bob.id, a.id, kNow);
  EXPECT_TRUE(orgs.role_in_use(o.id, a.id));
  EXPECT_FALSE(orgs.role_in_use(o.id, b.id));
  EXPECT_TRUE(orgs.delete_role(o.id, b.id));
  EXPECT_FALSE(orgs.delete_role(o.id, b.id)) << "already deleted";
  EXPECT_FALSE(orgs.delete_role(crypto::new_uuid(), a.id)) << "the pair must match";
  EXPECT_EQ(orgs.roles(o.id).size(), 1u);
}

TEST_P(AuthzStores, OrgInvitationRoundTripAndAcceptOnce) {
  auto o = add_org("acme");
  auto bob = add_user(c(), "bob@example.com");
  OrgStore orgs(c());
  Invitation inv{crypto::new_uuid(), o.id, "bob@example.com", "admin", owner_.id, kNow, kNow + 86400, std::nullopt};
  orgs.insert_invitation(inv, "inv-hash");

  auto got = orgs.invitation_by_hash("inv-hash");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->id, inv.id);
  EXPECT_EQ(got->org_id, o.id);
  EXPECT_EQ(got->email, "bob@example.com");
  EXPECT_EQ(got->role, "admin");
  EXPECT_EQ(got->invited_by, owner_.id);
  EXPECT_EQ(got->created_at, kNow);
  EXPECT_EQ(got->expires_at, kNow + 86400);
  EXPECT_EQ(got->accepted_at, std::nullopt);
  EXPECT_EQ(orgs.invitation_by_hash("other-hash"), std::nullopt);
  EXPECT_TRUE(orgs.role_has_pending_invitations(o.id, "admin", kNow));
  EXPECT_FALSE(orgs.role_has_pending_invitations(o.id, "member", kNow));
  EXPECT_FALSE(orgs.role_has_pending_invitations(o.id, "admin", kNow + 86400)) << "expired";

  EXPECT_TRUE(orgs.accept_invitation(inv.id, bob.id, kNow + 10));
  EXPECT_FALSE(orgs.accept_invitation(inv.id, bob.id, kNow + 11)) << "accepted once";
  EXPECT_EQ(orgs.invitation_by_hash("inv-hash")->accepted_at, kNow + 10);
  EXPECT_FALSE(orgs.role_has_pending_invitations(o.id, "admin", kNow + 12));
}

TEST_P(AuthzStores, OrgRevokeInvitationNeedsMatchingOrgAndPending) {
  auto o = add_org("acme");
  auto other = add_org("other");
  OrgStore orgs(c());
  Invitation older{crypto::new_uuid(), o.id, "x@example.com", "member", owner_.id, kNow - 10, kNow + 100, std::nullopt};
  Invitation newer{crypto::new_uuid(), o.id, "y@example.com", "member", owner_.id, kNow, kNow + 100, std::nullopt};
  orgs.insert_invitation(older, "h1");
  orgs.insert_invitation(newer, "h2");

  EXPECT_FALSE(orgs.revoke_invitation(other.id, older.id, kNow)) << "another organization's invitation";
  EXPECT_TRUE(orgs.revoke_invitation(o.id, older.id, kNow));
  EXPECT_FALSE(orgs.revoke_invitation(o.id, older.id, kNow)) << "already ended";
  EXPECT_EQ(orgs.invitation_by_hash("h1")->expires_at, kNow) << "revoked = expired now";

  auto list = orgs.invitations(o.id);
  ASSERT_EQ(list.size(), 2u) << "the list still shows it";
  EXPECT_EQ(list[0].id, newer.id) << "newest first";
  EXPECT_EQ(list[1].id, older.id);
  EXPECT_TRUE(orgs.invitations(other.id).empty());
}

TEST_P(AuthzStores, OrgActiveOrgSetReadClear) {
  auto o = add_org("acme");
  OrgStore orgs(c());
  EXPECT_EQ(orgs.active_org(owner_.id), std::nullopt);
  orgs.set_active_org(owner_.id, o.id);
  EXPECT_EQ(orgs.active_org(owner_.id), o.id);
  orgs.set_active_org(owner_.id, std::nullopt);
  EXPECT_EQ(orgs.active_org(owner_.id), std::nullopt);
  EXPECT_EQ(orgs.active_org(crypto::new_uuid()), std::nullopt) << "missing user";
}

TEST_P(AuthzStores, OrgOfUserListsOldestFirstWithRole) {
  auto late = add_org("late", kNow + 5);
  auto early = add_org("early", kNow);
  add_org("not-mine");
  OrgStore orgs(c());
  orgs.insert_member(late.id, owner_.id, "member", kNow);
  orgs.insert_member(early.id, owner_.id, "owner", kNow);
  auto mine = orgs.of_user(owner_.id);
  ASSERT_EQ(mine.size(), 2u);
  EXPECT_EQ(mine[0].first.id, early.id);
  EXPECT_EQ(mine[0].second, "owner");
  EXPECT_EQ(mine[0].first.description, "About early");
  EXPECT_EQ(mine[1].first.id, late.id);
  EXPECT_EQ(mine[1].second, "member");
  EXPECT_TRUE(orgs.of_user(crypto::new_uuid()).empty());
}

// ---------------------------------------------------------------- ServiceStore

TEST_P(AuthzStores, ServiceInsertReadsBackByIdAndName) {
  auto s = add_service("Billing", kNow - 2);
  ServiceStore services(c());
  auto got = services.by_id(s.id);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->name, "Billing");
  EXPECT_EQ(got->description, "Service Billing");
  EXPECT_EQ(got->owner_id, owner_.id);
  EXPECT_EQ(got->created_at, kNow - 2);
  EXPECT_EQ(got->updated_at, kNow - 2);
  ASSERT_TRUE(services.by_name("bILLING")) << "names are case-insensitive";
  EXPECT_EQ(services.by_name("billing")->id, s.id);
  EXPECT_EQ(services.by_id(crypto::new_uuid()), std::nullopt);
  EXPECT_EQ(services.by_name("shipping"), std::nullopt);
}

TEST_P(AuthzStores, ServiceDuplicateNameIsConflictCaseInsensitively) {
  auto s = add_service("Billing");
  Service dup{crypto::new_uuid(), "BILLING", std::nullopt, owner_.id, kNow, kNow};
  auto st = ServiceStore(c()).insert(dup);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, Errc::conflict);
  EXPECT_EQ(ServiceStore(c()).by_id(dup.id), std::nullopt);
  EXPECT_EQ(ServiceStore(c()).all().size(), 1u);
  EXPECT_EQ(ServiceStore(c()).by_name("billing")->id, s.id);
}

TEST_P(AuthzStores, ServiceInsertConflictInTransactionRollsBack) {
  add_service("billing");
  Service fresh{crypto::new_uuid(), "shipping", std::nullopt, owner_.id, kNow, kNow};
  Service dup{crypto::new_uuid(), "Billing", std::nullopt, owner_.id, kNow, kNow};
  Status st = db().transaction([&](Conn& tx) -> Status {
    if (auto s = ServiceStore(tx).insert(fresh); !s) return s;
    return ServiceStore(tx).insert(dup);
  });
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, Errc::conflict);
  EXPECT_EQ(ServiceStore(c()).by_name("shipping"), std::nullopt);
  EXPECT_EQ(ServiceStore(c()).all().size(), 1u);
}

TEST_P(AuthzStores, ServiceUpdateRenameConflictsAndSucceeds) {
  auto a = add_service("alpha");
  add_service("beta");
  ServiceStore services(c());
  auto st = services.update(a.id, "Beta", "new text", kNow + 1);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, Errc::conflict);
  EXPECT_EQ(services.by_id(a.id)->name, "alpha");
  EXPECT_EQ(services.by_id(a.id)->description, "Service alpha");

  ASSERT_TRUE(services.update(a.id, "Alpha", std::nullopt, kNow + 2)) << "renaming to another case of itself";
  auto got = services.by_id(a.id);
  EXPECT_EQ(got->name, "Alpha");
  EXPECT_EQ(got->description, std::nullopt);
  EXPECT_EQ(got->updated_at, kNow + 2);
}

TEST_P(AuthzStores, ServiceSoftDeleteFreesNameRevokesTokensDropsAssignments) {
  auto s = add_service("billing");
  auto role = add_role(s, "viewer", {"invoices:read"});
  auto bob = add_user(c(), "bob@example.com");
  ASSERT_TRUE(ServiceStore(c()).assign(assignment(bob, s, role), owner_.id));
  auto t = add_token(s, "deploy", "tok-hash");

  ServiceStore(c()).soft_delete(s.id, kNow + 1);
  ServiceStore services(c());
  EXPECT_EQ(services.by_id(s.id), std::nullopt);
  EXPECT_EQ(services.by_name("billing"), std::nullopt);
  EXPECT_TRUE(services.all().empty());
  EXPECT_TRUE(services.assignments(bob.id, s.id).empty());
  EXPECT_EQ(services.role(role.id), std::nullopt) << "roles of a deleted service are gone";
  EXPECT_TRUE(services.permissions(s.id).empty());
  EXPECT_EQ(AppTokenStore(c()).by_id(t.id)->revoked_at, kNow + 1);
  // The name is free again.
  EXPECT_TRUE(services.insert(Service{crypto::new_uuid(), "Billing", std::nullopt, owner_.id, kNow + 2, kNow + 2}));
}

TEST_P(AuthzStores, ServiceAllAndOfUser) {
  auto zeta = add_service("zeta");
  auto alpha = add_service("alpha");
  auto mid = add_service("mid");
  auto bob = add_user(c(), "bob@example.com");
  auto role = add_role(mid, "viewer");
  ASSERT_TRUE(ServiceStore(c()).assign(assignment(bob, mid, role), owner_.id));

  auto all = ServiceStore(c()).all();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].id, alpha.id) << "by name";
  EXPECT_EQ(all[2].id, zeta.id);
  EXPECT_EQ(ServiceStore(c()).of_user(owner_.id).size(), 3u) << "owner of all three";
  auto bobs = ServiceStore(c()).of_user(bob.id);
  ASSERT_EQ(bobs.size(), 1u) << "assigned in one";
  EXPECT_EQ(bobs[0].id, mid.id);
  EXPECT_TRUE(ServiceStore(c()).of_user(crypto::new_uuid()).empty());
}

TEST_P(AuthzStores, ServiceEnsurePermissionIsIdempotentAndListsSkipDeleted) {
  auto a = add_service("alpha");
  auto b = add_service("beta");
  ServiceStore services(c());
  auto id1 = services.ensure_permission(a.id, "docs:write");
  EXPECT_EQ(services.ensure_permission(a.id, "docs:write"), id1) << "the second call finds the first";
  auto id2 = services.ensure_permission(a.id, "docs:read");
  EXPECT_NE(id1, id2);
  auto other = services.ensure_permission(b.id, "docs:read");
  EXPECT_NE(other, id2) << "permissions belong to one service";

  auto of_a = services.permissions(a.id);
  ASSERT_EQ(of_a.size(), 2u);
  EXPECT_EQ(of_a[0].name, "docs:read");
  EXPECT_EQ(of_a[0].id, id2);
  EXPECT_EQ(of_a[0].service_id, a.id);
  EXPECT_EQ(of_a[1].name, "docs:write");
  EXPECT_EQ(services.permissions(std::nullopt).size(), 3u);

  services.soft_delete(b.id, kNow + 1);
  auto everything = services.permissions(std::nullopt);
  ASSERT_EQ(everything.size(), 2u) << "a deleted service's permissions are not listed";
  EXPECT_EQ(everything[0].service_id, a.id);
}

TEST_P(AuthzStores, ServiceRoleReadsBackWithPermissionsAndConflictsPerService) {
  auto a = add_service("alpha");
  auto b = add_service("beta");
  auto role = add_role(a, "editor", {"docs:write", "docs:read"});
  auto got = ServiceStore(c()).role(role.id);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->service_id, a.id);
  EXPECT_EQ(got->name, "editor");
  EXPECT_EQ(got->description, "Role editor");
  EXPECT_EQ(got->permissions, (std::vector<std::string>{"docs:read", "docs:write"})) << "sorted by name";
  EXPECT_EQ(got->created_at, kNow);
  EXPECT_EQ(ServiceStore(c()).role(crypto::new_uuid()), std::nullopt);

  ServiceRole dup{crypto::new_uuid(), a.id, "editor", std::nullopt, {}, kNow, kNow};
  auto st = ServiceStore(c()).insert_role(dup);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, Errc::conflict);
  ServiceRole elsewhere{crypto::new_uuid(), b.id, "editor", std::nullopt, {}, kNow, kNow};
  EXPECT_TRUE(ServiceStore(c()).insert_role(elsewhere)) << "unique per service only";
  EXPECT_EQ(ServiceStore(c()).roles(a.id).size(), 1u);
}

TEST_P(AuthzStores, ServiceUpdateRoleConflictsAndRewritesPermissions) {
  auto s = add_service("alpha");
  auto editor = add_role(s, "editor", {"docs:write"});
  add_role(s, "viewer", {"docs:read"});
  ServiceRole renamed = editor;
  renamed.name = "viewer";
  renamed.updated_at = kNow + 1;
  auto st = ServiceStore(c()).update_role(renamed);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, Errc::conflict);
  EXPECT_EQ(ServiceStore(c()).role(editor.id)->name, "editor");

  renamed.name = "author";
  renamed.description = std::nullopt;
  ASSERT_TRUE(ServiceStore(c()).update_role(renamed));
  auto read = ServiceStore(c()).ensure_permission(s.id, "docs:read");
  ServiceStore(c()).set_role_permissions(editor.id, {read, read});
  auto got = ServiceStore(c()).role(editor.id);
  EXPECT_EQ(got->name, "author");
  EXPECT_EQ(got->description, std::nullopt);
  EXPECT_EQ(got->updated_at, kNow + 1);
  EXPECT_EQ(got->permissions, std::vector<std::string>{"docs:read"}) << "replaced, duplicates ignored";
  auto roles = ServiceStore(c()).roles(s.id);
  ASSERT_EQ(roles.size(), 2u);
  EXPECT_EQ(roles[0].name, "author");
  EXPECT_EQ(roles[1].name, "viewer");
}

TEST_P(AuthzStores, ServiceAssignIsTrueOnceAndUnassignNeedsTheWholeKey) {
  auto s = add_service("alpha");
  auto other = add_service("beta");
  auto role = add_role(s, "viewer");
  auto bob = add_user(c(), "bob@example.com");
  ServiceStore services(c());
  EXPECT_TRUE(services.assign(assignment(bob, s, role), owner_.id));
  EXPECT_FALSE(services.assign(assignment(bob, s, role), owner_.id)) << "already assigned";
  EXPECT_TRUE(services.assign(assignment(bob, s, role, "org-1"), owner_.id)) << "org scope is part of the key";

  auto list = services.assignments(bob.id, s.id);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].org_id, "");
  EXPECT_EQ(list[0].role_name, "viewer");
  EXPECT_EQ(list[0].role_id, role.id);
  EXPECT_EQ(list[0].assigned_at, kNow);
  EXPECT_EQ(list[1].org_id, "org-1");
  EXPECT_TRUE(services.assignments(owner_.id, s.id).empty());

  EXPECT_FALSE(services.unassign(bob.id, other.id, role.id, "")) << "wrong service";
  EXPECT_FALSE(services.unassign(bob.id, s.id, role.id, "org-2")) << "wrong org";
  EXPECT_TRUE(services.unassign(bob.id, s.id, role.id, ""));
  EXPECT_FALSE(services.unassign(bob.id, s.id, role.id, "")) << "already gone";
  EXPECT_EQ(services.assignments(bob.id, s.id).size(), 1u);
}

TEST_P(AuthzStores, ServiceDeleteRoleRemovesItsAssignments) {
  auto s = add_service("alpha");
  auto doomed = add_role(s, "doomed", {"x:y"});
  auto kept = add_role(s, "kept", {"x:z"});
  auto bob = add_user(c(), "bob@example.com");
  ServiceStore services(c());
  ASSERT_TRUE(services.assign(assignment(bob, s, doomed), owner_.id));
  ASSERT_TRUE(services.assign(assignment(bob, s, kept), owner_.id));
  services.delete_role(doomed.id);
  EXPECT_EQ(services.role(doomed.id), std::nullopt);
  auto left = services.assignments(bob.id, s.id);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].role_id, kept.id);
  EXPECT_EQ(services.granted_permissions(bob.id, s.id, std::nullopt),
            (std::map<std::string, std::string>{{"x:z", "kept"}}));
}

TEST_P(AuthzStores, ServiceGrantedPermissionsGlobalPlusMatchingOrg) {
  auto s = add_service("alpha");
  auto other = add_service("beta");
  auto reader = add_role(s, "reader", {"docs:read"});
  auto writer = add_role(s, "writer", {"docs:write", "docs:read"});
  auto foreign = add_role(other, "admin", {"all:all"});
  auto bob = add_user(c(), "bob@example.com");
  ServiceStore services(c());
  ASSERT_TRUE(services.assign(assignment(bob, s, reader), owner_.id));
  ASSERT_TRUE(services.assign(assignment(bob, s, writer, "org-1"), owner_.id));
  ASSERT_TRUE(services.assign(assignment(bob, other, foreign), owner_.id));

  using Granted = std::map<std::string, std::string>;
  EXPECT_EQ(services.granted_permissions(bob.id, s.id, std::nullopt), (Granted{{"docs:read", "reader"}}))
      << "no org: global assignments only";
  auto in_org = services.granted_permissions(bob.id, s.id, "org-1");
  EXPECT_EQ(in_org.size(), 2u);
  EXPECT_EQ(in_org.at("docs:write"), "writer");
  EXPECT_EQ(in_org.at("docs:read"), "reader") << "the first role by name wins";
  EXPECT_EQ(services.granted_permissions(bob.id, s.id, "org-2"), (Granted{{"docs:read", "reader"}}));
  EXPECT_TRUE(services.granted_permissions(owner_.id, s.id, std::nullopt).empty());

  services.soft_delete(other.id, kNow + 1);
  EXPECT_TRUE(services.granted_permissions(bob.id, other.id, std::nullopt).empty())
      << "a deleted service grants nothing";
}

// ---------------------------------------------------------------- AppTokenStore

TEST_P(AuthzStores, AppTokenInsertReadsBackByIdAndHash) {
  auto s = add_service("alpha");
  auto t = add_token(s, "deploy", "hash-deploy", kNow - 1);
  AppTokenStore tokens(c());
  auto got = tokens.by_id(t.id);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->service_id, s.id);
  EXPECT_EQ(got->name, "deploy");
  EXPECT_EQ(got->prefix, "gh_depl");
  EXPECT_EQ(got->scopes, (std::vector<std::string>{"read", "write"}));
  EXPECT_EQ(got->created_by, owner_.id);
  EXPECT_EQ(got->created_at, kNow - 1);
  EXPECT_EQ(got->expires_at, kNow - 1 + 3600);
  EXPECT_EQ(got->revoked_at, std::nullopt);
  EXPECT_EQ(got->last_used_at, std::nullopt);
  EXPECT_EQ(got->use_count, 0);
  ASSERT_TRUE(tokens.by_hash("hash-deploy"));
  EXPECT_EQ(tokens.by_hash("hash-deploy")->id, t.id);
  EXPECT_EQ(tokens.by_hash("hash-other"), std::nullopt);
  EXPECT_EQ(tokens.by_id(crypto::new_uuid()), std::nullopt);

  AppToken forever{crypto::new_uuid(), s.id, "forever", "gh_fore", {}, owner_.id, kNow, std::nullopt, std::nullopt,
                   std::nullopt, 0};
  tokens.insert(forever, "hash-forever");
  EXPECT_EQ(tokens.by_id(forever.id)->expires_at, std::nullopt);
  EXPECT_TRUE(tokens.by_id(forever.id)->scopes.empty());
}

TEST_P(AuthzStores, AppTokenRevokeIsTrueOnceThenFalse) {
  auto s = add_service("alpha");
  auto t = add_token(s, "deploy", "h1");
  auto other = add_token(s, "other", "h2");
  AppTokenStore tokens(c());
  EXPECT_TRUE(tokens.revoke(t.id, kNow + 1));
  EXPECT_FALSE(tokens.revoke(t.id, kNow + 2));
  EXPECT_EQ(tokens.by_id(t.id)->revoked_at, kNow + 1);
  EXPECT_EQ(tokens.by_id(other.id)->revoked_at, std::nullopt);
  EXPECT_FALSE(tokens.revoke(crypto::new_uuid(), kNow));
}

TEST_P(AuthzStores, AppTokenOfServiceNewestFirst) {
  auto s = add_service("alpha");
  auto other = add_service("beta");
  auto old_one = add_token(s, "old", "h1", kNow - 100);
  auto new_one = add_token(s, "new", "h2", kNow);
  add_token(other, "foreign", "h3");
  auto list = AppTokenStore(c()).of_service(s.id);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].id, new_one.id);
  EXPECT_EQ(list[1].id, old_one.id);
  EXPECT_TRUE(AppTokenStore(c()).of_service(crypto::new_uuid()).empty());
}

TEST_P(AuthzStores, AppTokenUsageAccumulatesPerDay) {
  auto s = add_service("alpha");
  auto t = add_token(s, "deploy", "h1");
  AppTokenStore tokens(c());
  tokens.add_usage(t.id, "2023-11-14", 3, kNow);
  tokens.add_usage(t.id, "2023-11-14", 4, kNow + 10);
  tokens.add_usage(t.id, "2023-11-15", 1, kNow + 86400);
  auto got = tokens.by_id(t.id);
  EXPECT_EQ(got->use_count, 8);
  EXPECT_EQ(got->last_used_at, kNow + 86400);
  auto usage = tokens.usage(t.id, 30);
  ASSERT_EQ(usage.size(), 2u);
  EXPECT_EQ(usage[0], (std::pair<std::string, int64_t>{"2023-11-15", 1})) << "newest day first";
  EXPECT_EQ(usage[1], (std::pair<std::string, int64_t>{"2023-11-14", 7}));
  EXPECT_EQ(tokens.usage(t.id, 1).size(), 1u) << "limited to `days` rows";
}

TEST_P(AuthzStores, AppTokenRemoveDeletesTokenAndUsage) {
  auto s = add_service("alpha");
  auto t = add_token(s, "deploy", "h1");
  auto kept = add_token(s, "kept", "h2");
  AppTokenStore tokens(c());
  tokens.add_usage(t.id, "2023-11-14", 3, kNow);
  tokens.add_usage(kept.id, "2023-11-14", 2, kNow);
  EXPECT_TRUE(tokens.remove(t.id));
  EXPECT_FALSE(tokens.remove(t.id));
  EXPECT_EQ(tokens.by_id(t.id), std::nullopt);
  EXPECT_EQ(tokens.by_hash("h1"), std::nullopt);
  EXPECT_TRUE(tokens.usage(t.id, 30).empty());
  EXPECT_EQ(tokens.usage(kept.id, 30).size(), 1u);
}

// ---------------------------------------------------------------- Claims

TEST_P(AuthzStores, ClaimsListOrganizationsRolesAndActiveOrg) {
  auto acme = add_org("acme", kNow);
  auto beta = add_org("beta", kNow + 1);
  OrgStore orgs(c());
  orgs.insert_member(acme.id, owner_.id, "owner", kNow);
  orgs.insert_member(beta.id, owner_.id, "member", kNow);
  orgs.set_active_org(owner_.id, beta.id);

  boost::json::object claims{{"sub", owner_.id}};
  Claims::for_user(c(), owner_.id, claims);
  EXPECT_EQ(std::string(claims.at("sub").as_string()), owner_.id) << "other claims are kept";
  auto expected = boost::json::array{
      boost::json::object{{"id", acme.id}, {"name", "acme"}, {"role", "owner"}},
      boost::json::object{{"id", beta.id}, {"name", "beta"}, {"role", "member"}},
  };
  EXPECT_EQ(claims.at("orgs"), expected);
  EXPECT_EQ(std::string(claims.at("org_id").as_string()), beta.id);
}

TEST_P(AuthzStores, ClaimsWithoutOrganizationsAndAfterDeletion) {
  boost::json::object none;
  Claims::for_user(c(), owner_.id, none);
  EXPECT_EQ(none.at("orgs"), boost::json::array{}) << "always present, empty";
  EXPECT_FALSE(none.contains("org_id"));

  auto acme = add_org("acme");
  OrgStore(c()).insert_member(acme.id, owner_.id, "owner", kNow);
  OrgStore(c()).set_active_org(owner_.id, acme.id);
  OrgStore(c()).soft_delete(acme.id, kNow + 1);
  boost::json::object after;
  Claims::for_user(c(), owner_.id, after);
  EXPECT_EQ(after.at("orgs"), boost::json::array{});
  EXPECT_FALSE(after.contains("org_id")) << "a deleted organization is not active";
}

}  // namespace
}  // namespace gatehouse::contract
