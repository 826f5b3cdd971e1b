#pragma once
// The one database interface both engines implement. SQL is written once with $1..$n
// placeholders, integer booleans and Unix-second timestamps, so the same statements run on
// SQLite and PostgreSQL. Blocking: call only from a worker pool, never an IO thread.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/error.hpp"

namespace gatehouse::store {

enum class Engine { sqlite, postgres };

/// A bound parameter: NULL, integer or text.
struct Value {
  std::variant<std::nullptr_t, int64_t, std::string> v;
  Value(std::nullptr_t) : v(nullptr) {}
  Value(int x) : v(int64_t{x}) {}
  Value(int64_t x) : v(x) {}
  Value(bool b) : v(int64_t{b ? 1 : 0}) {}
  Value(std::string s) : v(std::move(s)) {}
  Value(std::string_view s) : v(std::string(s)) {}
  Value(const char* s) : v(std::string(s)) {}
  template <class T>
  Value(const std::optional<T>& o) : v(nullptr) {
    if (o) *this = Value(*o);
  }
};
using Params = std::vector<Value>;

struct Row {
  std::vector<std::optional<std::string>> cols;
  bool is_null(std::size_t i) const { return !cols.at(i).has_value(); }
  const std::string& str(std::size_t i) const;  // "" for NULL
  std::optional<std::string> opt(std::size_t i) const { return cols.at(i); }
  int64_t i64(std::size_t i) const;             // 0 for NULL
  std::optional<int64_t> opt_i64(std::size_t i) const;
  bool flag(std::size_t i) const { return i64(i) != 0; }
};

struct Rows {
  std::vector<Row> rows;
  int64_t affected = 0;  // rows changed by INSERT/UPDATE/DELETE
  bool empty() const { return rows.empty(); }
  std::size_t size() const { return rows.size(); }
  const Row& operator[](std::size_t i) const { return rows[i]; }
  auto begin() const { return rows.begin(); }
  auto end() const { return rows.end(); }
};

/// Driver errors normalised at the store edge. Stores turn the expected one (a unique
/// violation) into Errc::conflict with unique_or_conflict(); the rest escape to the HTTP
/// shell as a DependencyFailure: a lost connection or a locked database answers 503.
struct DbError : DependencyFailure {
  enum class Kind { unique_violation, busy, connection, other };
  Kind kind;
  DbError(Kind k, const std::string& msg) : DependencyFailure(error_of(k), msg), kind(k) {}

 private:
  static Error error_of(Kind k);
};

/// Runs a store write; a unique violation becomes Errc::conflict with `message`. The
/// caller returns the error, which rolls its transaction back (PostgreSQL cannot go on
/// after a failed statement anyway).
template <class F>
Status unique_or_conflict(F&& write, const char* message) {
  try {
    write();
    return ok();
  } catch (const DbError& e) {
    if (e.kind != DbError::Kind::unique_violation) throw;
    return Error::make(Errc::conflict, message);
  }
}

/// One connection; used by one thread at a time (leased from Database).
class Conn {
 public:
  virtual ~Conn() = default;
  virtual Engine engine() const = 0;
  /// Runs one statement with parameters; prepared statements are cached per connection.
  virtual Rows query(std::string_view sql, const Params& params = {}) = 0;
  /// Runs a multi-statement script without parameters (migrations).
  virtual void exec_script(std::string_view sql) = 0;
  virtual bool healthy() = 0;
};

/// What a transaction body may say about how its transaction ends (see Database::transaction).
class Tx {
 public:
  /// Commit although the body returns an error: for writes that must survive the failure
  /// they report (revoking a grant family when a code or refresh token is replayed).
  void keep_on_failure() { keep_on_failure_ = true; }
  /// Runs after COMMIT succeeded, never after a rollback: in-memory invalidation that must
  /// not run ahead of the data (caches, revocation sets).
  void on_commit(std::function<void()> f) { on_commit_.push_back(std::move(f)); }

 private:
  friend class Database;
  bool keep_on_failure_ = false;
  std::vector<std::function<void()>> on_commit_;
};

/// A bounded pool of connections to one database, chosen by URL:
/// sqlite:///abs/path or sqlite://relative/path, postgresql://... (libpq URI).
class Database {
 public:
  static std::unique_ptr<Database> open(const std::string& url, int max_connections);
  virtual ~Database() = default;
  virtual Engine engine() const = 0;

  class Lease {
   public:
    Lease(Database* db, std::unique_ptr<Conn> c) : db_(db), c_(std::move(c)) {}
    Lease(Lease&&) = default;
    ~Lease();
    Conn& operator*() { return *c_; }
    Conn* operator->() { return c_.get(); }
    void discard() { broken_ = true; }
   private:
    Database* db_;
    std::unique_ptr<Conn> c_;
    bool broken_ = false;
  };
  /// Blocks until a connection is free (or a new one can be opened).
  virtual Lease acquire() = 0;

  /// Runs f(conn) or f(conn, tx) inside a transaction (BEGIN IMMEDIATE on SQLite so
  /// writers queue on the busy timeout instead of deadlocking). The rule: an error rolls
  /// back. f returning a failed Result (or throwing) rolls back unless it called
  /// tx.keep_on_failure(); any other return commits. tx.on_commit hooks run after COMMIT.
  template <class F>
  auto transaction(F&& f) {
    auto lease = acquire();
    Tx tx;
    auto body = [&] {
      if constexpr (std::is_invocable_v<F&, Conn&, Tx&>) return f(*lease, tx);
      else return f(*lease);
    };
    lease->exec_script(engine() == Engine::sqlite ? "BEGIN IMMEDIATE" : "BEGIN");
    try {
      if constexpr (std::is_void_v<decltype(body())>) {
        body();
        finish(*lease, tx, true);
      } else {
        auto r = body();
        bool failed = false;
        if constexpr (requires { r.has_value(); r.error(); }) failed = !r.has_value();
        finish(*lease, tx, !failed || tx.keep_on_failure_);
        return r;
      }
    } catch (...) {
      try { lease->exec_script("ROLLBACK"); } catch (...) { lease.discard(); }
      throw;
    }
  }
  /// Runs f(conn) on a pooled connection in autocommit mode (reads, single writes).
  template <class F>
  auto with(F&& f) {
    auto lease = acquire();
    return f(*lease);
  }
  /// True when a round trip to the database works (the readiness probe); never throws.
  bool ping();
  /// Runs one statement on a pooled connection (autocommit).
  Rows query(std::string_view sql, const Params& params = {}) {
    auto lease = acquire();
    return lease->query(sql, params);
  }

 protected:
  friend class Lease;
  static void finish(Conn& c, Tx& tx, bool commit) {
    c.exec_script(commit ? "COMMIT" : "ROLLBACK");
    if (commit)
      for (auto& hook : tx.on_commit_) hook();
  }
  virtual void release(std::unique_ptr<Conn> c, bool broken) = 0;
};

}  // namespace gatehouse::store
