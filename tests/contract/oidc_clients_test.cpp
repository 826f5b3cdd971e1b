// Contract of the registered-client store (oidc/client_store.hpp) and of the parked
// authorization requests (PendingRequestStore, oidc/store.hpp), run on SQLite and on
// PostgreSQL. Columns the stores never return (created_by, deleted, revoked_at) are read
// with plain SQL.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine_fixture.hpp"
#include "oidc/client_store.hpp"
#include "oidc/store.hpp"

namespace gatehouse::contract {
namespace {

using namespace gatehouse::oidc;

class OidcClients : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    admin_ = add_user(c(), "admin@example.com", "admin");
    alice_ = add_user(c(), "alice@example.com", "alice");
  }

  /// A confidential client with every optional field set, so a read-back that drops one shows.
  Client confidential(const std::string& id, int64_t created_at = kNow) {
    Client cl;
    cl.id = id;
    cl.name = "Client " + id;
    cl.secret_hash = "5e8848a1f0c3" + id;
    cl.is_public = false;
    // Characters JSON must escape (quote, backslash), a query string and non-ASCII text:
    // the list columns are JSON text on both engines.
    cl.redirect_uris = {"https://app.example/cb?a=1&b=2", "https://app.example/\"quoted\"\\path",
                        "https://bücher.example/cb"};
    cl.post_logout_redirect_uris = {"https://app.example/bye"};
    cl.grant_types = {"authorization_code", "refresh_token"};
    cl.scopes = {"openid", "profile", "email", "offline_access"};
    cl.auth_method = "private_key_jwt";
    cl.jwks = R"({"keys":[{"kty":"EC","crv":"P-256","x":"f83O","y":"x_FE"}]})";
    cl.first_party = true;
    cl.access_token_ttl = 600;
    cl.refresh_token_ttl = 86400 * 30;
    cl.id_token_ttl = 300;
    cl.id_token_alg = "ES256";
    cl.created_at = created_at;
    cl.updated_at = created_at;
    return cl;
  }
  /// A public client: no secret, no jwks, no TTL overrides, empty lists.
  Client public_client(const std::string& id, int64_t created_at = kNow) {
    Client cl;
    cl.id = id;
    cl.name = "Public " + id;
    cl.is_public = true;
    cl.auth_method = "none";
    cl.created_at = created_at;
    cl.updated_at = created_at;
    return cl;
  }
  std::string add_grant(const std::string& client, const identity::User& u) {
    auto id = crypto::new_uuid();
    GrantStore(c()).insert(id, client, u.id, std::nullopt, "openid", kNow);
    return id;
  }
  std::optional<int64_t> revoked_at(const std::string& grant) {
    return c().query("SELECT revoked_at FROM oauth_grants WHERE id = $1", {grant})[0].opt_i64(0);
  }

  identity::User admin_, alice_;
};
GATEHOUSE_CONTRACT_ENGINES(OidcClients);

// ---------------------------------------------------------------- ClientStore

TEST_P(OidcClients, ClientInsertReadsBackEveryField) {
  ClientStore clients(c());
  clients.insert(confidential("conf", kNow - 9), admin_.id);
  auto got = clients.by_id("conf");
  ASSERT_TRUE(got);
  auto want = confidential("conf", kNow - 9);
  EXPECT_EQ(got->id, "conf");
  EXPECT_EQ(got->name, want.name);
  EXPECT_EQ(got->secret_hash, want.secret_hash);
  EXPECT_FALSE(got->is_public);
  EXPECT_EQ(got->redirect_uris, want.redirect_uris) << "JSON escapes and non-ASCII survive the round trip";
  EXPECT_EQ(got->post_logout_redirect_uris, want.post_logout_redirect_uris);
  EXPECT_EQ(got->grant_types, want.grant_types);
  EXPECT_EQ(got->scopes, want.scopes) << "order kept";
  EXPECT_EQ(got->auth_method, "private_key_jwt");
  EXPECT_EQ(got->jwks, want.jwks);
  EXPECT_TRUE(got->first_party);
  EXPECT_EQ(got->access_token_ttl, 600);
  EXPECT_EQ(got->refresh_token_ttl, 86400 * 30);
  EXPECT_EQ(got->id_token_ttl, 300);
  EXPECT_EQ(got->id_token_alg, "ES256");
  EXPECT_EQ(got->created_at, kNow - 9);
  EXPECT_EQ(got->updated_at, kNow - 9);
  EXPECT_EQ(c().query("SELECT created_by FROM oauth_clients WHERE id = 'conf'")[0].opt(0), admin_.id);
  EXPECT_TRUE(clients.active("conf"));
  EXPECT_EQ(clients.by_id("CONF"), std::nullopt) << "client ids are matched exactly";
  EXPECT_EQ(clients.by_id("missing"), std::nullopt);
  EXPECT_FALSE(clients.active("missing"));
}

