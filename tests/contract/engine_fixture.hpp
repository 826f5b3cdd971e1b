#pragma once
// The store contract suite's fixture: every test runs once per engine ("sqlite", "postgres")
// against a fresh database of its own, so the same assertions pin down both engines.
//   SQLite:     a file in a new temporary directory, removed in TearDown.
//   PostgreSQL: CREATE DATABASE gh_contract_<random> in the server named by
//               GATEHOUSE_CONTRACT_PG_URL (a libpq URI to an admin database), dropped
//               once the next test has made its own (PgShared). Without the variable the
//               postgres instances are skipped; with it set but the server unreachable
//               they fail (a silent skip would hide a broken run_postgres.py).
// The schema comes from the embedded migrations (Migrator::up), as in production. On
// PostgreSQL they run once per process, into gh_contract_template_<pid>, and each test's
// database is a copy of it (CREATE DATABASE ... TEMPLATE), which costs less than creating
// an empty one and migrating it. The template is dropped when the run ends. Suites that
// test the migrations themselves (migrated() false) get an empty database.
#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <latch>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "crypto/random.hpp"
#include "identity/models.hpp"
#include "identity/store.hpp"
#include "store/db.hpp"
#include "store/migrations.hpp"

namespace gatehouse::contract {

using store::Conn;
using store::Database;

/// A fixed "now" (Unix seconds): expiry filters are tested at exact boundaries, no sleeps.
inline constexpr int64_t kNow = 1'700'000'000;

inline constexpr const char* kPgUrlVariable = "GATEHOUSE_CONTRACT_PG_URL";

/// `url` pointing at database `name` instead of its own; host, user and query are kept.
inline std::string with_database(const std::string& url, const std::string& name) {
  auto scheme = url.find("://");
  auto host = scheme == std::string::npos ? 0 : scheme + 3;
  auto path = url.find_first_of("/?", host);
  if (path == std::string::npos) return url + "/" + name;
  auto query = url.find('?', path);
  std::string tail = query == std::string::npos ? "" : url.substr(query);
  return url.substr(0, path) + "/" + name + tail;
}

/// What the PostgreSQL instances of one process share: the migrated template their
/// databases are copied from, and the finished tests' databases still to be dropped. Both
/// are dropped by the PgCleanup environment after the last test.
class PgShared {
 public:
  static PgShared& instance() {
    static PgShared t;
    return t;
  }

  /// What follows CREATE DATABASE <name> to copy the template ("TEMPLATE ..."), the
  /// template created and migrated through `admin` on the first call (so a run filtered to
  /// SQLite, or to the migrations suite, never makes one). A failure is kept and thrown
  /// again by every later call: each test then fails with the cause instead of retrying
  /// the migrations (and the first error is the one that matters).
  std::string copy_clause(Database& admin, const std::string& admin_url) {
    std::lock_guard g(mu_);
    if (!template_error_.empty()) throw std::runtime_error(template_error_);
    if (template_ready_) return copy_clause_;
    template_ = "gh_contract_template_" + std::to_string(::getpid());
    admin_url_ = admin_url;
    try {
      // A leftover of an earlier run that died with the same pid would make CREATE fail.
      admin.with([&](Conn& c) {
        c.exec_script("DROP DATABASE IF EXISTS " + template_);
        c.exec_script("CREATE DATABASE " + template_);
        // PostgreSQL 15's default WAL_LOG strategy copies through shared buffers, so each
        // copy leaves its ~1,000 pages dirty for the next checkpoint, which DROP DATABASE
        // forces (measured: the run took ~70% longer). FILE_COPY copies the files, the only
        // way before 15, where the keyword does not exist.
        copy_clause_ = " TEMPLATE " + template_;
        if (c.query("SELECT current_setting('server_version_num')::int")[0].i64(0) >= 150000)
          copy_clause_ += " STRATEGY FILE_COPY";
      });
      {
        auto db = Database::open(with_database(admin_url, template_), 1);
        store::Migrator(*db).up();
      }  // closed here: CREATE DATABASE ... TEMPLATE refuses a source others are connected to
      template_ready_ = true;
    } catch (const std::exception& e) {
      template_error_ = "template database " + template_ + " could not be made: " + e.what();
      throw std::runtime_error(template_error_);
    }
    return copy_clause_;
  }

