#pragma once
// Method + path routing with {param} segments. 404 when no pattern matches the path,
// 405 (with the allowed methods) when the path matches under other methods only.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/error.hpp"
#include "http/request.hpp"

namespace gatehouse::http {

/// Where a handler runs. Nothing that blocks may run on an IO thread.
enum class Pool {
  io,    // cheap, never blocks: runs on the IO thread
  db,    // SQL or other blocking work: the database worker pool
  hash,  // password hashing: the bounded hashing pool
};

using Handler = std::function<Response(Request&)>;

/// What a staged handler gives back: the response, or the next piece of work and the pool it
/// must run on. A worker never waits for another pool: a login reads the account on the
/// database pool, returns `Step::then(Pool::hash, ...)` for the password check, which returns
/// `Step::then(Pool::db, ...)` for the writes. Each hand-over can be refused (queue full):
/// the client gets 503 + Retry-After at once.
class Step {
 public:
  Step(Response r) : response_(std::move(r)) {}
  static Step then(Pool pool, std::function<Step()> next) { return Step(pool, std::move(next)); }

  bool done() const { return response_.has_value(); }
  Response& response() { return *response_; }
  Pool pool() const { return pool_; }
  std::function<Step()>& next() { return next_; }

 private:
  Step(Pool pool, std::function<Step()> next) : pool_(pool), next_(std::move(next)) {}
  std::optional<Response> response_;
  Pool pool_ = Pool::db;
  std::function<Step()> next_;
};
using StagedHandler = std::function<Step(Request&)>;
/// Optional fast path tried on the IO thread first; nullopt means "run the full handler".
using FastPath = std::function<std::optional<Response>(Request&)>;
/// How a route answers the refusals the server makes before its handler runs (undecodable
/// text, busy pools). Empty: the API error envelope. OAuth endpoints answer in RFC 6749 form.
using Refusal = std::function<Response(const Request&, const Error&)>;

struct Route {
  std::string method;
  std::string pattern;  // e.g. /api/v1/auth/sessions/{id}
  Pool pool = Pool::db;
  Handler handler;        // runs to the end on `pool`
  StagedHandler staged;   // or: starts on `pool`, may continue on others (exactly one is set)
  FastPath fast_path;
  Refusal refuse;
  /// A staged route that will need this pool later (a login needs the hashing pool): while
  /// that pool's queue is full the request is refused at once, before any other work.
  std::optional<Pool> admit_only_if_free;
  std::string summary;
  std::vector<std::string> segments;  // split pattern
};

struct Match {
  const Route* route = nullptr;                 // set on success
  std::map<std::string, std::string> params;
  std::vector<std::string> allowed;              // set when the path exists under other methods
};

class Router {
 public:
  Route& add(std::string method, std::string pattern, Pool pool, Handler h,
             std::string summary = {});
  Route& get(std::string p, Pool pool, Handler h, std::string s = {}) { return add("GET", std::move(p), pool, std::move(h), std::move(s)); }
  Route& post(std::string p, Pool pool, Handler h, std::string s = {}) { return add("POST", std::move(p), pool, std::move(h), std::move(s)); }
  Route& patch(std::string p, Pool pool, Handler h, std::string s = {}) { return add("PATCH", std::move(p), pool, std::move(h), std::move(s)); }
  Route& del(std::string p, Pool pool, Handler h, std::string s = {}) { return add("DELETE", std::move(p), pool, std::move(h), std::move(s)); }

  Route& add_staged(std::string method, std::string pattern, Pool pool, StagedHandler h, std::string summary = {});

  /// Literal segments win over parameters, whatever the registration order.
  Match match(std::string_view method, std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::vector<Route> routes_;
  // Patterns without parameters, by path: indexes into routes_. A request whose path is one
  // of them exactly is answered without scanning every route (a full literal match always
  // has the best score).
  std::unordered_map<std::string, std::vector<std::size_t>, StringHash, std::equal_to<>> literal_;
};

}  // namespace gatehouse::http