TEST_P(OidcClients, PublicClientStoresNullsAndEmptyLists) {
  ClientStore clients(c());
  clients.insert(public_client("spa"), admin_.id);
  // Empty secret and jwks are stored as NULL (the schema's "no secret"), not as ''.
  auto raw = c().query("SELECT secret_hash, jwks, access_token_ttl, refresh_token_ttl, id_token_ttl"
                       " FROM oauth_clients WHERE id = 'spa'")[0];
  for (std::size_t i = 0; i < 5; ++i) EXPECT_TRUE(raw.is_null(i)) << "column " << i;
  auto got = clients.by_id("spa");
  ASSERT_TRUE(got);
  EXPECT_TRUE(got->is_public);
  EXPECT_EQ(got->secret_hash, "");
  EXPECT_EQ(got->jwks, "");
  EXPECT_TRUE(got->redirect_uris.empty());
  EXPECT_TRUE(got->post_logout_redirect_uris.empty());
  EXPECT_TRUE(got->grant_types.empty());
  EXPECT_TRUE(got->scopes.empty());
  EXPECT_FALSE(got->first_party);
  EXPECT_EQ(got->access_token_ttl, std::nullopt) << "no override: the server default applies";
  EXPECT_EQ(got->refresh_token_ttl, std::nullopt);
  EXPECT_EQ(got->id_token_ttl, std::nullopt);
  EXPECT_EQ(got->id_token_alg, "RS256");
}

TEST_P(OidcClients, ClientDuplicateIdIsAUniqueViolation) {
  ClientStore clients(c());
  clients.insert(confidential("app"), admin_.id);
  try {
    clients.insert(public_client("app"), admin_.id);
    ADD_FAILURE() << "a second client with the same id was stored";
  } catch (const store::DbError& e) {
    EXPECT_EQ(e.kind, store::DbError::Kind::unique_violation) << e.what();
  }
  EXPECT_FALSE(clients.by_id("app")->is_public) << "the first one is untouched";
}

TEST_P(OidcClients, ClientUpdateKeepsPublicSecretAndCreatedAt) {
  ClientStore clients(c());
  clients.insert(confidential("app", kNow - 100), admin_.id);
  clients.insert(confidential("other", kNow - 100), admin_.id);

  // Everything changes in the struct, including the three fields update must not write.
  Client changed = public_client("app", kNow + 50);
  changed.name = "Renamed";
  changed.secret_hash = "attacker-chosen";
  changed.redirect_uris = {"https://new.example/cb"};
  changed.grant_types = {"client_credentials"};
  changed.scopes = {"api"};
  changed.auth_method = "client_secret_post";
  changed.access_token_ttl = 120;  // was 600
  changed.refresh_token_ttl = std::nullopt;  // was set: an update can clear an override
  changed.id_token_ttl = std::nullopt;
  changed.updated_at = kNow + 7;
  clients.update(changed);

  auto got = clients.by_id("app");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->name, "Renamed");
  EXPECT_EQ(got->redirect_uris, std::vector<std::string>{"https://new.example/cb"});
  EXPECT_TRUE(got->post_logout_redirect_uris.empty());
  EXPECT_EQ(got->grant_types, std::vector<std::string>{"client_credentials"});
  EXPECT_EQ(got->scopes, std::vector<std::string>{"api"});
  EXPECT_EQ(got->auth_method, "client_secret_post");
  EXPECT_EQ(got->jwks, "") << "cleared";
  EXPECT_FALSE(got->first_party);
  EXPECT_EQ(got->access_token_ttl, 120);
  EXPECT_EQ(got->refresh_token_ttl, std::nullopt);
  EXPECT_EQ(got->id_token_ttl, std::nullopt);
  EXPECT_EQ(got->id_token_alg, "RS256");
  EXPECT_EQ(got->updated_at, kNow + 7);
  // Not the update's to change: the secret has its own call, public and created_at never move.
  EXPECT_FALSE(got->is_public);
  EXPECT_EQ(got->secret_hash, confidential("app").secret_hash);
  EXPECT_EQ(got->created_at, kNow - 100);

  auto other = clients.by_id("other");
  EXPECT_EQ(other->name, "Client other") << "only the row with that id";
  EXPECT_EQ(other->access_token_ttl, 600);
}

