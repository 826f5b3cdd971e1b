// Contract of the OAuth / OIDC provider's stores (oidc/store.hpp), run on SQLite and on
// PostgreSQL. oauth_clients rows are written with plain SQL: these stores only read them.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "engine_fixture.hpp"
#include "oidc/clients.hpp"
#include "oidc/store.hpp"

namespace gatehouse::contract {
namespace {

using namespace gatehouse::oidc;

class OidcStores : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    alice_ = add_user(c(), "alice@example.com", "alice");
    bob_ = add_user(c(), "bob@example.com", "bob");
    add_client("app", "The App");
  }

  // The columns 0003_oidc.up.sql requires; the rest keep their defaults.
  void add_client(const std::string& id, const std::string& name) {
    c().query("INSERT INTO oauth_clients (id, name, redirect_uris, post_logout_redirect_uris, grant_types, scopes,"
              " auth_method, created_at, updated_at) VALUES ($1, $2, '[]', '[]', '[\"authorization_code\"]',"
              " '[\"openid\"]', 'none', $3, $3)",
              {id, name, kNow});
  }
  void delete_client(const std::string& id) {
    c().query("UPDATE oauth_clients SET deleted = 1 WHERE id = $1", {id});
  }
  std::string add_grant(const identity::User& u, const std::string& client = "app", int64_t created_at = kNow,
                        const std::optional<std::string>& session = std::nullopt) {
    auto id = crypto::new_uuid();
    GrantStore(c()).insert(id, client, u.id, session, "openid profile", created_at);
    return id;
  }
  oidc::RefreshRow refresh_row(const std::string& grant, const identity::User& u, int64_t expires_at) {
    return {grant, "app", u.id, "openid offline_access", kNow - 30, expires_at, std::nullopt, std::nullopt};
  }
  DeviceRow device(const std::string& hash, const std::string& user_code) {
    return {hash, user_code, "app", "openid", "pending", kNow + 600, 5, std::nullopt, std::nullopt, std::nullopt,
            std::nullopt};
  }

  identity::User alice_, bob_;
};
GATEHOUSE_CONTRACT_ENGINES(OidcStores);

// ---------------------------------------------------------------- GrantStore

TEST_P(OidcStores, GrantInsertIsActiveAndKeepsItsSession) {
  auto s = add_session(c(), alice_.id);
  auto g = add_grant(alice_, "app", kNow, s.id);
  GrantStore grants(c());
  EXPECT_TRUE(grants.active(g));
  EXPECT_EQ(grants.session_of(g), s.id);
  EXPECT_FALSE(grants.active(crypto::new_uuid()));
  EXPECT_EQ(grants.session_of(crypto::new_uuid()), std::nullopt);

  // A client_credentials grant has neither user nor session.
  auto machine = crypto::new_uuid();
  grants.insert(machine, "app", std::nullopt, std::nullopt, "api", kNow);
  EXPECT_TRUE(grants.active(machine));
  EXPECT_EQ(grants.session_of(machine), std::nullopt);
  EXPECT_EQ(grants.live_of(alice_.id, kNow).size(), 1u) << "only the user's own grant is listed";
}

TEST_P(OidcStores, GrantRevokeIsTrueOnceThenFalse) {
  auto g = add_grant(alice_);
  auto other = add_grant(alice_);
  GrantStore grants(c());
  EXPECT_TRUE(grants.revoke(g, kNow + 1));
  EXPECT_FALSE(grants.revoke(g, kNow + 2)) << "already revoked";
  EXPECT_FALSE(grants.active(g));
  EXPECT_TRUE(grants.active(other));
  EXPECT_EQ(grants.revoked_since(kNow), std::vector<std::string>{g});
  EXPECT_TRUE(grants.revoked_since(kNow + 1).empty()) << "strictly after `since`; the first time stays";
  EXPECT_FALSE(grants.revoke(crypto::new_uuid(), kNow));
}

