// Contract of the signing-key store (identity/key_store.hpp), run on SQLite and on
// PostgreSQL. Key material is opaque text here: the store only carries it, sealing and
// parsing are KeyRing's.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine_fixture.hpp"
#include "identity/key_store.hpp"

namespace gatehouse::contract {
namespace {

using identity::KeyRow;
using identity::KeyStore;

class SigningKeys : public EngineTest {
 protected:
  void add_key(const std::string& kid, const std::string& alg, int64_t created_at, int64_t signs_from) {
    KeyStore(c()).insert(kid, alg, "-----BEGIN PUBLIC KEY-----\n" + kid, "sealed:" + kid, created_at, signs_from);
  }
  static std::vector<std::string> kids(const std::vector<KeyRow>& rows) {
    std::vector<std::string> out;
    for (auto& r : rows) out.push_back(r.kid);
    return out;
  }
};
GATEHOUSE_CONTRACT_ENGINES(SigningKeys);

TEST_P(SigningKeys, InsertReadsBackThroughPublishedAndAll) {
  add_key("k1", "ES256", kNow - 10, kNow + 50);  // published ahead: signs later than it is made
  auto pub = KeyStore(c()).published(kNow);
  ASSERT_EQ(pub.size(), 1u);
  EXPECT_EQ(pub[0].kid, "k1");
  EXPECT_EQ(pub[0].alg, "ES256");
  EXPECT_EQ(pub[0].private_sealed, "sealed:k1");
  EXPECT_EQ(pub[0].created_at, kNow - 10);
  EXPECT_EQ(pub[0].signs_from, kNow + 50);
  EXPECT_EQ(pub[0].retired_at, std::nullopt);
  EXPECT_EQ(pub[0].expires_at, std::nullopt);
  EXPECT_EQ(c().query("SELECT public_pem FROM signing_keys WHERE kid = 'k1'")[0].str(0),
            "-----BEGIN PUBLIC KEY-----\nk1");

  auto all = KeyStore(c()).all();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].kid, "k1");
  EXPECT_EQ(all[0].signs_from, kNow + 50);
  EXPECT_EQ(all[0].private_sealed, "") << "all() is the admin listing: no private parts";
}

TEST_P(SigningKeys, DuplicateKidIsAUniqueViolation) {
  add_key("k1", "ES256", kNow, kNow);
  try {
    add_key("k1", "RS256", kNow + 1, kNow + 1);
    ADD_FAILURE() << "a second key with the same kid was stored";
  } catch (const store::DbError& e) {
    EXPECT_EQ(e.kind, store::DbError::Kind::unique_violation) << e.what();
  }
  ASSERT_EQ(KeyStore(c()).all().size(), 1u);
  EXPECT_EQ(KeyStore(c()).all()[0].alg, "ES256");
}

TEST_P(SigningKeys, SignsFromDefaultsToCreatedAtForOlderRows) {
  // Keys made before 0005_key_publish_ahead have no signs_from: they signed from creation.
  c().query("INSERT INTO signing_keys (kid, alg, public_pem, private_sealed, created_at)"
            " VALUES ('legacy', 'RS256', 'pem', 'sealed', $1)",
            {kNow - 1000});
  add_key("new", "RS256", kNow, kNow + 60);
  auto pub = KeyStore(c()).published(kNow);
  ASSERT_EQ(kids(pub), (std::vector<std::string>{"new", "legacy"}));
  EXPECT_EQ(pub[1].signs_from, kNow - 1000);
  EXPECT_EQ(pub[0].signs_from, kNow + 60) << "a stored signs_from wins over created_at";
  auto all = KeyStore(c()).all();
  ASSERT_EQ(kids(all), (std::vector<std::string>{"new", "legacy"}));
  EXPECT_EQ(all[1].signs_from, kNow - 1000);
}

