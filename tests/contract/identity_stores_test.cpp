// Contract of the identity stores (identity/store.hpp) and of the Users facade
// (identity/users.hpp), run on SQLite and on PostgreSQL: same rows in, same answers out.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine_fixture.hpp"
#include "identity/store.hpp"
#include "identity/users.hpp"

namespace gatehouse::contract {
namespace {

using namespace gatehouse::identity;

class IdentityStores : public EngineTest {};
GATEHOUSE_CONTRACT_ENGINES(IdentityStores);

std::vector<std::string> ids_of(const std::vector<Session>& v) {
  std::vector<std::string> out;
  for (auto& s : v) out.push_back(s.id);
  return out;
}

// ---------------------------------------------------------------- UserStore

TEST_P(IdentityStores, UserInsertReadsBackEveryField) {
  auto u = make_user("Alice@Example.com", "Alice");
  u.email_verified = true;
  u.is_admin = true;
  u.created_at = kNow - 10;
  ASSERT_TRUE(UserStore(c()).insert(u, "alice@example.com", "alice"));

  auto got = UserStore(c()).by_id(u.id);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->id, u.id);
  EXPECT_EQ(got->email, "Alice@Example.com") << "the address is kept as typed";
  EXPECT_EQ(got->username, "Alice");
  EXPECT_EQ(got->name, u.name);
  EXPECT_EQ(got->password_hash, u.password_hash);
  EXPECT_TRUE(got->email_verified);
  EXPECT_TRUE(got->is_admin);
  EXPECT_FALSE(got->deleted);
  EXPECT_FALSE(got->locked);
  EXPECT_EQ(got->created_at, kNow - 10);
  EXPECT_EQ(got->updated_at, kNow - 10) << "updated_at starts at created_at";
  EXPECT_EQ(got->last_login_at, std::nullopt);
  EXPECT_EQ(got->deleted_at, std::nullopt);
}

TEST_P(IdentityStores, UserOptionalFieldsStayNull) {
  auto u = make_user("bare@example.com");
  u.name = std::nullopt;
  add_user(c(), u);
  auto got = UserStore(c()).by_id(u.id);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->username, std::nullopt);
  EXPECT_EQ(got->name, std::nullopt);
  EXPECT_FALSE(got->email_verified);
  EXPECT_FALSE(got->is_admin);
}

TEST_P(IdentityStores, UserLookupsOfMissingKeysAreEmpty) {
  add_user(c(), "present@example.com", "present");
  UserStore users(c());
  EXPECT_EQ(users.by_id(crypto::new_uuid()), std::nullopt);
  EXPECT_EQ(users.by_id(""), std::nullopt);
  EXPECT_EQ(users.by_login("absent@example.com"), std::nullopt);
  EXPECT_EQ(users.by_email("absent@example.com"), std::nullopt);
  EXPECT_EQ(users.row(crypto::new_uuid()), std::nullopt);
  // Lookups take the normalised form: the typed form does not match.
  EXPECT_EQ(users.by_email("Present@Example.com"), std::nullopt);
}

TEST_P(IdentityStores, UserByLoginMatchesEmailOrUsername) {
  auto u = add_user(c(), "Bob@Example.com", "BobTheBuilder");
  UserStore users(c());
  auto by_mail = users.by_login("bob@example.com");
  auto by_name = users.by_login("bobthebuilder");
  ASSERT_TRUE(by_mail);
  ASSERT_TRUE(by_name);
  EXPECT_EQ(by_mail->id, u.id);
  EXPECT_EQ(by_name->id, u.id);
  ASSERT_TRUE(users.by_email("bob@example.com"));
  EXPECT_EQ(users.by_email("bob@example.com")->id, u.id);
  EXPECT_EQ(users.by_email("bobthebuilder"), std::nullopt) << "by_email is not by_login";
}

TEST_P(IdentityStores, UserDuplicateEmailOrUsernameIsConflict) {
  auto first = add_user(c(), "Carol@Example.com", "carol");
  UserStore users(c());

  auto same_email = make_user("CAROL@example.com", "other");
  auto st = users.insert(same_email, "carol@example.com", "other");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, Errc::conflict);

  auto same_username = make_user("carol2@example.com", "Carol");
  st = users.insert(same_username, "carol2@example.com", "carol");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, Errc::conflict);

  // Neither attempt left a row (nor a role) behind; the first account is untouched.
  EXPECT_EQ(users.by_id(same_email.id), std::nullopt);
  EXPECT_EQ(users.by_id(same_username.id), std::nullopt);
  EXPECT_TRUE(RoleStore(c()).of_user(same_email.id).empty());
  ASSERT_TRUE(users.by_id(first.id));
  EXPECT_EQ(users.by_id(first.id)->email, "Carol@Example.com");
  EXPECT_EQ(users.list(100, 0).size(), 1u);
}