TEST_P(OidcStores, GrantOfDeletedClientIsNotActive) {
  add_client("gone", "Gone App");
  auto g = add_grant(alice_, "gone");
  auto kept = add_grant(alice_, "app");
  GrantStore grants(c());
  EXPECT_TRUE(grants.active(g));
  delete_client("gone");
  EXPECT_FALSE(grants.active(g)) << "not revoked, but its client is gone";
  auto live = grants.live_of(alice_.id, kNow);
  ASSERT_EQ(live.size(), 1u);
  EXPECT_EQ(live[0].id, kept);
  EXPECT_TRUE(grants.active(kept));
}

TEST_P(OidcStores, GrantLiveOfYoungOrRefreshBacked) {
  const int64_t old = kNow - kMaxAccessTtl - 1;  // its access tokens are all dead
  auto young = add_grant(alice_, "app", kNow - 10);
  auto stale = add_grant(alice_, "app", old);
  auto backed = add_grant(alice_, "app", old);
  auto rotated_only = add_grant(alice_, "app", old);
  auto revoked = add_grant(alice_, "app", kNow);
  add_grant(bob_, "app", kNow);
  oidc::RefreshStore refresh(c());
  refresh.insert("r-live", refresh_row(backed, alice_, kNow + 500), old);
  refresh.insert("r-dead", refresh_row(stale, alice_, kNow), old);  // expires_at == now: dead
  refresh.insert("r-rot", refresh_row(rotated_only, alice_, kNow + 500), old);
  ASSERT_TRUE(refresh.mark_rotated("r-rot", "r-next", kNow - 1));
  ASSERT_TRUE(GrantStore(c()).revoke(revoked, kNow));

  auto live = GrantStore(c()).live_of(alice_.id, kNow);
  ASSERT_EQ(live.size(), 2u);
  // Oldest first.
  EXPECT_EQ(live[0].id, backed);
  EXPECT_EQ(live[0].refresh_expires_at, kNow + 500);
  EXPECT_EQ(live[0].client_id, "app");
  EXPECT_EQ(live[0].client_name, "The App");
  EXPECT_EQ(live[0].scope, "openid profile");
  EXPECT_EQ(live[1].id, young);
  EXPECT_EQ(live[1].created_at, kNow - 10);
  EXPECT_EQ(live[1].refresh_expires_at, std::nullopt) << "no live refresh token";
  EXPECT_TRUE(GrantStore(c()).live_of(crypto::new_uuid(), kNow).empty());
}

TEST_P(OidcStores, GrantRevokeOfUserTouchesOnlyThatUser) {
  auto a1 = add_grant(alice_), a2 = add_grant(alice_);
  auto b1 = add_grant(bob_);
  GrantStore grants(c());
  EXPECT_TRUE(grants.revoke_of_user(alice_.id, b1, kNow).empty()) << "bob's grant is not alice's to end";
  EXPECT_TRUE(grants.active(b1));

  EXPECT_EQ(grants.revoke_of_user(alice_.id, a1, kNow), std::vector<std::string>{a1});
  EXPECT_FALSE(grants.active(a1));
  EXPECT_TRUE(grants.active(a2));

  EXPECT_EQ(grants.revoke_of_user(alice_.id, "", kNow + 1), std::vector<std::string>{a2}) << "all that is left";
  EXPECT_TRUE(grants.revoke_of_user(alice_.id, "", kNow + 2).empty());
  EXPECT_TRUE(grants.active(b1));
}

// ---------------------------------------------------------------- CodeStore