TEST_P(OidcClients, ClientSetSecretHashTouchesOnlyThatClient) {
  ClientStore clients(c());
  clients.insert(confidential("app"), admin_.id);
  clients.insert(confidential("other"), admin_.id);
  clients.set_secret_hash("app", "new-hash", kNow + 3);
  EXPECT_EQ(clients.by_id("app")->secret_hash, "new-hash");
  EXPECT_EQ(clients.by_id("app")->updated_at, kNow + 3);
  EXPECT_EQ(clients.by_id("app")->name, "Client app");
  EXPECT_EQ(clients.by_id("other")->secret_hash, confidential("other").secret_hash);
  EXPECT_EQ(clients.by_id("other")->updated_at, kNow);
  clients.set_secret_hash("missing", "x", kNow);  // no row: nothing to do, not an error
  EXPECT_EQ(clients.by_id("missing"), std::nullopt);
}

TEST_P(OidcClients, ClientAllIsOldestFirstAndSkipsDeleted) {
  ClientStore clients(c());
  clients.insert(confidential("middle", kNow - 5), admin_.id);
  clients.insert(public_client("newest", kNow), admin_.id);
  clients.insert(confidential("oldest", kNow - 10), admin_.id);
  auto ids = [&] {
    std::vector<std::string> out;
    for (auto& cl : clients.all()) out.push_back(cl.id);
    return out;
  };
  EXPECT_EQ(ids(), (std::vector<std::string>{"oldest", "middle", "newest"})) << "by created_at, not insertion";
  ASSERT_TRUE(clients.remove("middle", kNow + 1));
  EXPECT_EQ(ids(), (std::vector<std::string>{"oldest", "newest"}));
  EXPECT_EQ(clients.all()[1].name, "Public newest") << "full rows, not just ids";
}

TEST_P(OidcClients, ClientRemoveSoftDeletesAndRevokesItsGrants) {
  ClientStore clients(c());
  clients.insert(confidential("app"), admin_.id);
  clients.insert(confidential("other"), admin_.id);
  auto g1 = add_grant("app", alice_);
  auto g2 = add_grant("app", admin_);
  auto earlier = add_grant("app", alice_);
  ASSERT_TRUE(GrantStore(c()).revoke(earlier, kNow + 1));
  auto kept = add_grant("other", alice_);

  EXPECT_TRUE(clients.remove("app", kNow + 10));
  EXPECT_EQ(clients.by_id("app"), std::nullopt);
  EXPECT_FALSE(clients.active("app"));
  // Soft: the row stays (grants, codes and audit entries still point at it).
  auto row = c().query("SELECT deleted, updated_at FROM oauth_clients WHERE id = 'app'");
  ASSERT_EQ(row.size(), 1u);
  EXPECT_EQ(row[0].i64(0), 1);
  EXPECT_EQ(row[0].i64(1), kNow + 10);

  EXPECT_EQ(revoked_at(g1), kNow + 10);
  EXPECT_EQ(revoked_at(g2), kNow + 10) << "every user's grant of that client";
  EXPECT_EQ(revoked_at(earlier), kNow + 1) << "an earlier revocation keeps its time";
  EXPECT_EQ(revoked_at(kept), std::nullopt) << "another client's grant";
  EXPECT_TRUE(GrantStore(c()).active(kept));
  EXPECT_TRUE(clients.active("other"));

  EXPECT_FALSE(clients.remove("app", kNow + 20)) << "already removed";
  EXPECT_EQ(c().query("SELECT updated_at FROM oauth_clients WHERE id = 'app'")[0].i64(0), kNow + 10)
      << "a second remove changes nothing";
  EXPECT_FALSE(clients.remove("missing", kNow));
}