TEST_P(IdentityStores, UserConflictInTransactionRollsBackOnlyThatTransaction) {
  auto kept = add_user(c(), "kept@example.com", "kept");
  auto fresh = make_user("fresh@example.com", "fresh");
  auto dup = make_user("KEPT@example.com");

  // Returning the conflict from the transaction rolls back the insert made before it.
  Status st = db().transaction([&](Conn& tx) -> Status {
    if (auto s = UserStore(tx).insert(fresh, "fresh@example.com", "fresh"); !s) return s;
    return UserStore(tx).insert(dup, "kept@example.com", std::nullopt);
  });
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, Errc::conflict);

  UserStore users(c());
  EXPECT_EQ(users.by_id(fresh.id), std::nullopt) << "rolled back with the failed insert";
  EXPECT_TRUE(RoleStore(c()).of_user(fresh.id).empty());
  ASSERT_TRUE(users.by_id(kept.id));
  EXPECT_EQ(Users(c()).role_names(kept.id), std::vector<std::string>{"user"});

  // The database accepts writes afterwards (PostgreSQL: the aborted transaction is gone).
  ASSERT_TRUE(users.insert(fresh, "fresh@example.com", "fresh"));
  EXPECT_TRUE(users.by_id(fresh.id));
}

TEST_P(IdentityStores, UserSetEmailConflictsWithAnotherAccount) {
  auto a = add_user(c(), "a@example.com");
  add_user(c(), "b@example.com");
  UserStore users(c());
  UserStore(c()).set_email_verified(a.id, kNow);

  auto st = users.set_email(a.id, "B@example.com", "b@example.com", kNow + 5);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, Errc::conflict);
  EXPECT_EQ(users.by_id(a.id)->email, "a@example.com");
  EXPECT_TRUE(users.by_id(a.id)->email_verified) << "a refused change keeps verification";

  ASSERT_TRUE(users.set_email(a.id, "New@Example.com", "new@example.com", kNow + 6));
  auto got = users.by_id(a.id);
  EXPECT_EQ(got->email, "New@Example.com");
  EXPECT_FALSE(got->email_verified) << "a new address is unverified";
  EXPECT_EQ(got->updated_at, kNow + 6);
  EXPECT_EQ(users.by_email("new@example.com")->id, a.id);
  EXPECT_EQ(users.by_email("a@example.com"), std::nullopt);
}

TEST_P(IdentityStores, UserUpdateProfileUsernameConflict) {
  auto a = add_user(c(), "a@example.com", "alpha");
  add_user(c(), "b@example.com", "beta");
  UserStore users(c());

  auto st = users.update_profile(a.id, "Beta", "beta", "New Name", true, true, kNow + 1);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, Errc::conflict);
  auto got = users.by_id(a.id);
  EXPECT_EQ(got->username, "alpha");
  EXPECT_EQ(got->name, a.name) << "the name is not written after the username failed";

  ASSERT_TRUE(users.update_profile(a.id, "Gamma", "gamma", "Gamma Person", true, true, kNow + 2));
  got = users.by_id(a.id);
  EXPECT_EQ(got->username, "Gamma");
  EXPECT_EQ(got->name, "Gamma Person");
  EXPECT_EQ(got->updated_at, kNow + 2);
  EXPECT_EQ(users.by_login("gamma")->id, a.id);
  EXPECT_EQ(users.by_login("alpha"), std::nullopt) << "the old username is freed";
}

TEST_P(IdentityStores, UserUpdateProfileTouchesOnlyRequestedFields) {
  auto a = add_user(c(), "a@example.com", "alpha");
  UserStore users(c());
  ASSERT_TRUE(users.update_profile(a.id, std::nullopt, std::nullopt, "Only Name", false, true, kNow + 1));
  EXPECT_EQ(users.by_id(a.id)->username, "alpha");
  EXPECT_EQ(users.by_id(a.id)->name, "Only Name");

  // Clearing: set_username with no value removes the username (and frees it).
  ASSERT_TRUE(users.update_profile(a.id, std::nullopt, std::nullopt, std::nullopt, true, false, kNow + 2));
  EXPECT_EQ(users.by_id(a.id)->username, std::nullopt);
  EXPECT_EQ(users.by_id(a.id)->name, "Only Name");
  EXPECT_FALSE(users.username_taken("alpha", ""));
}