TEST_P(OidcStores, CodeInsertReadsBackEveryField) {
  auto s = add_session(c(), alice_.id);
  auto g = add_grant(alice_, "app", kNow, s.id);
  CodeRow row{g, "app", alice_.id, "https://app.example/cb?x=1", "openid email", "n-0S6_WzA2Mj", "E9Melhoa2Owv",
              "S256", kNow - 20, "pwd", kNow + 60, std::nullopt, std::nullopt};
  CodeStore(c()).insert("code-hash", row, kNow);
  auto got = CodeStore(c()).by_hash("code-hash");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->grant_id, g);
  EXPECT_EQ(got->client_id, "app");
  EXPECT_EQ(got->user_id, alice_.id);
  EXPECT_EQ(got->redirect_uri, "https://app.example/cb?x=1");
  EXPECT_EQ(got->scope, "openid email");
  EXPECT_EQ(got->nonce, "n-0S6_WzA2Mj");
  EXPECT_EQ(got->code_challenge, "E9Melhoa2Owv");
  EXPECT_EQ(got->code_challenge_method, "S256");
  EXPECT_EQ(got->auth_time, kNow - 20);
  EXPECT_EQ(got->amr, "pwd");
  EXPECT_EQ(got->expires_at, kNow + 60);
  EXPECT_EQ(got->used_at, std::nullopt);
  EXPECT_EQ(got->session_id, s.id) << "read from the grant";
  EXPECT_EQ(CodeStore(c()).by_hash("other"), std::nullopt);
}

TEST_P(OidcStores, CodeMarkUsedIsTrueOnceThenFalse) {
  auto g = add_grant(alice_);
  CodeRow row{g, "app", alice_.id, "https://app.example/cb", "openid", std::nullopt, std::nullopt, std::nullopt,
              kNow, "pwd", kNow + 60, std::nullopt, std::nullopt};
  CodeStore codes(c());
  codes.insert("code-hash", row, kNow);
  auto got = codes.by_hash("code-hash");
  EXPECT_EQ(got->nonce, std::nullopt);
  EXPECT_EQ(got->code_challenge, std::nullopt);
  EXPECT_EQ(got->session_id, std::nullopt);
  EXPECT_TRUE(codes.mark_used("code-hash", kNow + 1));
  EXPECT_FALSE(codes.mark_used("code-hash", kNow + 2)) << "replay";
  EXPECT_EQ(codes.by_hash("code-hash")->used_at, kNow + 1);
  EXPECT_FALSE(codes.mark_used("missing", kNow));
}

TEST_P(OidcStores, CodeMarkUsedRaceHasExactlyOneWinner) {
  auto g = add_grant(alice_);
  CodeRow row{g, "app", alice_.id, "https://app.example/cb", "openid", std::nullopt, std::nullopt, std::nullopt,
              kNow, "pwd", kNow + 60, std::nullopt, std::nullopt};
  CodeStore(c()).insert("code-hash", row, kNow);
  int won = winners(db(), 4, [](Conn& conn, int) { return CodeStore(conn).mark_used("code-hash", kNow + 1); });
  EXPECT_EQ(won, 1) << "an authorization code redeemed concurrently is redeemed once";
}

// ---------------------------------------------------------------- RefreshStore (oidc)

TEST_P(OidcStores, RefreshInsertReadsBack) {
  auto g = add_grant(alice_);
  oidc::RefreshStore refresh(c());
  refresh.insert("rt-1", refresh_row(g, alice_, kNow + 3600), kNow);
  auto got = refresh.by_hash("rt-1");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->grant_id, g);
  EXPECT_EQ(got->client_id, "app");
  EXPECT_EQ(got->user_id, alice_.id);
  EXPECT_EQ(got->scope, "openid offline_access");
  EXPECT_EQ(got->auth_time, kNow - 30);
  EXPECT_EQ(got->expires_at, kNow + 3600);
  EXPECT_EQ(got->rotated_at, std::nullopt);
  EXPECT_EQ(got->successor_hash, std::nullopt);
  EXPECT_EQ(refresh.by_hash("rt-2"), std::nullopt);
}

