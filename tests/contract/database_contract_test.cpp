// What the stores rely on from store::Database and store::Conn, on both engines: values
// round-trip, affected-row counts (the "true once, then false" methods read them), driver
// errors are classified the same way, and transactions commit or roll back as documented.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "engine_fixture.hpp"

namespace gatehouse::contract {
namespace {

using store::DbError;

class DatabaseContract : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    c().exec_script("CREATE TABLE contract_values (k TEXT PRIMARY KEY, i BIGINT, t TEXT)");
  }
  int64_t count() { return c().query("SELECT COUNT(*) FROM contract_values")[0].i64(0); }
};
GATEHOUSE_CONTRACT_ENGINES(DatabaseContract);

TEST_P(DatabaseContract, ValuesRoundTrip) {
  const int64_t big = int64_t{1} << 53;  // beyond 32 bits: timestamps in ms, counters
  c().query("INSERT INTO contract_values (k, i, t) VALUES ($1, $2, $3)", {"big", big, "ünïcode ✓"});
  c().query("INSERT INTO contract_values (k, i, t) VALUES ($1, $2, $3)", {"neg", int64_t{-42}, ""});
  c().query("INSERT INTO contract_values (k, i, t) VALUES ($1, $2, $3)", {"null", nullptr, nullptr});
  c().query("INSERT INTO contract_values (k, i, t) VALUES ($1, $2, $3)", {"flag", true, std::optional<std::string>{}});

  auto row = [&](const char* k) { return c().query("SELECT i, t FROM contract_values WHERE k = $1", {k})[0]; };
  EXPECT_EQ(row("big").i64(0), big);
  EXPECT_EQ(row("big").str(1), "ünïcode ✓");
  EXPECT_EQ(row("neg").i64(0), -42);
  EXPECT_FALSE(row("neg").is_null(1)) << "an empty string is not NULL";
  EXPECT_EQ(row("neg").str(1), "");
  EXPECT_TRUE(row("null").is_null(0));
  EXPECT_TRUE(row("null").is_null(1));
  EXPECT_EQ(row("null").opt_i64(0), std::nullopt);
  EXPECT_TRUE(row("flag").flag(0)) << "booleans are stored as 1";
  EXPECT_EQ(row("flag").i64(0), 1);
  EXPECT_TRUE(row("flag").is_null(1)) << "an empty optional binds NULL";
}

TEST_P(DatabaseContract, AffectedCountsWritesOnly) {
  c().query("INSERT INTO contract_values (k, i) VALUES ('a', 1), ('b', 1), ('c', 2)");
  EXPECT_EQ(c().query("UPDATE contract_values SET t = 'x' WHERE i = $1", {1}).affected, 2);
  EXPECT_EQ(c().query("UPDATE contract_values SET t = 'x' WHERE i = $1", {99}).affected, 0);
  EXPECT_EQ(c().query("INSERT INTO contract_values (k, i) VALUES ('a', 5) ON CONFLICT DO NOTHING").affected, 0)
      << "a skipped insert changed nothing";
  EXPECT_EQ(c().query("INSERT INTO contract_values (k, i) VALUES ('d', 5) ON CONFLICT DO NOTHING").affected, 1);
  EXPECT_EQ(c().query("DELETE FROM contract_values WHERE i = $1", {5}).affected, 1);
  EXPECT_EQ(c().query("DELETE FROM contract_values WHERE k = $1", {"zzz"}).affected, 0);
  EXPECT_EQ(count(), 3);
}

TEST_P(DatabaseContract, DuplicateKeyIsAUniqueViolationAndForeignKeyIsNot) {
  c().query("INSERT INTO contract_values (k, i) VALUES ('a', 1)");
  try {
    c().query("INSERT INTO contract_values (k, i) VALUES ('a', 2)");
    ADD_FAILURE() << "duplicate primary key accepted";
  } catch (const DbError& e) {
    EXPECT_EQ(e.kind, DbError::Kind::unique_violation) << e.what();
  }
  // Foreign keys are enforced on both engines (SQLite: PRAGMA foreign_keys=ON per connection),
  // and a violation is not mistaken for a conflict.
  identity::Session orphan{crypto::new_uuid_v7(), crypto::new_uuid(), kNow, kNow, kNow + 60, "", "", std::nullopt};
  try {
    identity::SessionStore(c()).insert(orphan);
    ADD_FAILURE() << "session of a missing user accepted";
  } catch (const DbError& e) {
    EXPECT_NE(e.kind, DbError::Kind::unique_violation) << e.what();
  }
  EXPECT_EQ(identity::SessionStore(c()).by_id(orphan.id), std::nullopt);
}

TEST_P(DatabaseContract, UniqueOrConflictMapsOnlyUniqueViolations) {
  c().query("INSERT INTO contract_values (k, i) VALUES ('a', 1)");
  auto st = store::unique_or_conflict([&] { c().query("INSERT INTO contract_values (k) VALUES ('a')"); }, "taken");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, Errc::conflict);
  EXPECT_EQ(st.error().public_message, "taken");
  EXPECT_TRUE(store::unique_or_conflict([&] { c().query("INSERT INTO contract_values (k) VALUES ('b')"); }, "taken"));
  EXPECT_THROW(store::unique_or_conflict([&] { c().query("INSERT INTO no_such_table (k) VALUES ('c')"); }, "taken"),
               DbError)
      << "other driver errors still escape";
}

TEST_P(DatabaseContract, TransactionCommitsOnReturnAndRollsBackOnException) {
  db().transaction([&](Conn& tx) { tx.query("INSERT INTO contract_values (k) VALUES ('kept')"); });
  EXPECT_EQ(count(), 1) << "committed, visible on another connection";

  EXPECT_THROW(db().transaction([&](Conn& tx) {
    tx.query("INSERT INTO contract_values (k) VALUES ('lost')");
    throw std::runtime_error("boom");
  }),
               std::runtime_error);
  EXPECT_EQ(count(), 1);
  EXPECT_TRUE(c().query("SELECT 1 FROM contract_values WHERE k = 'lost'").empty());

  // A failed statement inside: PostgreSQL aborts the transaction, both engines roll it back.
  EXPECT_THROW(db().transaction([&](Conn& tx) {
    tx.query("INSERT INTO contract_values (k) VALUES ('lost2')");
    tx.query("INSERT INTO contract_values (k) VALUES ('kept')");
  }),
               DbError);
  EXPECT_EQ(count(), 1);
  // The pooled connections are usable afterwards.
  db().transaction([&](Conn& tx) { tx.query("INSERT INTO contract_values (k) VALUES ('after')"); });
  EXPECT_EQ(count(), 2);
}

TEST_P(DatabaseContract, TransactionRollsBackOnFailedResultAndReturnsIt) {
  Result<int> failed = db().transaction([&](Conn& tx) -> Result<int> {
    tx.query("INSERT INTO contract_values (k) VALUES ('lost')");
    return Error::make(Errc::validation, "no");
  });
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, Errc::validation);
  EXPECT_EQ(count(), 0);

  Result<int> fine = db().transaction([&](Conn& tx) -> Result<int> {
    tx.query("INSERT INTO contract_values (k) VALUES ('kept')");
    return 7;
  });
  ASSERT_TRUE(fine);
  EXPECT_EQ(*fine, 7);
  EXPECT_EQ(count(), 1);
}

}  // namespace
}  // namespace gatehouse::contract