TEST_P(IdentityStores, UserTakenChecksExcludeSelfForUsername) {
  auto a = add_user(c(), "a@example.com", "alpha");
  UserStore users(c());
  EXPECT_TRUE(users.email_taken("a@example.com"));
  EXPECT_FALSE(users.email_taken("z@example.com"));
  EXPECT_TRUE(users.username_taken("alpha", ""));
  EXPECT_TRUE(users.username_taken("alpha", crypto::new_uuid()));
  EXPECT_FALSE(users.username_taken("alpha", a.id)) << "one's own username is not taken";
  EXPECT_FALSE(users.username_taken("omega", ""));
}

TEST_P(IdentityStores, UserSettersWriteTheirColumns) {
  auto a = add_user(c(), "a@example.com");
  UserStore users(c());
  users.set_password_hash(a.id, "$argon2id$new", kNow + 1);
  users.set_email_verified(a.id, kNow + 2);
  users.set_last_login(a.id, kNow + 3);
  auto got = users.by_id(a.id);
  EXPECT_EQ(got->password_hash, "$argon2id$new");
  EXPECT_TRUE(got->email_verified);
  EXPECT_EQ(got->updated_at, kNow + 2);
  EXPECT_EQ(got->last_login_at, kNow + 3);
  EXPECT_EQ(users.row(a.id)->last_login_at, kNow + 3);
}

TEST_P(IdentityStores, UserSoftDeleteKeepsRowButHidesFromUsers) {
  auto a = add_user(c(), "gone@example.com", "gone");
  auto b = add_user(c(), "stays@example.com");
  UserStore(c()).soft_delete(a.id, kNow + 9);

  // The store still sees the row (administration, audit) ...
  auto got = UserStore(c()).by_id(a.id);
  ASSERT_TRUE(got);
  EXPECT_TRUE(got->deleted);
  EXPECT_EQ(got->deleted_at, kNow + 9);
  EXPECT_TRUE(UserStore(c()).row(a.id)->deleted);
  ASSERT_TRUE(UserStore(c()).by_login("gone")) << "by_login includes soft-deleted accounts";
  EXPECT_TRUE(UserStore(c()).by_login("gone")->deleted);
  // ... and keeps the address reserved ...
  EXPECT_TRUE(UserStore(c()).email_taken("gone@example.com"));
  // ... but other domains no longer see the account.
  EXPECT_EQ(Users(c()).existing(a.id), std::nullopt);
  EXPECT_EQ(Users(c()).active(a.id), std::nullopt);
  EXPECT_EQ(Users(c()).existing_by_email("gone@example.com"), std::nullopt);
  EXPECT_FALSE(UserStore(c()).by_id(b.id)->deleted) << "only that account";
}

TEST_P(IdentityStores, UserListIsOldestFirstAndPages) {
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) {
    auto u = make_user("u" + std::to_string(i) + "@example.com");
    u.created_at = kNow + 10 - i;  // inserted newest first
    add_user(c(), u);
    ids.insert(ids.begin(), u.id);
  }
  UserStore users(c());
  auto all = users.list(10, 0);
  ASSERT_EQ(all.size(), 5u);
  for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i].id, ids[i]) << i;
  auto page = users.list(2, 2);
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(page[0].id, ids[2]);
  EXPECT_EQ(page[1].id, ids[3]);
  EXPECT_TRUE(users.list(2, 5).empty());
}

TEST_P(IdentityStores, UserAnyAdminIgnoresDeletedAdmins) {
  UserStore users(c());
  EXPECT_FALSE(users.any_admin());
  add_user(c(), "plain@example.com");
  EXPECT_FALSE(users.any_admin());
  auto admin = make_user("root@example.com");
  admin.is_admin = true;
  add_user(c(), admin);
  EXPECT_TRUE(users.any_admin());
  EXPECT_TRUE(Users(c()).any_admin());
  users.soft_delete(admin.id, kNow + 1);
  EXPECT_FALSE(users.any_admin());
}

