#include "store/postgres.hpp"

#include "store/libpq.hpp"

#include <cstring>
#include <unordered_map>

namespace gatehouse::store {
namespace {

class PgConn : public Conn {
 public:
  explicit PgConn(const std::string& url) {
    conn_ = pq_.connectdb(url.c_str());
    if (pq_.status(conn_) != CONNECTION_OK) {
      std::string msg = pq_.errorMessage(conn_);
      pq_.finish(conn_);
      throw DbError(DbError::Kind::connection, "postgres connect: " + msg);
    }
    pq_.setNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);  // no NOTICE spam
  }
  ~PgConn() override { pq_.finish(conn_); }
  Engine engine() const override { return Engine::postgres; }
  bool healthy() override { return pq_.status(conn_) == CONNECTION_OK; }

  void exec_script(std::string_view sql) override {
    std::string s(sql);
    PGresult* r = pq_.exec(conn_, s.c_str());
    check(r);
    pq_.clear(r);
  }

  Rows query(std::string_view sql, const Params& params) override {
    const std::string& name = prepare(sql, static_cast<int>(params.size()));
    std::vector<std::string> text(params.size());
    std::vector<const char*> values(params.size(), nullptr);
    for (std::size_t i = 0; i < params.size(); ++i) {
      const auto& v = params[i].v;
      if (auto* n = std::get_if<int64_t>(&v)) {
        text[i] = std::to_string(*n);
        values[i] = text[i].c_str();
      } else if (auto* s = std::get_if<std::string>(&v)) {
        values[i] = s->c_str();
      }
    }
    PGresult* r = pq_.execPrepared(conn_, name.c_str(), static_cast<int>(params.size()),
                                 values.data(), nullptr, nullptr, 0);
    check(r);
    Rows out;
    int nrows = pq_.ntuples(r), ncols = pq_.nfields(r);
    out.rows.reserve(nrows);
    for (int i = 0; i < nrows; ++i) {
      Row row;
      row.cols.reserve(ncols);
      for (int c = 0; c < ncols; ++c) {
        if (pq_.getisnull(r, i, c)) row.cols.emplace_back(std::nullopt);
        else row.cols.emplace_back(std::string(pq_.getvalue(r, i, c), pq_.getlength(r, i, c)));
      }
      out.rows.push_back(std::move(row));
    }
    const char* affected = pq_.cmdTuples(r);
    out.affected = affected && *affected ? std::atoll(affected) : 0;
    pq_.clear(r);
    return out;
  }

 private:
  const std::string& prepare(std::string_view sql, int nparams) {
    std::string key(sql);
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    std::string name = "gh" + std::to_string(cache_.size());
    PGresult* r = pq_.prepare(conn_, name.c_str(), key.c_str(), nparams, nullptr);
    check(r);
    pq_.clear(r);
    return cache_.emplace(std::move(key), std::move(name)).first->second;
  }
  void check(PGresult* r) {
    auto st = pq_.resultStatus(r);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return;
    const char* sqlstate = pq_.resultErrorField(r, PG_DIAG_SQLSTATE);
    std::string state_text = sqlstate ? sqlstate : "";  // copy: the pointer dies with PQclear
    const char* state = state_text.empty() ? nullptr : state_text.c_str();
    std::string msg = pq_.resultErrorMessage(r);
    pq_.clear(r);
    auto kind = DbError::Kind::other;
    if (pq_.status(conn_) != CONNECTION_OK) kind = DbError::Kind::connection;
    else if (state && std::strcmp(state, "23505") == 0) kind = DbError::Kind::unique_violation;
    else if (state && (std::strcmp(state, "40001") == 0 || std::strcmp(state, "40P01") == 0))
      kind = DbError::Kind::busy;
    throw DbError(kind, "postgres: " + msg);
  }

  const LibPq& pq_ = libpq();  // first: the constructor needs it
  PGconn* conn_ = nullptr;
  std::unordered_map<std::string, std::string> cache_;
};

}  // namespace

std::unique_ptr<Conn> open_postgres(const std::string& url) {
  return std::make_unique<PgConn>(url);
}

}  // namespace gatehouse::store
