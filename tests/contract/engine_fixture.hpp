#pragma once
// The store contract suite's fixture: every test runs once per engine ("sqlite", "postgres")
// against a fresh database of its own, so the same assertions pin down both engines.
//   SQLite:     a file in a new temporary directory, removed in TearDown.
//   PostgreSQL: CREATE DATABASE gh_contract_<random> in the server named by
//               GATEHOUSE_CONTRACT_PG_URL (a libpq URI to an admin database), dropped in
//               TearDown. Without the variable the postgres instances are skipped; with it
//               set but the server unreachable they fail (a silent skip would hide a broken
//               run_postgres.py).
// The schema comes from the embedded migrations (Migrator::up), as in production. On
// PostgreSQL they run once per process, into gh_contract_template_<pid>, and each test's
// database is a copy of it (CREATE DATABASE ... TEMPLATE): a copy costs a fraction of
// running the migrations again. The template is dropped when the run ends (PgTemplate).
// Suites that test the migrations themselves (migrated() false) get an empty database.
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

/// The migrated PostgreSQL database the migrated tests' databases are copied from. Made on
/// first use (so a run that filters to SQLite, or to the migrations suite, never makes
/// one) and dropped by the PgTemplateCleanup environment after the last test.
class PgTemplate {
 public:
  static PgTemplate& instance() {
    static PgTemplate t;
    return t;
  }

  /// The template's name, created and migrated through `admin` on the first call. A failure
  /// is kept and thrown again by every later call: each test then fails with the cause
  /// instead of retrying the migrations (and the first error is the one that matters).
  std::string name(Database& admin, const std::string& admin_url) {
    std::lock_guard g(mu_);
    if (!error_.empty()) throw std::runtime_error(error_);
    if (ready_) return name_;
    name_ = "gh_contract_template_" + std::to_string(::getpid());
    admin_url_ = admin_url;
    try {
      // A leftover of an earlier run that died with the same pid would make CREATE fail.
      admin.with([&](Conn& c) {
        c.exec_script("DROP DATABASE IF EXISTS " + name_);
        c.exec_script("CREATE DATABASE " + name_);
      });
      {
        auto db = Database::open(with_database(admin_url, name_), 1);
        store::Migrator(*db).up();
      }  // closed here: CREATE DATABASE ... TEMPLATE refuses a source others are connected to
      ready_ = true;
    } catch (const std::exception& e) {
      error_ = "template database " + name_ + " could not be made: " + e.what();
      throw std::runtime_error(error_);
    }
    return name_;
  }

  /// Drops the template if this process made one (also after a failed migration).
  void drop() {
    std::lock_guard g(mu_);
    if (admin_url_.empty()) return;
    try {
      auto admin = Database::open(admin_url_, 1);
      admin->with([&](Conn& c) { c.exec_script("DROP DATABASE IF EXISTS " + name_); });
    } catch (const std::exception& e) {
      ADD_FAILURE() << "could not drop " << name_ << ": " << e.what();
    }
    admin_url_.clear();
    ready_ = false;
  }

 private:
  std::mutex mu_;
  std::string name_, admin_url_, error_;
  bool ready_ = false;
};

/// Drops the template after the last test: a leftover would pile up in a shared server.
class PgTemplateCleanup : public ::testing::Environment {
 public:
  void TearDown() override { PgTemplate::instance().drop(); }
};
// Registered once per process however many files include this header (an inline variable
// is initialised once); gtest owns and deletes the environment.
inline ::testing::Environment* const kPgTemplateCleanup =
    ::testing::AddGlobalTestEnvironment(new PgTemplateCleanup);

class EngineTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "postgres") open_postgres();
    else open_sqlite();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(db_);
    // PostgreSQL's copy of the template is migrated already.
    if (migrated() && !is_postgres()) store::Migrator(*db_).up();
  }

  void TearDown() override {
    lease_.reset();
    db_.reset();  // every connection to the test database closes before it is dropped
    if (admin_ && !pg_name_.empty()) {
      try {
        admin_->with([&](Conn& c) { c.exec_script("DROP DATABASE IF EXISTS " + pg_name_); });
      } catch (const std::exception& e) {
        ADD_FAILURE() << "could not drop " << pg_name_ << ": " << e.what();
      }
    }
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
    try {
      admin_ = Database::open(admin_url, 1);
      std::string create = "CREATE DATABASE " + name;
      if (migrated()) create += " TEMPLATE " + PgTemplate::instance().name(*admin_, admin_url);
      // Simple-protocol exec: CREATE DATABASE cannot be a prepared statement or run in a transaction.
      admin_->with([&](Conn& c) { c.exec_script(create); });
      pg_name_ = name;
      db_ = Database::open(with_database(admin_url, name), kConnections);
    } catch (const std::exception& e) {
      FAIL() << kPgUrlVariable << " is set but PostgreSQL is unreachable or refused: " << e.what();
    }
  }

  std::unique_ptr<Database> admin_;
  std::string pg_name_;
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