TEST_P(IdentityStores, UserSearchMatchesEmailAndUsernameSubstrings) {
  // Distinct creation times: results are ordered by created_at, then by the (random) id.
  int64_t at = kNow;
  for (auto [email, username] : {std::pair{"alice@corp.example", "ally"}, std::pair{"bob@corp.example", "bobby"},
                                 std::pair{"carol@home.example", "caz"}}) {
    auto u = make_user(email, username);
    u.created_at = at++;
    add_user(c(), u);
  }
  UserStore users(c());

  int64_t total = -1;
  auto corp = users.search("CORP", 10, 0, &total);
  EXPECT_EQ(total, 2) << "case-insensitive on both engines";
  ASSERT_EQ(corp.size(), 2u);
  EXPECT_EQ(corp[0].email, "alice@corp.example");
  EXPECT_EQ(corp[1].email, "bob@corp.example");

  auto by_username = users.search("bby", 10, 0, &total);
  EXPECT_EQ(total, 1);
  ASSERT_EQ(by_username.size(), 1u);
  EXPECT_EQ(by_username[0].username, "bobby");

  auto everyone = users.search("", 2, 1, &total);
  EXPECT_EQ(total, 3) << "an empty query matches everyone; total ignores paging";
  ASSERT_EQ(everyone.size(), 2u);
  EXPECT_EQ(everyone[0].email, "bob@corp.example");

  EXPECT_TRUE(users.search("nobody", 10, 0, &total).empty());
  EXPECT_EQ(total, 0);
}

TEST_P(IdentityStores, UserSearchTreatsLikeWildcardsLiterally) {
  add_user(c(), "under_score@example.com");
  add_user(c(), "underXscore@example.com");
  add_user(c(), "hundred%@example.com");
  UserStore users(c());
  int64_t total = 0;
  auto hits = users.search("under_", 10, 0, &total);
  ASSERT_EQ(hits.size(), 1u) << "'_' must not match any character";
  EXPECT_EQ(hits[0].email, "under_score@example.com");
  hits = users.search("%", 10, 0, &total);
  ASSERT_EQ(hits.size(), 1u) << "'%' must not match everything";
  EXPECT_EQ(hits[0].email, "hundred%@example.com");
}

TEST_P(IdentityStores, UserSearchIgnoresTheDisplayName) {
  // The admin search matches email and username only (the seed's admin API did the same).
  auto u = make_user("x1@example.com");
  u.name = "Zebediah Quux";
  add_user(c(), u);
  int64_t total = 0;
  EXPECT_TRUE(UserStore(c()).search("zebediah", 10, 0, &total).empty());
  EXPECT_EQ(total, 0);
  EXPECT_EQ(UserStore(c()).search("X1@EXAMPLE", 10, 0, &total).size(), 1u);
}

TEST_P(IdentityStores, UserSetLockedShowsInRowAndBlocksActive) {
  auto a = add_user(c(), "a@example.com", "alpha");
  UserStore users(c());
  users.set_locked(a.id, true, kNow + 1);
  auto row = users.row(a.id);
  ASSERT_TRUE(row);
  EXPECT_TRUE(row->locked);
  EXPECT_EQ(row->email, "a@example.com");
  EXPECT_EQ(row->username, "alpha");
  EXPECT_EQ(row->created_at, kNow);
  EXPECT_TRUE(users.by_id(a.id)->locked);
  EXPECT_EQ(users.by_id(a.id)->updated_at, kNow + 1);
  users.set_locked(a.id, false, kNow + 2);
  EXPECT_FALSE(users.row(a.id)->locked);
}

// ---------------------------------------------------------------- RoleStore

TEST_P(IdentityStores, RoleAllListsSeededRolesMostPowerfulFirst) {
  auto all = RoleStore(c()).all();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].name, "admin");
  EXPECT_EQ(all[0].level, 0);
  EXPECT_EQ(all[0].description, "Full administration");
  EXPECT_EQ(all[1].name, "user");
  EXPECT_EQ(all[1].level, 10);
  EXPECT_EQ(all[2].name, "guest");
  EXPECT_EQ(all[2].level, 99);
  ASSERT_TRUE(RoleStore(c()).find("guest"));
  EXPECT_EQ(RoleStore(c()).find("guest")->level, 99);
  EXPECT_EQ(RoleStore(c()).find("superuser"), std::nullopt);
}

TEST_P(IdentityStores, RoleNewAccountsHoldUserAndAdminsAlsoAdmin) {
  auto plain = add_user(c(), "plain@example.com");
  auto admin = make_user("root@example.com");
  admin.is_admin = true;
  add_user(c(), admin);
  RoleStore roles(c());
  auto of_admin = roles.of_user(admin.id);
  ASSERT_EQ(of_admin.size(), 2u);
  EXPECT_EQ(of_admin[0].name, "admin");
  EXPECT_EQ(of_admin[1].name, "user");
  ASSERT_EQ(roles.of_user(plain.id).size(), 1u);
  EXPECT_EQ(roles.of_user(plain.id)[0].name, "user");
  EXPECT_TRUE(roles.is_admin(admin.id));
  EXPECT_FALSE(roles.is_admin(plain.id));
  EXPECT_FALSE(roles.is_admin(crypto::new_uuid()));
  EXPECT_TRUE(roles.of_user(crypto::new_uuid()).empty());
}