TEST_P(OidcStores, RefreshMarkRotatedIsTrueOnceThenFalse) {
  auto g = add_grant(alice_);
  oidc::RefreshStore refresh(c());
  refresh.insert("rt-1", refresh_row(g, alice_, kNow + 3600), kNow);
  EXPECT_TRUE(refresh.mark_rotated("rt-1", "rt-2", kNow + 1));
  EXPECT_FALSE(refresh.mark_rotated("rt-1", "rt-3", kNow + 2)) << "someone rotated it first";
  EXPECT_EQ(refresh.by_hash("rt-1")->successor_hash, "rt-2");
  EXPECT_EQ(refresh.by_hash("rt-1")->rotated_at, kNow + 1);
  EXPECT_FALSE(refresh.mark_rotated("missing", "x", kNow));
}

// ---------------------------------------------------------------- ConsentStore

TEST_P(OidcStores, ConsentSaveFindAndUpsert) {
  ConsentStore consents(c());
  EXPECT_EQ(consents.find(alice_.id, "app"), std::nullopt);
  consents.save(alice_.id, "app", {"openid", "email"}, kNow);
  EXPECT_EQ(consents.find(alice_.id, "app"), (std::vector<std::string>{"openid", "email"}));
  consents.save(alice_.id, "app", {"openid", "email", "profile"}, kNow + 5);
  EXPECT_EQ(consents.find(alice_.id, "app"), (std::vector<std::string>{"openid", "email", "profile"}));
  EXPECT_EQ(consents.find(bob_.id, "app"), std::nullopt);

  auto rows = consents.of_user(alice_.id);
  ASSERT_EQ(rows.size(), 1u) << "a second save updates, it does not add";
  EXPECT_EQ(rows[0].client_id, "app");
  EXPECT_EQ(rows[0].client_name, "The App");
  EXPECT_EQ(rows[0].created_at, kNow);
  EXPECT_EQ(rows[0].updated_at, kNow + 5);
}

TEST_P(OidcStores, ConsentOfUserSkipsDeletedClients) {
  add_client("gone", "Gone App");
  ConsentStore consents(c());
  consents.save(alice_.id, "app", {"openid"}, kNow);
  consents.save(alice_.id, "gone", {"openid"}, kNow + 1);
  ASSERT_EQ(consents.of_user(alice_.id).size(), 2u);
  EXPECT_EQ(consents.of_user(alice_.id)[1].client_id, "gone") << "oldest first";
  delete_client("gone");
  auto rows = consents.of_user(alice_.id);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].client_id, "app");
  EXPECT_TRUE(consents.of_user(bob_.id).empty());
}

TEST_P(OidcStores, ConsentRemoveRevokesOnlyThatClientsGrantsOfThatUser) {
  add_client("other", "Other App");
  ConsentStore consents(c());
  consents.save(alice_.id, "app", {"openid"}, kNow);
  consents.save(alice_.id, "other", {"openid"}, kNow);
  consents.save(bob_.id, "app", {"openid"}, kNow);
  auto a_app = add_grant(alice_, "app");
  auto a_app_unconsented = add_grant(alice_, "app");  // e.g. a first-party client: no consent row
  auto a_other = add_grant(alice_, "other");
  auto b_app = add_grant(bob_, "app");

  std::vector<std::string> revoked;
  EXPECT_EQ(consents.remove(alice_.id, "app", kNow + 1, &revoked), 1);
  std::sort(revoked.begin(), revoked.end());
  auto expected = std::vector<std::string>{a_app, a_app_unconsented};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(revoked, expected);
  GrantStore grants(c());
  EXPECT_FALSE(grants.active(a_app));
  EXPECT_FALSE(grants.active(a_app_unconsented));
  EXPECT_TRUE(grants.active(a_other));
  EXPECT_TRUE(grants.active(b_app)) << "bob's grant";
  EXPECT_EQ(consents.find(bob_.id, "app"), std::vector<std::string>{"openid"});

  // Empty client id: everything of that user.
  revoked.clear();
  EXPECT_EQ(consents.remove(alice_.id, "", kNow + 2, &revoked), 1);
  EXPECT_EQ(revoked, std::vector<std::string>{a_other});
  EXPECT_TRUE(consents.of_user(alice_.id).empty());
  EXPECT_TRUE(grants.active(b_app));
}