TEST_P(OidcClients, RemovedClientCannotBeUpdatedBack) {
  ClientStore clients(c());
  clients.insert(confidential("app"), admin_.id);
  ASSERT_TRUE(clients.remove("app", kNow + 1));
  // An edit racing the removal must not resurrect the client: update leaves `deleted` alone.
  auto edit = confidential("app");
  edit.name = "Edited";
  clients.update(edit);
  EXPECT_EQ(clients.by_id("app"), std::nullopt);
  EXPECT_FALSE(clients.active("app"));
  EXPECT_TRUE(clients.all().empty());
}

// ---------------------------------------------------------------- PendingRequestStore

TEST_P(OidcClients, PendingInsertReadsBackUntilItExpires) {
  PendingRequestStore pending(c());
  const std::string params = R"({"client_id":"app","scope":"openid","state":"ünï \"q\"","max_age":0})";
  pending.insert("h1", params, kNow - 5, kNow + 600);
  auto got = pending.by_hash("h1", kNow);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->params_json, params) << "stored as given, byte for byte";
  EXPECT_EQ(got->created_at, kNow - 5);
  EXPECT_EQ(got->signed_in_session, std::nullopt);
  EXPECT_TRUE(pending.by_hash("h1", kNow + 599));
  EXPECT_EQ(pending.by_hash("h1", kNow + 600), std::nullopt) << "expires_at == now: expired";
  EXPECT_EQ(pending.by_hash("h2", kNow), std::nullopt);
}

TEST_P(OidcClients, PendingInsertDropsOnlyExpiredRows) {
  PendingRequestStore pending(c());
  pending.insert("old", "{}", kNow - 700, kNow - 100);
  pending.insert("boundary", "{}", kNow - 600, kNow);
  pending.insert("live", "{}", kNow - 500, kNow + 1);
  ASSERT_EQ(c().query("SELECT COUNT(*) FROM oauth_pending_requests")[0].i64(0), 3)
      << "each insert ran at its own (earlier) now, so nothing was expired yet";

  pending.insert("new", "{}", kNow, kNow + 600);
  std::vector<std::string> left;
  for (auto& r : c().query("SELECT handle_hash FROM oauth_pending_requests ORDER BY handle_hash"))
    left.push_back(r.str(0));
  EXPECT_EQ(left, (std::vector<std::string>{"live", "new"})) << "expires_at <= now is gone, later stays";
}

TEST_P(OidcClients, PendingDuplicateHandleIsAUniqueViolation) {
  PendingRequestStore pending(c());
  pending.insert("h1", R"({"n":1})", kNow, kNow + 600);
  try {
    pending.insert("h1", R"({"n":2})", kNow, kNow + 600);
    ADD_FAILURE() << "a second request with the same handle was stored";
  } catch (const store::DbError& e) {
    EXPECT_EQ(e.kind, store::DbError::Kind::unique_violation) << e.what();
  }
  EXPECT_EQ(pending.by_hash("h1", kNow)->params_json, R"({"n":1})");
}

TEST_P(OidcClients, PendingSetSignedInAndRemoveTouchOnlyThatHandle) {
  auto s = add_session(c(), alice_.id);
  PendingRequestStore pending(c());
  pending.insert("h1", "{}", kNow, kNow + 600);
  pending.insert("h2", "{}", kNow, kNow + 600);
  pending.set_signed_in("h1", s.id);
  EXPECT_EQ(pending.by_hash("h1", kNow)->signed_in_session, s.id);
  EXPECT_EQ(pending.by_hash("h2", kNow)->signed_in_session, std::nullopt);
  pending.set_signed_in("missing", s.id);  // a handle that expired meanwhile: nothing to do
  EXPECT_EQ(pending.by_hash("missing", kNow), std::nullopt);

  pending.remove("h1");
  pending.remove("never-existed");
  EXPECT_EQ(pending.by_hash("h1", kNow), std::nullopt);
  ASSERT_TRUE(pending.by_hash("h2", kNow));
  EXPECT_EQ(c().query("SELECT COUNT(*) FROM oauth_pending_requests")[0].i64(0), 1);
}

}  // namespace
}  // namespace gatehouse::contract