TEST_P(IdentityStores, RoleSetForUserReplacesRolesAndKeepsIsAdminInStep) {
  auto a = add_user(c(), "a@example.com");
  auto b = add_user(c(), "b@example.com");
  RoleStore roles(c());

  roles.set_for_user(a.id, {"guest", "admin", "admin"}, "operator", kNow + 1);
  EXPECT_EQ(Users(c()).role_names(a.id), (std::vector<std::string>{"admin", "guest"}))
      << "duplicates ignored, 'user' dropped";
  EXPECT_TRUE(UserStore(c()).by_id(a.id)->is_admin);
  EXPECT_TRUE(roles.is_admin(a.id));

  roles.set_for_user(a.id, {"user"}, "operator", kNow + 2);
  EXPECT_EQ(Users(c()).role_names(a.id), std::vector<std::string>{"user"});
  EXPECT_FALSE(UserStore(c()).by_id(a.id)->is_admin);
  EXPECT_EQ(UserStore(c()).by_id(a.id)->updated_at, kNow + 2);

  // Only that user's roles change.
  EXPECT_EQ(Users(c()).role_names(b.id), std::vector<std::string>{"user"});
}

TEST_P(IdentityStores, RoleHoldersExcludeDeletedAccounts) {
  auto a = add_user(c(), "a@example.com");
  auto b = make_user("b@example.com");
  b.created_at = kNow + 1;
  add_user(c(), b);
  auto gone = make_user("gone@example.com");
  gone.created_at = kNow + 2;
  add_user(c(), gone);
  UserStore(c()).soft_delete(gone.id, kNow + 3);
  EXPECT_EQ(RoleStore(c()).holders("user"), (std::vector<std::string>{a.id, b.id}));
  EXPECT_TRUE(RoleStore(c()).holders("admin").empty());
  EXPECT_TRUE(RoleStore(c()).holders("nosuchrole").empty());
}

// ---------------------------------------------------------------- SessionStore

TEST_P(IdentityStores, SessionInsertReadsBackEveryField) {
  auto u = add_user(c(), "a@example.com");
  Session s{crypto::new_uuid_v7(), u.id, kNow - 5, kNow - 4, kNow + 100, "2001:db8::1", "Agent/2 (ünïcode)", std::nullopt};
  SessionStore(c()).insert(s);
  auto got = SessionStore(c()).by_id(s.id);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->id, s.id);
  EXPECT_EQ(got->user_id, u.id);
  EXPECT_EQ(got->created_at, kNow - 5);
  EXPECT_EQ(got->last_used_at, kNow - 4);
  EXPECT_EQ(got->expires_at, kNow + 100);
  EXPECT_EQ(got->ip, "2001:db8::1");
  EXPECT_EQ(got->user_agent, "Agent/2 (ünïcode)") << "UTF-8 round-trips byte for byte";
  EXPECT_EQ(got->revoked_at, std::nullopt);
  EXPECT_EQ(SessionStore(c()).by_id(crypto::new_uuid_v7()), std::nullopt);
}

TEST_P(IdentityStores, SessionActiveOfExcludesRevokedExpiredAndOtherUsers) {
  auto a = add_user(c(), "a@example.com");
  auto b = add_user(c(), "b@example.com");
  auto live = add_session(c(), a.id, 100);
  auto ends_now = add_session(c(), a.id, 0);  // expires_at == kNow: no longer active
  auto revoked = add_session(c(), a.id, 100);
  add_session(c(), b.id, 100);
  ASSERT_TRUE(SessionStore(c()).revoke(revoked.id, kNow, "logout"));

  EXPECT_EQ(ids_of(SessionStore(c()).active_of(a.id, kNow)), std::vector<std::string>{live.id});
  EXPECT_EQ(ids_of(SessionStore(c()).active_of(a.id, kNow - 1)), (std::vector<std::string>{live.id, ends_now.id}))
      << "oldest first (ids are UUIDv7, same created_at)";
  EXPECT_TRUE(SessionStore(c()).active_of(a.id, kNow + 100).empty());
  EXPECT_TRUE(SessionStore(c()).active_of(crypto::new_uuid(), kNow).empty());
}