// ---------------------------------------------------------------- DeviceStore

TEST_P(OidcStores, DeviceInsertReadsBackByHashAndUserCode) {
  DeviceStore devices(c());
  devices.insert(device("dev-hash", "WDJB-MJHT"), kNow);
  auto got = devices.by_hash("dev-hash");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->device_code_hash, "dev-hash");
  EXPECT_EQ(got->user_code, "WDJB-MJHT");
  EXPECT_EQ(got->client_id, "app");
  EXPECT_EQ(got->scope, "openid");
  EXPECT_EQ(got->status, "pending");
  EXPECT_EQ(got->expires_at, kNow + 600);
  EXPECT_EQ(got->interval, 5);
  EXPECT_EQ(got->last_poll_at, std::nullopt);
  EXPECT_EQ(got->auth_time, std::nullopt);
  EXPECT_EQ(got->user_id, std::nullopt);
  EXPECT_EQ(got->session_id, std::nullopt);
  ASSERT_TRUE(devices.by_user_code("WDJB-MJHT"));
  EXPECT_EQ(devices.by_user_code("WDJB-MJHT")->device_code_hash, "dev-hash");
  EXPECT_EQ(devices.by_user_code("wdjb-mjht"), std::nullopt) << "user codes are matched exactly";
  EXPECT_EQ(devices.by_hash("other"), std::nullopt);
}

TEST_P(OidcStores, DeviceDuplicateUserCodeIsAUniqueViolation) {
  DeviceStore devices(c());
  devices.insert(device("h1", "AAAA-BBBB"), kNow);
  try {
    devices.insert(device("h2", "AAAA-BBBB"), kNow);
    ADD_FAILURE() << "a second pending code with the same user code was stored";
  } catch (const store::DbError& e) {
    EXPECT_EQ(e.kind, store::DbError::Kind::unique_violation) << e.what();
  }
  EXPECT_EQ(devices.by_hash("h2"), std::nullopt);
}

TEST_P(OidcStores, DeviceDecideIsTrueOnceThenFalse) {
  auto s = add_session(c(), alice_.id);
  DeviceStore devices(c());
  devices.insert(device("h1", "AAAA-BBBB"), kNow);
  devices.insert(device("h2", "CCCC-DDDD"), kNow);
  EXPECT_TRUE(devices.decide("AAAA-BBBB", true, alice_.id, s.id, kNow - 3));
  EXPECT_FALSE(devices.decide("AAAA-BBBB", false, bob_.id, s.id, kNow)) << "no longer pending";
  auto got = devices.by_hash("h1");
  EXPECT_EQ(got->status, "approved");
  EXPECT_EQ(got->user_id, alice_.id);
  EXPECT_EQ(got->session_id, s.id);
  EXPECT_EQ(got->auth_time, kNow - 3);

  EXPECT_TRUE(devices.decide("CCCC-DDDD", false, alice_.id, s.id, kNow));
  EXPECT_EQ(devices.by_hash("h2")->status, "denied");
  EXPECT_FALSE(devices.decide("CCCC-DDDD", true, alice_.id, s.id, kNow)) << "a denial is final";
  EXPECT_FALSE(devices.decide("ZZZZ-ZZZZ", true, alice_.id, s.id, kNow));
}

TEST_P(OidcStores, DeviceMarkUsedOnlyOnceAndOnlyWhenApproved) {
  auto s = add_session(c(), alice_.id);
  DeviceStore devices(c());
  devices.insert(device("h1", "AAAA-BBBB"), kNow);
  EXPECT_FALSE(devices.mark_used("h1")) << "still pending";
  ASSERT_TRUE(devices.decide("AAAA-BBBB", true, alice_.id, s.id, kNow));
  EXPECT_TRUE(devices.mark_used("h1"));
  EXPECT_FALSE(devices.mark_used("h1")) << "one token per approval";
  EXPECT_EQ(devices.by_hash("h1")->status, "used");
}