TEST_P(SigningKeys, HasActiveIsPerAlgorithmAndEndsWithRetirement) {
  KeyStore keys(c());
  EXPECT_FALSE(keys.has_active("ES256")) << "empty table";
  add_key("es", "ES256", kNow, kNow);
  EXPECT_TRUE(keys.has_active("ES256"));
  EXPECT_FALSE(keys.has_active("RS256")) << "another algorithm's key does not count";
  EXPECT_FALSE(keys.has_active("es256")) << "algorithm names are matched exactly";
  // Active means "no retirement scheduled" (the admin listing's active = !retired_at): a
  // retirement set for later ends it at once, which is why rotate() inserts the successor
  // in the same transaction.
  keys.retire_active("ES256", kNow + 300, kNow + 900);
  EXPECT_FALSE(keys.has_active("ES256"));
  add_key("es2", "ES256", kNow + 1, kNow + 300);
  EXPECT_TRUE(keys.has_active("ES256"));
}

TEST_P(SigningKeys, RetireActiveSchedulesOnlyThatAlgorithmsActiveKey) {
  add_key("es-old", "ES256", kNow - 200, kNow - 200);
  KeyStore keys(c());
  keys.retire_active("ES256", kNow - 100, kNow + 500);
  add_key("es", "ES256", kNow - 100, kNow - 100);
  add_key("rs", "RS256", kNow - 50, kNow - 50);

  keys.retire_active("ES256", kNow + 60, kNow + 3600);
  auto all = keys.all();  // newest first: rs, es, es-old
  ASSERT_EQ(kids(all), (std::vector<std::string>{"rs", "es", "es-old"}));
  EXPECT_EQ(all[1].retired_at, kNow + 60);
  EXPECT_EQ(all[1].expires_at, kNow + 3600);
  EXPECT_EQ(all[2].retired_at, kNow - 100) << "an already retired key keeps its schedule";
  EXPECT_EQ(all[2].expires_at, kNow + 500);
  EXPECT_EQ(all[0].retired_at, std::nullopt) << "another algorithm";
  EXPECT_EQ(all[0].expires_at, std::nullopt);

  keys.retire_active("EdDSA", kNow, kNow);  // none of that algorithm: nothing happens
  EXPECT_EQ(keys.all()[0].retired_at, std::nullopt);
}

TEST_P(SigningKeys, PublishedDropsExpiredKeysNewestFirst) {
  add_key("oldest", "RS256", kNow - 300, kNow - 300);
  add_key("middle", "RS256", kNow - 200, kNow - 200);
  add_key("newest", "ES256", kNow - 100, kNow - 100);
  KeyStore keys(c());
  // Retire "oldest" and "middle" by hand with different expiries (retire_active would
  // give them one schedule): one expires exactly at kNow, the other a second later.
  c().query("UPDATE signing_keys SET retired_at = $1, expires_at = $2 WHERE kid = 'oldest'", {kNow - 250, kNow + 1});
  c().query("UPDATE signing_keys SET retired_at = $1, expires_at = $2 WHERE kid = 'middle'", {kNow - 150, kNow});

  EXPECT_EQ(kids(keys.published(kNow - 1)), (std::vector<std::string>{"newest", "middle", "oldest"}));
  EXPECT_EQ(kids(keys.published(kNow)), (std::vector<std::string>{"newest", "oldest"}))
      << "expires_at == now: no longer published";
  auto pub = keys.published(kNow);
  EXPECT_EQ(pub[1].retired_at, kNow - 250) << "retired but unexpired keys stay published (tokens still verify)";
  EXPECT_EQ(pub[1].expires_at, kNow + 1);
  EXPECT_EQ(pub[1].private_sealed, "sealed:oldest");
  EXPECT_EQ(kids(keys.published(kNow + 1)), std::vector<std::string>{"newest"});
  EXPECT_EQ(kids(keys.all()), (std::vector<std::string>{"newest", "middle", "oldest"}))
      << "all() keeps expired keys";
}

}  // namespace
}  // namespace gatehouse::contract