TEST_P(IdentityStores, SessionRevokeIsTrueOnceThenFalse) {
  auto a = add_user(c(), "a@example.com");
  auto s = add_session(c(), a.id);
  SessionStore sessions(c());
  EXPECT_TRUE(sessions.revoke(s.id, kNow + 1, "logout"));
  EXPECT_FALSE(sessions.revoke(s.id, kNow + 2, "logout")) << "already revoked";
  EXPECT_EQ(sessions.by_id(s.id)->revoked_at, kNow + 1) << "the first revocation's time stays";
  EXPECT_FALSE(sessions.revoke(crypto::new_uuid_v7(), kNow, "logout")) << "missing session";
}

TEST_P(IdentityStores, SessionRevokeAllOfTouchesOnlyThatUserAndSparesExcept) {
  auto a = add_user(c(), "a@example.com");
  auto b = add_user(c(), "b@example.com");
  auto a1 = add_session(c(), a.id), a2 = add_session(c(), a.id), a3 = add_session(c(), a.id);
  auto b1 = add_session(c(), b.id);
  ASSERT_TRUE(SessionStore(c()).revoke(a3.id, kNow, "earlier"));

  auto revoked = SessionStore(c()).revoke_all_of(a.id, kNow + 1, "password_changed", a2.id);
  EXPECT_EQ(revoked, std::vector<std::string>{a1.id}) << "not the kept one, not the already revoked one";
  SessionStore sessions(c());
  EXPECT_EQ(sessions.by_id(a1.id)->revoked_at, kNow + 1);
  EXPECT_EQ(sessions.by_id(a2.id)->revoked_at, std::nullopt);
  EXPECT_EQ(sessions.by_id(a3.id)->revoked_at, kNow) << "not re-revoked";
  EXPECT_EQ(sessions.by_id(b1.id)->revoked_at, std::nullopt) << "another user's session";

  // Without `except`, everything still live goes.
  EXPECT_EQ(sessions.revoke_all_of(a.id, kNow + 2, "deleted"), std::vector<std::string>{a2.id});
  EXPECT_TRUE(sessions.revoke_all_of(a.id, kNow + 3, "deleted").empty());
  EXPECT_EQ(sessions.by_id(b1.id)->revoked_at, std::nullopt);
}

TEST_P(IdentityStores, SessionTouchOnlyMovesForward) {
  auto a = add_user(c(), "a@example.com");
  auto s = add_session(c(), a.id);
  SessionStore sessions(c());
  sessions.touch(s.id, kNow + 50);
  EXPECT_EQ(sessions.by_id(s.id)->last_used_at, kNow + 50);
  sessions.touch(s.id, kNow + 10);  // a late writer must not move it back
  EXPECT_EQ(sessions.by_id(s.id)->last_used_at, kNow + 50);
}

TEST_P(IdentityStores, SessionCountsAndRevokedSince) {
  auto a = add_user(c(), "a@example.com");
  auto b = add_user(c(), "b@example.com");
  SessionStore sessions(c());
  auto none = sessions.counts(a.id, kNow);
  EXPECT_EQ(none.total, 0);
  EXPECT_EQ(none.active, 0);
  EXPECT_EQ(none.revoked, 0);
  EXPECT_EQ(none.oldest_active, std::nullopt);

  Session older{crypto::new_uuid_v7(), a.id, kNow - 100, kNow - 100, kNow + 100, "", "", std::nullopt};
  Session newer{crypto::new_uuid_v7(), a.id, kNow - 10, kNow - 10, kNow + 100, "", "", std::nullopt};
  Session expired{crypto::new_uuid_v7(), a.id, kNow - 500, kNow - 500, kNow - 1, "", "", std::nullopt};
  for (auto& s : {older, newer, expired}) sessions.insert(s);
  auto gone = add_session(c(), a.id);
  auto other = add_session(c(), b.id);
  ASSERT_TRUE(sessions.revoke(gone.id, kNow + 5, "logout"));
  ASSERT_TRUE(sessions.revoke(other.id, kNow + 7, "logout"));

  auto n = sessions.counts(a.id, kNow);
  EXPECT_EQ(n.total, 4);
  EXPECT_EQ(n.active, 2);
  EXPECT_EQ(n.revoked, 1);
  EXPECT_EQ(n.oldest_active, kNow - 100);
  EXPECT_EQ(n.newest_active, kNow - 10);

  auto since = sessions.revoked_since(kNow + 5);
  ASSERT_EQ(since.size(), 1u) << "strictly after `since`";
  EXPECT_EQ(since[0].first, other.id);
  EXPECT_EQ(since[0].second, kNow + 7);
  EXPECT_EQ(sessions.revoked_since(kNow).size(), 2u);
}