  /// Queues a finished test's database for dropping. Not dropped at once: its connections
  /// were just closed and their server processes exit asynchronously, and DROP DATABASE
  /// waits for them in 100 ms steps (every other test paid one, about a test's own time).
  void retire(const std::string& name, const std::string& admin_url) {
    std::lock_guard g(mu_);
    admin_url_ = admin_url;
    retired_.push_back(name);
  }

  /// Drops the queued databases (the next test calls it after creating its own, by when
  /// their connections are long gone); returns one message per database it could not drop.
  std::vector<std::string> drop_retired(Database& admin) {
    std::lock_guard g(mu_);
    return drop_retired_locked(admin);
  }

  /// After the last test: drops what is queued and the template, if this process made one
  /// (also after a failed migration).
  void drop_all() {
    std::lock_guard g(mu_);
    if (admin_url_.empty()) return;  // no PostgreSQL instance ran
    std::unique_ptr<Database> admin;
    try {
      admin = Database::open(admin_url_, 1);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "could not connect to drop the last databases: " << e.what();
      return;
    }
    for (auto& e : drop_retired_locked(*admin)) ADD_FAILURE() << e;
    if (template_.empty()) return;
    try {
      admin->with([&](Conn& c) { c.exec_script("DROP DATABASE IF EXISTS " + template_); });
    } catch (const std::exception& e) {
      ADD_FAILURE() << "could not drop " << template_ << ": " << e.what();
    }
    template_.clear();
    template_ready_ = false;
  }

 private:
  std::mutex mu_;
  std::string template_, copy_clause_, admin_url_, template_error_;
  bool template_ready_ = false;
  std::vector<std::string> retired_;

  std::vector<std::string> drop_retired_locked(Database& admin) {
    std::vector<std::string> errors;
    for (auto& name : retired_) {
      try {
        admin.with([&](Conn& c) { c.exec_script("DROP DATABASE IF EXISTS " + name); });
      } catch (const std::exception& e) {
        errors.push_back("could not drop " + name + " (a finished test's database): " + e.what());
      }
    }
    retired_.clear();
    return errors;
  }
};

/// Drops what PgShared left after the last test: leftovers would pile up in a shared server.
class PgCleanup : public ::testing::Environment {
 public:
  void TearDown() override { PgShared::instance().drop_all(); }
};
// Registered once per process however many files include this header (an inline variable
// is initialised once); gtest owns and deletes the environment.
inline ::testing::Environment* const kPgCleanup = ::testing::AddGlobalTestEnvironment(new PgCleanup);

class EngineTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgres") open_postgres();
    else open_sqlite();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(db_);
    if (migrated() && !from_template_) store::Migrator(*db_).up();
  }

  void TearDown() override {
    lease_.reset();
    db_.reset();  // every connection to the test database closes before it is dropped
    if (!pg_name_.empty()) PgShared::instance().retire(pg_name_, pg_admin_url_);
    admin_.reset();
    if (!dir_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    }
  }

  /// False in suites that test the migrations themselves (they start from an empty schema).
  virtual bool migrated() const { return true; }

  Database& db() { return *db_; }
  bool is_postgres() const { return GetParam() == "postgres"; }

  /// One autocommit connection held for the whole test: `UserStore(c()).by_id(id)`.
  Conn& c() {
    if (!lease_) lease_.emplace(db_->acquire());
    return **lease_;
  }

  /// Pool size: the held c() connection plus a few for the tests that race writers.
  static constexpr int kConnections = 6;
  std::unique_ptr<Database> db_;

 private:
  void open_sqlite() {
    dir_ = std::filesystem::temp_directory_path() /
           ("gatehouse-contract-" + std::to_string(::getpid()) + "-" + crypto::new_uuid());
    std::filesystem::create_directories(dir_);
    db_ = Database::open("sqlite://" + (dir_ / "contract.db").string(), kConnections);
  }

  void open_postgres() {
    const char* admin_url = std::getenv(kPgUrlVariable);
    if (!admin_url || !*admin_url)
      GTEST_SKIP() << kPgUrlVariable
                   << " is not set: PostgreSQL instance skipped (tests/contract/run_postgres.py runs it)";
    std::string name = "gh_contract_" + crypto::new_uuid().substr(0, 8) + crypto::new_uuid().substr(0, 8);
    // The template pays for itself from the second test on; a process that runs one test
    // (ctest runs each in a process of its own) migrates its database directly.
    from_template_ = migrated() && ::testing::UnitTest::GetInstance()->test_to_run_count() > 1;
    try {
      admin_ = Database::open(admin_url, 1);
      std::string create = "CREATE DATABASE " + name;
      if (from_template_) create += PgShared::instance().copy_clause(*admin_, admin_url);
      // Simple-protocol exec: CREATE DATABASE cannot be a prepared statement or run in a transaction.
      admin_->with([&](Conn& c) { c.exec_script(create); });
      pg_name_ = name;
      pg_admin_url_ = admin_url;
      db_ = Database::open(with_database(admin_url, name), kConnections);
    } catch (const std::exception& e) {
      FAIL() << kPgUrlVariable << " is set but PostgreSQL is unreachable or refused: " << e.what();
    }
    for (auto& e : PgShared::instance().drop_retired(*admin_)) ADD_FAILURE() << e;
  }

  std::unique_ptr<Database> admin_;
  std::string pg_name_, pg_admin_url_;
  bool from_template_ = false;  // PostgreSQL: a copy of the migrated template
  std::filesystem::path dir_;
  std::optional<Database::Lease> lease_;
};

