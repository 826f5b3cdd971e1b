#include "store/db.hpp"

#include <charconv>
#include <condition_variable>
#include <filesystem>
#include <mutex>

#include "store/postgres.hpp"
#include "store/sqlite.hpp"

namespace gatehouse::store {

static const std::string kEmpty;

bool Database::ping() {
  try {
    return !query("SELECT 1").empty();
  } catch (const std::exception&) {
    return false;
  }
}

Error DbError::error_of(Kind k) {
  if (k == Kind::connection || k == Kind::busy) {
    Error e = Error::make(Errc::unavailable, "Database unavailable, retry shortly");
    e.retry_after = 1;
    return e;
  }
  if (k == Kind::unique_violation) return Error::make(Errc::conflict, "Conflicting change, retry");
  return Error::make(Errc::internal, "Internal server error");
}

const std::string& Row::str(std::size_t i) const {
  const auto& c = cols.at(i);
  return c ? *c : kEmpty;
}

std::optional<int64_t> Row::opt_i64(std::size_t i) const {
  const auto& c = cols.at(i);
  if (!c) return std::nullopt;
  int64_t x = 0;
  std::from_chars(c->data(), c->data() + c->size(), x);
  return x;
}

int64_t Row::i64(std::size_t i) const { return opt_i64(i).value_or(0); }

Database::Lease::~Lease() {
  if (c_) db_->release(std::move(c_), broken_);
}

namespace {

class PooledDatabase : public Database {
 public:
  using Factory = std::function<std::unique_ptr<Conn>()>;
  PooledDatabase(Engine e, Factory f, int max) : engine_(e), factory_(std::move(f)), max_(max) {
    idle_.push_back(factory_());  // fail fast at open time
    open_ = 1;
  }
  Engine engine() const override { return engine_; }

  Lease acquire() override {
    std::unique_lock lock(mu_);
    for (;;) {
      if (!idle_.empty()) {
        auto c = std::move(idle_.back());
        idle_.pop_back();
        return Lease(this, std::move(c));
      }
      if (open_ < max_) {
        ++open_;
        lock.unlock();
        try {
          return Lease(this, factory_());
        } catch (...) {
          std::lock_guard g(mu_);
          --open_;
          throw;
        }
      }
      cv_.wait(lock);
    }
  }

 protected:
  void release(std::unique_ptr<Conn> c, bool broken) override {
    std::lock_guard g(mu_);
    if (broken || !c->healthy()) --open_;
    else idle_.push_back(std::move(c));
    cv_.notify_one();
  }

 private:
  Engine engine_;
  Factory factory_;
  int max_;
  int open_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Conn>> idle_;
};

}  // namespace

std::unique_ptr<Database> Database::open(const std::string& url, int max_connections) {
  if (url.rfind("sqlite://", 0) == 0) {
    std::string path = url.substr(9);
    if (auto parent = std::filesystem::path(path).parent_path(); !parent.empty())
      std::filesystem::create_directories(parent);
    return std::make_unique<PooledDatabase>(
        Engine::sqlite, [path] { return open_sqlite(path); }, max_connections);
  }
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    return std::make_unique<PooledDatabase>(
        Engine::postgres, [url] { return open_postgres(url); }, max_connections);
  }
  throw std::runtime_error("unsupported database URL (use sqlite:// or postgresql://)");
}

}  // namespace gatehouse::store
