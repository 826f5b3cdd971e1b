// Migrator on a temporary SQLite file: up applies everything, status reflects it, down
// removes every table, and up works again afterwards.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "crypto/random.hpp"
#include "store/db.hpp"
#include "store/migrations.hpp"

namespace gatehouse::store {
namespace {
namespace fs = std::filesystem;

class MigrationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("gatehouse-unit-" + std::to_string(::getpid()) + "-" + crypto::new_uuid());
    fs::create_directories(dir_);
    path_ = (dir_ / "test.db").string();
    db_ = Database::open("sqlite://" + path_, 2);
    ASSERT_TRUE(db_);
    ASSERT_EQ(db_->engine(), Engine::sqlite);
  }
  void TearDown() override {
    db_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // User tables and indexes (SQLite's own sqlite_* objects excluded).
  std::set<std::string> objects(const char* type) {
    std::set<std::string> out;
    for (auto& r : db_->query(
             "SELECT name FROM sqlite_master WHERE type = $1 AND name NOT LIKE 'sqlite_%'",
             {type}))
      out.insert(r.str(0));
    return out;
  }
  bool has_table(const std::string& name) { return objects("table").count(name) > 0; }

  fs::path dir_;
  std::string path_;
  std::unique_ptr<Database> db_;
};

std::vector<std::string> expected_names(const std::vector<MigrationStatus>& st) {
  std::vector<std::string> out;
  for (auto& s : st) out.push_back(s.version + "_" + s.name);
  return out;
}

TEST_F(MigrationsTest, EmbeddedFilesCoverBothEnginesWithUpAndDown) {
  std::set<std::string> paths;
  for (auto& f : embedded_migration_files()) {
    paths.insert(f.path);
    EXPECT_NE(f.sql, nullptr);
  }
  EXPECT_TRUE(paths.count("sqlite/0001_identity.up.sql"));
  EXPECT_TRUE(paths.count("sqlite/0001_identity.down.sql"));
  EXPECT_TRUE(paths.count("postgres/0001_identity.up.sql"));
  EXPECT_TRUE(paths.count("postgres/0001_identity.down.sql"));
  // Every up has its down, and every sqlite migration has a postgres twin.
  for (auto& p : paths) {
    auto flip = [&](std::string s, const std::string& a, const std::string& b) {
      auto i = s.rfind(a);
      return i == std::string::npos ? s : s.replace(i, a.size(), b);
    };
    if (p.ends_with(".up.sql")) {
      EXPECT_TRUE(paths.count(flip(p, ".up.sql", ".down.sql"))) << p;
    }
    if (p.ends_with(".down.sql")) {
      EXPECT_TRUE(paths.count(flip(p, ".down.sql", ".up.sql"))) << p;
    }
    if (p.starts_with("sqlite/")) {
      EXPECT_TRUE(paths.count("postgres/" + p.substr(7))) << p;
    }
  }
}

TEST_F(MigrationsTest, FreshDatabaseHasEverythingPending) {
  Migrator m(*db_);
  auto st = m.status();
  ASSERT_FALSE(st.empty());
  EXPECT_EQ(st.front().version, "0001");
  EXPECT_EQ(st.front().name, "identity");
  for (auto& s : st) {
    EXPECT_FALSE(s.applied) << s.version;
    EXPECT_EQ(s.applied_at, 0) << s.version;
  }
  EXPECT_TRUE(std::is_sorted(st.begin(), st.end(),
                             [](auto& a, auto& b) { return a.version < b.version; }));
  EXPECT_EQ(m.pending(), static_cast<int>(st.size()));
  EXPECT_TRUE(has_table("schema_migrations"));
  EXPECT_FALSE(has_table("users"));
}

TEST_F(MigrationsTest, UpStatusDownUpRoundTrip) {
  Migrator m(*db_);
  const auto initial = m.status();
  const auto all = expected_names(initial);

  // up: everything, in version order.
  auto applied = m.up();
  EXPECT_EQ(applied, all);
  EXPECT_EQ(m.pending(), 0);
  for (auto& s : m.status()) {
    EXPECT_TRUE(s.applied) << s.version;
    EXPECT_GT(s.applied_at, 1600000000) << "Unix seconds";
  }
  for (const char* t : {"users", "sessions", "refresh_tokens", "email_tokens", "signing_keys",
                        "mail_outbox", "audit_log"})
    EXPECT_TRUE(has_table(t)) << t;

  // The schema is usable.
  db_->query(
      "INSERT INTO users (id, email, email_normalized, created_at, updated_at) "
      "VALUES ($1, $2, $3, $4, $5)",
      {"u-1", "A@example.com", "a@example.com", 1, 1});
  EXPECT_EQ(db_->query("SELECT email FROM users WHERE id = $1", {"u-1"})[0].str(0),
            "A@example.com");

  // up again: nothing to do.
  EXPECT_TRUE(m.up().empty());

  // down --steps 99: everything, newest first; every table but schema_migrations is gone.
  auto reverted = m.down(99);
  auto reversed_all = all;
  std::reverse(reversed_all.begin(), reversed_all.end());
  EXPECT_EQ(reverted, reversed_all);
  EXPECT_FALSE(has_table("users"));
  EXPECT_EQ(objects("table"), std::set<std::string>{"schema_migrations"});
  EXPECT_TRUE(objects("index").empty()) << "indexes go with their tables";
  EXPECT_EQ(m.pending(), static_cast<int>(all.size()));
  for (auto& s : m.status()) EXPECT_FALSE(s.applied) << s.version;
  EXPECT_TRUE(db_->query("SELECT version FROM schema_migrations").empty());

  // down with nothing applied is a no-op.
  EXPECT_TRUE(m.down(99).empty());

  // up again works on the emptied database, and the old data is gone.
  EXPECT_EQ(m.up(), all);
  EXPECT_TRUE(has_table("users"));
  EXPECT_TRUE(db_->query("SELECT id FROM users").empty());
  EXPECT_EQ(m.pending(), 0);
}

TEST_F(MigrationsTest, DownDefaultsToOneStep) {
  Migrator m(*db_);
  auto all = expected_names(m.status());
  m.up();
  auto one = m.down();
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one.front(), all.back());
  EXPECT_EQ(m.pending(), 1);
  EXPECT_EQ(m.down(0).size(), all.size() > 1 ? 1u : 0u) << "steps <= 0 still means one";
}

TEST_F(MigrationsTest, UpWithStepsAppliesThatMany) {
  Migrator m(*db_);
  auto all = expected_names(m.status());
  auto first = m.up(1);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first.front(), all.front());
  EXPECT_EQ(m.pending(), static_cast<int>(all.size()) - 1);
  EXPECT_TRUE(m.status().front().applied);
}

TEST_F(MigrationsTest, StateIsSharedAcrossMigratorsAndConnections) {
  {
    Migrator m(*db_);
    m.up();
  }
  // A second Migrator (and a second Database on the same file) sees the applied state.
  Migrator again(*db_);
  EXPECT_EQ(again.pending(), 0);
  EXPECT_TRUE(again.up().empty());
  auto other = Database::open("sqlite://" + path_, 1);
  Migrator third(*other);
  EXPECT_EQ(third.pending(), 0);
  third.down(99);
  EXPECT_FALSE(has_table("users"));
  EXPECT_EQ(again.pending(), static_cast<int>(again.status().size()));
}

}  // namespace
}  // namespace gatehouse::store