// ---------------------------------------------------------------- RefreshStore (identity)

TEST_P(IdentityStores, RefreshInsertReadsBack) {
  auto a = add_user(c(), "a@example.com");
  auto s = add_session(c(), a.id);
  identity::RefreshStore refresh(c());
  refresh.insert("hash-1", s.id, kNow, kNow + 600);
  auto got = refresh.by_hash("hash-1");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->token_hash, "hash-1");
  EXPECT_EQ(got->session_id, s.id);
  EXPECT_EQ(got->expires_at, kNow + 600);
  EXPECT_EQ(got->rotated_at, std::nullopt);
  EXPECT_EQ(got->successor_hash, std::nullopt);
  EXPECT_EQ(refresh.by_hash("hash-2"), std::nullopt);
}

TEST_P(IdentityStores, RefreshMarkRotatedIsTrueOnceThenFalse) {
  auto a = add_user(c(), "a@example.com");
  auto s = add_session(c(), a.id);
  identity::RefreshStore refresh(c());
  refresh.insert("hash-1", s.id, kNow, kNow + 600);
  EXPECT_TRUE(refresh.mark_rotated("hash-1", "hash-2", kNow + 1));
  EXPECT_FALSE(refresh.mark_rotated("hash-1", "hash-3", kNow + 2)) << "someone rotated it first";
  auto got = refresh.by_hash("hash-1");
  EXPECT_EQ(got->rotated_at, kNow + 1);
  EXPECT_EQ(got->successor_hash, "hash-2") << "the winner's successor stays";
  EXPECT_FALSE(refresh.mark_rotated("missing", "x", kNow));
}

TEST_P(IdentityStores, RefreshMarkRotatedRaceHasExactlyOneWinner) {
  auto a = add_user(c(), "a@example.com");
  auto s = add_session(c(), a.id);
  identity::RefreshStore(c()).insert("hash-1", s.id, kNow, kNow + 600);
  int won = winners(db(), 4, [](Conn& conn, int i) {
    return identity::RefreshStore(conn).mark_rotated("hash-1", "next-" + std::to_string(i), kNow + 1);
  });
  EXPECT_EQ(won, 1) << "concurrent rotations: one succeeds, the others see it rotated";
  auto got = identity::RefreshStore(c()).by_hash("hash-1");
  ASSERT_TRUE(got->successor_hash);
  EXPECT_TRUE(got->successor_hash->starts_with("next-"));
}

// ---------------------------------------------------------------- EmailTokenStore

TEST_P(IdentityStores, EmailTokenPeekDoesNotConsumeAndConsumeWorksOnce) {
  auto a = add_user(c(), "a@example.com");
  EmailTokenStore tokens(c());
  tokens.insert("tok", a.id, "verify_email", kNow, kNow + 60);
  EXPECT_EQ(tokens.peek("tok", "verify_email", kNow), a.id);
  EXPECT_EQ(tokens.peek("tok", "verify_email", kNow), a.id) << "peek leaves it usable";
  EXPECT_EQ(tokens.consume("tok", "verify_email", kNow + 1), a.id);
  EXPECT_EQ(tokens.consume("tok", "verify_email", kNow + 2), std::nullopt) << "one use";
  EXPECT_EQ(tokens.peek("tok", "verify_email", kNow + 2), std::nullopt);
  EXPECT_EQ(tokens.peek("nope", "verify_email", kNow), std::nullopt);
}

TEST_P(IdentityStores, EmailTokenConsumeRaceHasExactlyOneWinner) {
  auto a = add_user(c(), "a@example.com");
  EmailTokenStore(c()).insert("tok", a.id, "reset_password", kNow, kNow + 60);
  int won = winners(db(), 4, [&](Conn& conn, int) {
    return EmailTokenStore(conn).consume("tok", "reset_password", kNow + 1) == a.id;
  });
  EXPECT_EQ(won, 1) << "a one-time token is consumed once, even by concurrent requests";
}

TEST_P(IdentityStores, EmailTokenRefusedAfterExpiryOrForAnotherPurpose) {
  auto a = add_user(c(), "a@example.com");
  EmailTokenStore tokens(c());
  tokens.insert("tok", a.id, "reset_password", kNow, kNow + 60);
  EXPECT_EQ(tokens.peek("tok", "verify_email", kNow), std::nullopt);
  EXPECT_EQ(tokens.consume("tok", "verify_email", kNow), std::nullopt);
  EXPECT_EQ(tokens.peek("tok", "reset_password", kNow + 59), a.id) << "valid until the last second";
  EXPECT_EQ(tokens.peek("tok", "reset_password", kNow + 60), std::nullopt) << "expires_at itself is too late";
  EXPECT_EQ(tokens.consume("tok", "reset_password", kNow + 60), std::nullopt);
  // The refused attempts left it unused.
  EXPECT_EQ(tokens.consume("tok", "reset_password", kNow + 1), a.id);
}