/// Instantiates `suite` over both engines; test names end in /sqlite or /postgres.
#define GATEHOUSE_CONTRACT_ENGINES(suite)                                   \
  INSTANTIATE_TEST_SUITE_P(Engines, suite, ::testing::Values("sqlite", "postgres"), \
                           [](const ::testing::TestParamInfo<std::string>& i) { return i.param; })

/// Runs `attempt` on `n` threads at once, each on its own pooled connection, and counts
/// the attempts that reported success. No sleeps: a latch lines the threads up, and the
/// assertion (exactly one winner) holds whatever order the database serialises them in.
template <class F>
int winners(Database& db, int n, F attempt) {
  std::atomic<int> won{0};
  std::latch start(n);
  std::vector<std::string> errors(n);
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i)
    threads.emplace_back([&, i] {
      try {
        db.with([&](Conn& conn) {
          start.arrive_and_wait();
          if (attempt(conn, i)) ++won;
        });
      } catch (const std::exception& e) {  // a lock timeout would land here: a failure, not a loss
        errors[i] = e.what();
      }
    });
  for (auto& t : threads) t.join();
  for (int i = 0; i < n; ++i) EXPECT_EQ(errors[i], "") << "attempt " << i << " threw";
  return won.load();
}

// ---- seed rows shared by the domain suites (parents first: foreign keys are enforced)

/// An account with lower-case normalised keys; `username` optional.
inline identity::User make_user(const std::string& email, const std::optional<std::string>& username = {}) {
  identity::User u;
  u.id = crypto::new_uuid();
  u.email = email;
  u.username = username;
  u.name = "Name of " + email;
  u.password_hash = "$argon2id$v=19$m=1024,t=1,p=1$c2FsdA$aGFzaA";
  u.created_at = kNow;
  u.updated_at = kNow;
  return u;
}

inline std::string lower(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

/// Inserts `u` (keys normalised by lower-casing, as the services do) and returns it.
inline identity::User add_user(Conn& c, identity::User u) {
  std::optional<std::string> username_norm;
  if (u.username) username_norm = lower(*u.username);
  auto st = identity::UserStore(c).insert(u, lower(u.email), username_norm);
  EXPECT_TRUE(st) << "seed user " << u.email << ": " << (st ? "" : st.error().public_message);
  return u;
}
inline identity::User add_user(Conn& c, const std::string& email,
                               const std::optional<std::string>& username = {}) {
  return add_user(c, make_user(email, username));
}

/// A sign-in session of `user_id` that expires `ttl` seconds after kNow.
inline identity::Session add_session(Conn& c, const std::string& user_id, int64_t ttl = 3600) {
  identity::Session s{crypto::new_uuid_v7(), user_id, kNow, kNow, kNow + ttl, "192.0.2.7", "contract-test/1.0", std::nullopt};
  identity::SessionStore(c).insert(s);
  return s;
}

}  // namespace gatehouse::contract
