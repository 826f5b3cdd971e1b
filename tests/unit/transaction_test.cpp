// The rollback rule of Database::transaction on a temporary SQLite file: an error rolls
// back unless the body says keep_on_failure(); on_commit hooks run only after COMMIT.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "crypto/random.hpp"
#include "store/db.hpp"

namespace gatehouse::store {
namespace {
namespace fs = std::filesystem;

class TransactionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("gatehouse-tx-" + std::to_string(::getpid()) + "-" + crypto::new_uuid());
    fs::create_directories(dir_);
    db_ = Database::open("sqlite://" + (dir_ / "tx.db").string(), 2);
    db_->query("CREATE TABLE t (v TEXT)");
  }
  void TearDown() override {
    db_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  int64_t rows() { return db_->query("SELECT COUNT(*) FROM t")[0].i64(0); }
  static void insert(Conn& c) { c.query("INSERT INTO t (v) VALUES ('x')"); }

  fs::path dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(TransactionTest, ValueCommits) {
  auto r = db_->transaction([](Conn& c) -> Result<int> {
    insert(c);
    return 1;
  });
  EXPECT_TRUE(r);
  EXPECT_EQ(rows(), 1);
}

TEST_F(TransactionTest, ErrorRollsBack) {
  auto r = db_->transaction([](Conn& c) -> Status {
    insert(c);
    return Error::make(Errc::conflict, "no");
  });
  EXPECT_FALSE(r);
  EXPECT_EQ(rows(), 0);
}

TEST_F(TransactionTest, KeepOnFailureCommitsTheErrorsWrites) {
  auto r = db_->transaction([](Conn& c, Tx& tx) -> Status {
    insert(c);  // e.g. revoking a replayed grant's family
    tx.keep_on_failure();
    return Error::make(Errc::authentication, "replay");
  });
  EXPECT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::authentication);
  EXPECT_EQ(rows(), 1);
}

TEST_F(TransactionTest, OnCommitRunsAfterCommitOnly) {
  int ran = 0;
  auto committed = db_->transaction([&](Conn& c, Tx& tx) -> Status {
    insert(c);
    tx.on_commit([&] { ran += rows(); });  // sees the committed row from another connection
    return ok();
  });
  EXPECT_TRUE(committed);
  EXPECT_EQ(ran, 1);
  auto rolled_back = db_->transaction([&](Conn& c, Tx& tx) -> Status {
    insert(c);
    tx.on_commit([&] { ran += 100; });
    return Error::make(Errc::conflict, "rolled back");
  });
  EXPECT_FALSE(rolled_back);
  EXPECT_EQ(ran, 1);
  EXPECT_EQ(rows(), 1);
}

TEST_F(TransactionTest, ExceptionRollsBackAndSkipsHooks) {
  bool ran = false;
  EXPECT_THROW(db_->transaction([&](Conn& c, Tx& tx) {
    insert(c);
    tx.keep_on_failure();  // does not save a body that throws
    tx.on_commit([&] { ran = true; });
    throw std::runtime_error("bug");
  }), std::runtime_error);
  EXPECT_FALSE(ran);
  EXPECT_EQ(rows(), 0);
}

TEST_F(TransactionTest, UniqueViolationBecomesConflict) {
  db_->query("CREATE UNIQUE INDEX t_v ON t (v)");
  auto r = db_->transaction([](Conn& c) -> Status {
    insert(c);
    return unique_or_conflict([&] { insert(c); }, "taken");
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::conflict);
  EXPECT_EQ(r.error().public_message, "taken");
  EXPECT_EQ(rows(), 0);
}

}  // namespace
}  // namespace gatehouse::store