TEST_P(IdentityStores, EmailTokenInvalidateTouchesOnlyThatUserAndPurpose) {
  auto a = add_user(c(), "a@example.com");
  auto b = add_user(c(), "b@example.com");
  EmailTokenStore tokens(c());
  tokens.insert("a-verify", a.id, "verify_email", kNow, kNow + 60);
  tokens.insert("a-reset", a.id, "reset_password", kNow, kNow + 60);
  tokens.insert("b-verify", b.id, "verify_email", kNow, kNow + 60);
  tokens.invalidate(a.id, "verify_email", kNow);
  EXPECT_EQ(tokens.peek("a-verify", "verify_email", kNow), std::nullopt);
  EXPECT_EQ(tokens.peek("a-reset", "reset_password", kNow), a.id);
  EXPECT_EQ(tokens.peek("b-verify", "verify_email", kNow), b.id);
}

// ---------------------------------------------------------------- Users facade

TEST_P(IdentityStores, UsersExistingAndActive) {
  auto a = add_user(c(), "a@example.com");
  auto locked = add_user(c(), "locked@example.com");
  UserStore(c()).set_locked(locked.id, true, kNow);
  Users users(c());
  ASSERT_TRUE(users.existing(a.id));
  EXPECT_EQ(users.existing(a.id)->email, "a@example.com");
  ASSERT_TRUE(users.active(a.id));
  ASSERT_TRUE(users.existing(locked.id)) << "a locked account still exists";
  EXPECT_TRUE(users.existing(locked.id)->locked);
  EXPECT_EQ(users.active(locked.id), std::nullopt) << "but may not act";
  EXPECT_EQ(users.existing(crypto::new_uuid()), std::nullopt);
  EXPECT_EQ(users.active(crypto::new_uuid()), std::nullopt);
}

TEST_P(IdentityStores, UsersExistingByEmailNormalises) {
  auto a = add_user(c(), "Mixed.Case@Example.com");
  ASSERT_TRUE(Users(c()).existing_by_email("  MIXED.case@example.COM "));
  EXPECT_EQ(Users(c()).existing_by_email("mixed.case@example.com")->id, a.id);
  EXPECT_EQ(Users(c()).existing_by_email("other@example.com"), std::nullopt);
}

TEST_P(IdentityStores, UsersSessionLiveUntilRevoked) {
  auto a = add_user(c(), "a@example.com");
  auto s = add_session(c(), a.id);
  Users users(c());
  EXPECT_TRUE(users.session_live(s.id));
  EXPECT_FALSE(users.session_live(crypto::new_uuid_v7()));
  ASSERT_TRUE(SessionStore(c()).revoke(s.id, kNow, "logout"));
  EXPECT_FALSE(users.session_live(s.id));
}

TEST_P(IdentityStores, UsersIsAdminAndRoleNames) {
  auto a = add_user(c(), "a@example.com");
  Users users(c());
  EXPECT_FALSE(users.is_admin(a.id));
  EXPECT_EQ(users.role_names(a.id), std::vector<std::string>{"user"});
  RoleStore(c()).set_for_user(a.id, {"guest", "user", "admin"}, "op", kNow);
  EXPECT_TRUE(users.is_admin(a.id));
  EXPECT_EQ(users.role_names(a.id), (std::vector<std::string>{"admin", "user", "guest"})) << "most powerful first";
  EXPECT_TRUE(users.role_names(crypto::new_uuid()).empty());
  EXPECT_FALSE(users.is_admin(crypto::new_uuid()));
}

TEST_P(IdentityStores, UsersListMatchesStoreList) {
  auto a = add_user(c(), "a@example.com");
  auto b = make_user("b@example.com");
  b.created_at = kNow + 1;
  add_user(c(), b);
  auto list = Users(c()).list(10, 0);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].id, a.id);
  EXPECT_EQ(list[1].id, b.id);
  EXPECT_EQ(list[1].email, "b@example.com");
  EXPECT_EQ(Users(c()).list(1, 1).size(), 1u);
}

}  // namespace
}  // namespace gatehouse::contract
