// Migrator on both engines, from an empty database: up applies every embedded migration of
// that engine, status shows them, down(all) empties the schema and up works again; and the
// two engines end with the same tables (and, checked on PostgreSQL, the same columns).
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "engine_fixture.hpp"
#include "identity/users.hpp"

namespace gatehouse::contract {
namespace {

using store::Engine;
using store::Migrator;

class MigrationsContract : public EngineTest {
 protected:
  bool migrated() const override { return false; }
};
GATEHOUSE_CONTRACT_ENGINES(MigrationsContract);

std::string engine_dir(Engine e) { return e == Engine::sqlite ? "sqlite/" : "postgres/"; }

/// "NNNN_name" of every embedded up migration of `e`, in version order.
std::vector<std::string> embedded_names(Engine e) {
  std::vector<std::string> out;
  const std::string prefix = engine_dir(e), suffix = ".up.sql";
  for (auto& f : store::embedded_migration_files()) {
    std::string p = f.path;
    if (p.starts_with(prefix) && p.ends_with(suffix))
      out.push_back(p.substr(prefix.size(), p.size() - prefix.size() - suffix.size()));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> names_of(const std::vector<store::MigrationStatus>& st) {
  std::vector<std::string> out;
  for (auto& s : st) out.push_back(s.version + "_" + s.name);
  return out;
}

/// Base tables of the database, engine bookkeeping excluded.
std::set<std::string> tables(Database& db) {
  const char* sql = db.engine() == Engine::sqlite
                        ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                        : "SELECT table_name FROM information_schema.tables"
                          " WHERE table_schema = 'public' AND table_type = 'BASE TABLE'";
  std::set<std::string> out;
  for (auto& r : db.query(sql)) out.insert(r.str(0));
  return out;
}

/// (table, column) pairs of the database.
std::set<std::pair<std::string, std::string>> columns(Database& db) {
  const char* sql = db.engine() == Engine::sqlite
                        ? "SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p"
                          " WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'"
                        : "SELECT table_name, column_name FROM information_schema.columns"
                          " WHERE table_schema = 'public'";
  std::set<std::pair<std::string, std::string>> out;
  for (auto& r : db.query(sql)) out.emplace(r.str(0), r.str(1));
  return out;
}

/// The tables `e`'s up scripts leave behind, read from their text (CREATE adds, DROP
/// removes, in version order), plus the Migrator's own table.
std::set<std::string> tables_in_scripts(Engine e) {
  std::map<std::string, std::string> ups;  // path -> sql, sorted by version
  for (auto& f : store::embedded_migration_files()) {
    std::string p = f.path;
    if (p.starts_with(engine_dir(e)) && p.ends_with(".up.sql")) ups[p] = f.sql;
  }
  static const std::regex stmt(R"((CREATE|DROP)\s+TABLE\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?(\w+))", std::regex::icase);
  std::set<std::string> out{"schema_migrations"};
  for (auto& [path, sql] : ups)
    for (std::sregex_iterator it(sql.begin(), sql.end(), stmt), end; it != end; ++it) {
      std::string verb = (*it)[1];
      std::transform(verb.begin(), verb.end(), verb.begin(), ::toupper);
      if (verb == "CREATE") out.insert((*it)[2]);
      else out.erase((*it)[2]);
    }
  return out;
}

/// A migrated SQLite database in a temporary directory: the reference the PostgreSQL
/// schema is compared against.
struct SqliteReference {
  std::filesystem::path dir = std::filesystem::temp_directory_path() /
                              ("gatehouse-contract-ref-" + std::to_string(::getpid()) + "-" + crypto::new_uuid());
  std::unique_ptr<Database> db;
  SqliteReference() {
    std::filesystem::create_directories(dir);
    db = Database::open("sqlite://" + (dir / "ref.db").string(), 1);
    Migrator(*db).up();
  }
  ~SqliteReference() {
    db.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

TEST_P(MigrationsContract, FreshDatabaseHasEverythingPending) {
  Migrator m(db());
  auto st = m.status();
  EXPECT_EQ(names_of(st), embedded_names(db().engine()));
  for (auto& s : st) {
    EXPECT_FALSE(s.applied) << s.version;
    EXPECT_EQ(s.applied_at, 0) << s.version;
  }
  EXPECT_EQ(m.pending(), static_cast<int>(st.size()));
  EXPECT_EQ(tables(db()), std::set<std::string>{"schema_migrations"});
}

TEST_P(MigrationsContract, UpAppliesEveryEmbeddedMigrationInOrder) {
  const auto all = embedded_names(db().engine());
  ASSERT_FALSE(all.empty());
  Migrator m(db());
  EXPECT_EQ(m.up(), all);
  EXPECT_EQ(m.pending(), 0);
  auto st = m.status();
  EXPECT_EQ(names_of(st), all);
  for (auto& s : st) {
    EXPECT_TRUE(s.applied) << s.version;
    EXPECT_GT(s.applied_at, 1600000000) << "Unix seconds";
  }
  EXPECT_TRUE(m.up().empty()) << "nothing left to apply";
  EXPECT_TRUE(Migrator(db()).up().empty()) << "a second Migrator reads the same state";
}

TEST_P(MigrationsContract, DownAllThenUpAgain) {
  const auto all = embedded_names(db().engine());
  Migrator m(db());
  m.up();
  add_user(c(), "before@example.com");

  auto reverted = m.down(static_cast<int>(all.size()));
  EXPECT_EQ(reverted, std::vector<std::string>(all.rbegin(), all.rend())) << "newest first";
  EXPECT_EQ(tables(db()), std::set<std::string>{"schema_migrations"}) << "every table went with its down";
  EXPECT_EQ(m.pending(), static_cast<int>(all.size()));
  for (auto& s : m.status()) EXPECT_FALSE(s.applied) << s.version;
  EXPECT_TRUE(m.down(1).empty()) << "nothing left to revert";

  EXPECT_EQ(m.up(), all);
  EXPECT_EQ(m.pending(), 0);
  EXPECT_TRUE(identity::Users(c()).list(10, 0).empty()) << "the old rows are gone";
  // The rebuilt schema works: the seeded roles are back and stores can write.
  EXPECT_EQ(identity::RoleStore(c()).all().size(), 3u);
  auto u = add_user(c(), "after@example.com");
  EXPECT_TRUE(identity::Users(c()).existing(u.id));
}

TEST_P(MigrationsContract, DownOneStepRevertsOnlyTheNewest) {
  const auto all = embedded_names(db().engine());
  ASSERT_GE(all.size(), 2u);
  Migrator m(db());
  m.up();
  const auto full = tables(db());
  EXPECT_EQ(m.down(1), std::vector<std::string>{all.back()});
  EXPECT_EQ(m.pending(), 1);
  auto st = m.status();
  EXPECT_FALSE(st.back().applied);
  EXPECT_TRUE(st[st.size() - 2].applied);
  EXPECT_EQ(m.up(), std::vector<std::string>{all.back()});
  EXPECT_EQ(tables(db()), full);
}

TEST_P(MigrationsContract, TablesMatchTheOtherEngine) {
  Migrator(db()).up();
  const auto mine = tables(db());
  EXPECT_TRUE(mine.count("users") && mine.count("oauth_grants") && mine.count("org_members"));
  if (db().engine() == Engine::postgres) {
    SqliteReference sqlite;
    EXPECT_EQ(mine, tables(*sqlite.db)) << "PostgreSQL and SQLite schemas differ";
  } else {
    // No server to compare with here: the PostgreSQL scripts' text says what they create.
    EXPECT_EQ(mine, tables_in_scripts(Engine::postgres)) << "SQLite and the PostgreSQL scripts differ";
  }
}

TEST_P(MigrationsContract, ColumnsMatchSqlite) {
  // Compared on the PostgreSQL instance (against a SQLite reference); on SQLite the
  // comparison would be with itself, so that instance checks a column every store needs.
  Migrator(db()).up();
  const auto mine = columns(db());
  EXPECT_TRUE(mine.count({"users", "active_org_id"}));
  EXPECT_TRUE(mine.count({"signing_keys", "signs_from"}));
  if (db().engine() != Engine::postgres) return;
  SqliteReference sqlite;
  const auto ref = columns(*sqlite.db);
  std::vector<std::pair<std::string, std::string>> only_pg, only_sqlite;
  std::set_difference(mine.begin(), mine.end(), ref.begin(), ref.end(), std::back_inserter(only_pg));
  std::set_difference(ref.begin(), ref.end(), mine.begin(), mine.end(), std::back_inserter(only_sqlite));
  auto show = [](auto& v) {
    std::string s;
    for (auto& [t, col] : v) s += " " + t + "." + col;
    return s.empty() ? std::string(" (none)") : s;
  };
  EXPECT_TRUE(only_pg.empty() && only_sqlite.empty())
      << "only on PostgreSQL:" << show(only_pg) << "; only on SQLite:" << show(only_sqlite);
}

}  // namespace
}  // namespace gatehouse::contract
