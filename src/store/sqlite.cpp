#include "store/sqlite.hpp"

#include <sqlite3.h>

#include <unordered_map>

namespace gatehouse::store {
namespace {

// $1 -> ?1: SQLite's numbered parameter syntax.
std::string to_sqlite_placeholders(std::string_view sql) {
  std::string out(sql);
  for (auto& c : out)
    if (c == '$') c = '?';
  return out;
}

class SqliteConn : public Conn {
 public:
  explicit SqliteConn(const std::string& path) {
    int rc = sqlite3_open_v2(path.c_str(), &db_,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                             nullptr);
    if (rc != SQLITE_OK) {
      std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw DbError(DbError::Kind::connection, "sqlite open " + path + ": " + msg);
    }
    sqlite3_busy_timeout(db_, 10000);
    exec_script("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
  }
  ~SqliteConn() override {
    for (auto& [_, st] : cache_) sqlite3_finalize(st);
    sqlite3_close(db_);
  }
  Engine engine() const override { return Engine::sqlite; }
  bool healthy() override { return true; }

  void exec_script(std::string_view sql) override {
    char* err = nullptr;
    std::string s(sql);
    if (sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "unknown";
      sqlite3_free(err);
      throw error(msg);
    }
  }

  Rows query(std::string_view sql, const Params& params) override {
    sqlite3_stmt* st = prepare(sql);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    for (std::size_t i = 0; i < params.size(); ++i) {
      int idx = static_cast<int>(i + 1);
      const auto& v = params[i].v;
      if (std::holds_alternative<std::nullptr_t>(v)) sqlite3_bind_null(st, idx);
      else if (auto* n = std::get_if<int64_t>(&v)) sqlite3_bind_int64(st, idx, *n);
      else {
        const auto& s = std::get<std::string>(v);
        sqlite3_bind_text(st, idx, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
      }
    }
    Rows out;
    int cols = sqlite3_column_count(st);
    for (;;) {
      int rc = sqlite3_step(st);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) {
        auto e = error(sqlite3_errmsg(db_));
        sqlite3_reset(st);
        throw e;
      }
      Row row;
      row.cols.reserve(cols);
      for (int c = 0; c < cols; ++c) {
        if (sqlite3_column_type(st, c) == SQLITE_NULL) {
          row.cols.emplace_back(std::nullopt);
        } else {
          auto* t = reinterpret_cast<const char*>(sqlite3_column_text(st, c));
          row.cols.emplace_back(std::string(t, sqlite3_column_bytes(st, c)));
        }
      }
      out.rows.push_back(std::move(row));
    }
    out.affected = sqlite3_changes(db_);
    sqlite3_reset(st);
    return out;
  }

 private:
  sqlite3_stmt* prepare(std::string_view sql) {
    std::string key(sql);
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    std::string converted = to_sqlite_placeholders(sql);
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, converted.c_str(), -1, &st, nullptr) != SQLITE_OK)
      throw error(sqlite3_errmsg(db_));
    cache_.emplace(std::move(key), st);
    return st;
  }
  DbError error(const std::string& msg) {
    int ext = sqlite3_extended_errcode(db_);
    auto kind = DbError::Kind::other;
    if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
      kind = DbError::Kind::unique_violation;
    else if ((ext & 0xff) == SQLITE_BUSY || (ext & 0xff) == SQLITE_LOCKED)
      kind = DbError::Kind::busy;
    return DbError(kind, "sqlite: " + msg);
  }

  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

}  // namespace

std::unique_ptr<Conn> open_sqlite(const std::string& path) {
  return std::make_unique<SqliteConn>(path);
}

}  // namespace gatehouse::store