TEST_P(OidcStores, DeviceSetPollRecordsTimeAndInterval) {
  DeviceStore devices(c());
  devices.insert(device("h1", "AAAA-BBBB"), kNow);
  devices.insert(device("h2", "CCCC-DDDD"), kNow);
  devices.set_poll("h1", kNow + 5, 10);
  EXPECT_EQ(devices.by_hash("h1")->last_poll_at, kNow + 5);
  EXPECT_EQ(devices.by_hash("h1")->interval, 10);
  EXPECT_EQ(devices.by_hash("h2")->last_poll_at, std::nullopt);
  EXPECT_EQ(devices.by_hash("h2")->interval, 5);
}

// ---------------------------------------------------------------- BrowserStore

TEST_P(OidcStores, BrowserSessionLivesWithItsIdentitySession) {
  auto s = add_session(c(), alice_.id, 100);
  BrowserStore browser(c());
  browser.insert("cookie-hash", BrowserRow{s.id, alice_.id, kNow - 7}, kNow);
  auto got = browser.by_hash("cookie-hash", kNow);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->session_id, s.id);
  EXPECT_EQ(got->user_id, alice_.id);
  EXPECT_EQ(got->auth_time, kNow - 7);
  EXPECT_EQ(browser.by_hash("cookie-hash", kNow + 100), std::nullopt) << "the session expired";
  EXPECT_EQ(browser.by_hash("other-hash", kNow), std::nullopt);

  ASSERT_TRUE(identity::SessionStore(c()).revoke(s.id, kNow + 1, "logout"));
  EXPECT_EQ(browser.by_hash("cookie-hash", kNow + 2), std::nullopt) << "the session was revoked";
}

TEST_P(OidcStores, BrowserSessionEndsWithLockedOrDeletedAccount) {
  auto sa = add_session(c(), alice_.id);
  auto sb = add_session(c(), bob_.id);
  BrowserStore browser(c());
  browser.insert("ha", BrowserRow{sa.id, alice_.id, kNow}, kNow);
  browser.insert("hb", BrowserRow{sb.id, bob_.id, kNow}, kNow);
  identity::UserStore(c()).set_locked(alice_.id, true, kNow);
  identity::UserStore(c()).soft_delete(bob_.id, kNow);
  EXPECT_EQ(browser.by_hash("ha", kNow), std::nullopt);
  EXPECT_EQ(browser.by_hash("hb", kNow), std::nullopt);
  identity::UserStore(c()).set_locked(alice_.id, false, kNow);
  EXPECT_TRUE(browser.by_hash("ha", kNow)) << "unlocking brings it back";
}

TEST_P(OidcStores, BrowserRemoveDeletesOnlyThatCookie) {
  auto s = add_session(c(), alice_.id);
  BrowserStore browser(c());
  browser.insert("h1", BrowserRow{s.id, alice_.id, kNow}, kNow);
  browser.insert("h2", BrowserRow{s.id, alice_.id, kNow}, kNow);
  browser.remove("h1");
  browser.remove("never-existed");
  EXPECT_EQ(browser.by_hash("h1", kNow), std::nullopt);
  EXPECT_TRUE(browser.by_hash("h2", kNow));
}

// ---------------------------------------------------------------- RevokedJtiStore

TEST_P(OidcStores, RevokedJtiAddContainsAndIgnoresRepeats) {
  RevokedJtiStore revoked(c());
  EXPECT_FALSE(revoked.contains("jti-1"));
  revoked.add("jti-1", kNow + 60);
  revoked.add("jti-1", kNow + 90);  // a second revocation of the same token is not an error
  EXPECT_TRUE(revoked.contains("jti-1"));
  EXPECT_FALSE(revoked.contains("jti-2"));
  EXPECT_FALSE(revoked.contains("JTI-1")) << "token ids are case-sensitive";
  EXPECT_EQ(c().query("SELECT COUNT(*) FROM oauth_revoked_tokens")[0].i64(0), 1);
}

}  // namespace
}  // namespace gatehouse::contract
