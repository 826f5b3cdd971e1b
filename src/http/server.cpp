#include "http/server.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <boost/json.hpp>
#include <array>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "core/log.hpp"
#include "crypto/random.hpp"
#include "core/worker_pool.hpp"
#include "http/envelope.hpp"
#include "http/response_head.hpp"
#include "core/metrics.hpp"

namespace gatehouse::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using asio::awaitable;
using asio::ip::tcp;
using tcp_stream = asio::use_awaitable_t<>::as_default_on_t<beast::tcp_stream>;
constexpr auto as_tuple_awaitable = asio::as_tuple(asio::use_awaitable);

struct Server::Impl {
  ServerOptions opts;
  const Router& router;
  WorkerPool& db_pool;
  WorkerPool& hash_pool;
  // One event loop per IO thread, each run by its own thread (concurrency hint 1): no loop
  // is shared, so a completion never wakes a second thread through a futex. Loop 0 accepts
  // and hands connections out in turn; a connection lives on one loop for its lifetime.
  std::vector<std::unique_ptr<asio::io_context>> loops;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep_running;
  std::size_t next_loop = 0;
  asio::io_context& ioc;
  tcp::acceptor acceptor{ioc};
  asio::signal_set signals{ioc, SIGINT, SIGTERM};
  std::atomic<int> in_flight{0};
  std::atomic<int> open_connections{0};
  std::atomic<bool> draining{false};

  Impl(ServerOptions o, const Router& r, WorkerPool& db, WorkerPool& hash)
      : opts(std::move(o)), router(r), db_pool(db), hash_pool(hash), loops(make_loops(opts.io_threads)),
        ioc(*loops.front()) {
    for (auto& l : loops) keep_running.push_back(asio::make_work_guard(*l));
  }

  static std::vector<std::unique_ptr<asio::io_context>> make_loops(int n) {
    std::vector<std::unique_ptr<asio::io_context>> v;
    for (int i = 0; i < std::max(n, 1); ++i) v.push_back(std::make_unique<asio::io_context>(1));
    return v;
  }

  asio::io_context& loop_for_next_connection() { return *loops[next_loop++ % loops.size()]; }

  void stop_loops() {
    keep_running.clear();
    for (auto& l : loops) l->stop();
  }

  // Runs `fn` on `pool` and resumes on this IO thread; nullopt when the pool's queue is full.
  template <class T>
  awaitable<std::optional<T>> offload(WorkerPool& pool, std::function<T()> fn) {
    auto ex = co_await asio::this_coro::executor;
    co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(std::optional<T>)>(
        [&pool, ex](auto handler, std::function<T()> job) {
          auto h = std::make_shared<decltype(handler)>(std::move(handler));
          bool queued = pool.try_submit([h, ex, job = std::move(job)]() mutable {
            std::optional<T> r = job();
            asio::post(ex, [h, r = std::move(r)]() mutable { (*h)(std::move(r)); });
          });
          if (!queued) asio::post(ex, [h]() mutable { (*h)(std::nullopt); });
        },
        asio::use_awaitable, std::move(fn));
  }

  static Request to_request(bhttp::request<bhttp::string_body>& in) {
    Request r;
    r.method = std::string(in.method_string());
    r.target = std::string(in.target());
    auto q = r.target.find('?');
    r.path = r.target.substr(0, q);
    if (q != std::string::npos) r.query = r.target.substr(q + 1);
    r.headers.reserve(16);
    for (auto& f : in) {
      std::string name(f.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      r.headers.emplace_back(std::move(name), std::string(f.value()));
    }
    r.body = std::move(in.body());
    return r;
  }

  // Runs one piece of a handler; an exception that escapes it is a bug: logged, answered 500.
  template <class F>
  static auto guarded(const Route& route, Request& req, F&& f) -> decltype(f()) {
    try {
      return f();
    } catch (const DependencyFailure& ex) {  // e.g. the database went away: 503, not a bug
      log::error("dependency failed", {{"request_id", req.request_id}, {"route", route.pattern},
                                       {"error", ex.what()}});
      return error_response(req, ex.error);
    } catch (const std::exception& ex) {
      log::error("unhandled exception", {{"request_id", req.request_id}, {"route", route.pattern},
                                         {"error", ex.what()}});
      return error_response(req, Errc::internal, "Internal server error");
    }
  }

  WorkerPool& pool_of(Pool p) { return p == Pool::hash ? hash_pool : db_pool; }

  static Error busy() {
    Error e = Error::make(Errc::unavailable, "Server busy, retry shortly");
    e.retry_after = 1;
    return e;
  }

  // A staged handler: each step runs on the pool the previous one named; no worker waits
  // for another pool, and a full queue at any hand-over is an immediate 503.
  awaitable<Response> run_staged(const Route& route, Request& req) {
    Step step = Step::then(route.pool, [&route, &req] { return route.staged(req); });
    while (!step.done()) {
      std::function<Step()> job = [&route, &req, next = std::move(step.next())] {
        return guarded(route, req, next);
      };
      if (step.pool() == Pool::io) {
        step = job();
        continue;
      }
      auto r = co_await offload<Step>(pool_of(step.pool()), std::move(job));
      if (!r) co_return refusal(route, req, busy());
      step = std::move(*r);
    }
    co_return std::move(step.response());
  }

  awaitable<Response> dispatch(Request& req) {
    auto m = router.match(req.method, req.path);
    if (auto pre = apply_cors(req, nullptr, opts.middleware, m.route ? std::vector<std::string>{} : m.allowed))
      co_return *pre;
    if (!m.route) {
      req.route = "unmatched";  // raw paths would make metric labels unbounded
      if (m.allowed.empty()) co_return error_response(req, Errc::not_found, "No such endpoint");
      Response r = error_response(req, Errc::method_not_allowed, "Method not allowed");
      std::string allow;
      for (auto& a : m.allowed) allow += (allow.empty() ? "" : ", ") + a;
      r.set_header("Allow", allow);
      co_return r;
    }
    const Route& route = *m.route;
    req.route = route.pattern;
    req.params = std::move(m.params);
    if (!request_text_is_clean(req))  // before any lookup or rate-limit key (DESIGN.md §6)
      co_return refusal(route, req, Error::make(Errc::bad_request, "Request contains NUL or invalid UTF-8"));
    if (route.fast_path) {
      try {
        if (auto r = route.fast_path(req)) co_return std::move(*r);
      } catch (const std::exception& ex) {
        log::error("fast path exception", {{"request_id", req.request_id}, {"error", ex.what()}});
      }
    }
    if (route.admit_only_if_free && pool_of(*route.admit_only_if_free).full())
      co_return refusal(route, req, busy());  // e.g. a login while the hashing queue is full
    if (route.staged) co_return co_await run_staged(route, req);
    auto handle = [&route, &req] { return guarded(route, req, [&] { return route.handler(req); }); };
    if (route.pool == Pool::io) co_return handle();
    auto r = co_await offload<Response>(pool_of(route.pool), handle);
    if (r) co_return std::move(*r);
    co_return refusal(route, req, busy());
  }

  static Response refusal(const Route& route, const Request& req, const Error& e) {
    if (!route.refuse) return error_response(req, e);
    Response r = route.refuse(req, e);
    if (e.retry_after > 0) r.set_header("Retry-After", std::to_string(e.retry_after));
    return r;
  }

  // Writes the response: the head built in one string, the body from the response itself.
  awaitable<bool> write(tcp_stream& stream, Request& req, Response& res, bool keep_alive,
                        unsigned version) {
    add_security_headers(req, res, opts.middleware);
    bool keep = keep_alive && !draining.load();
    std::string head = response_head(res, {.version = version, .keep_alive = keep, .request_id = req.request_id});
    std::array<asio::const_buffer, 2> bytes{asio::buffer(head),
                                            asio::buffer(status_has_no_body(res.status) ? std::string_view{} : res.body)};
    stream.expires_after(std::chrono::seconds(opts.read_timeout_seconds));
    auto [ec, n] = co_await asio::async_write(stream, bytes, as_tuple_awaitable);
    co_return !ec && keep;
  }

  // Answers a request the parser refused (too large, malformed) and closes.
  awaitable<void> reject(tcp_stream& stream, const std::string& peer, Errc code, std::string msg) {
    Request req;
    req.request_id = crypto::new_request_id();
    req.client_ip = peer;
    req.path = "/";
    req.route = "rejected";
    Response res = error_response(req, code, std::move(msg));
    int status = res.status;
    co_await write(stream, req, res, false, 11);
    metrics().observe_request("OTHER", req.route, status, 0);
    if (opts.access_log)
      log::access({{"request_id", req.request_id}, {"status", status}, {"ip", peer}, {"error", res.body.size() < 512 ? res.body : ""}});
  }

  enum class ReadOutcome { ok, closed, body_too_large, headers_too_large, truncated, malformed };

  // Reads one request. Beast's header_limit applies to the bytes its parser has not yet
  // consumed, and it consumes every complete line, so many short lines slip past it: the
  // header is therefore read piecewise here, counting every byte and every field.
  awaitable<ReadOutcome> read_request(tcp_stream& stream, beast::flat_buffer& buffer,
                                      bhttp::request_parser<bhttp::string_body>& parser) {
    auto classify = [](beast::error_code ec) {
      if (ec == bhttp::error::body_limit) return ReadOutcome::body_too_large;
      if (ec == bhttp::error::header_limit) return ReadOutcome::headers_too_large;
      if (ec == bhttp::error::partial_message) return ReadOutcome::truncated;
      if (ec == bhttp::error::end_of_stream || ec == asio::error::eof || ec == beast::error::timeout ||
          ec == asio::error::operation_aborted || ec == asio::error::connection_reset)
        return ReadOutcome::closed;
      return ReadOutcome::malformed;
    };
    std::size_t header_bytes = 0;
    while (!parser.is_header_done()) {
      auto [ec, n] = co_await bhttp::async_read_some(stream, buffer, parser, as_tuple_awaitable);
      header_bytes += n;
      if (header_bytes > opts.max_header_bytes) co_return ReadOutcome::headers_too_large;
      if (ec) co_return classify(ec);
    }
    auto& fields = parser.get().base();
    if (static_cast<std::size_t>(std::distance(fields.begin(), fields.end())) > opts.max_header_fields)
      co_return ReadOutcome::headers_too_large;
    if (!parser.is_done()) {
      auto [ec, n] = co_await bhttp::async_read(stream, buffer, parser, as_tuple_awaitable);
      if (ec) co_return classify(ec);
    }
    co_return ReadOutcome::ok;
  }

  awaitable<void> session(tcp_stream stream) {
    beast::flat_buffer buffer;
    beast::error_code ec;
    auto ep = stream.socket().remote_endpoint(ec);
    std::string peer = ec ? "unknown" : ep.address().to_string();
    bool first = true;
    for (;;) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.header_limit(static_cast<std::uint32_t>(opts.max_header_bytes));
      parser.body_limit(opts.max_body_bytes);
      stream.expires_after(std::chrono::seconds(first ? opts.read_timeout_seconds : opts.idle_timeout_seconds));
      auto outcome = co_await read_request(stream, buffer, parser);
      first = false;
      if (outcome == ReadOutcome::closed) break;
      if (outcome != ReadOutcome::ok) {
        switch (outcome) {
          case ReadOutcome::body_too_large:
            co_await reject(stream, peer, Errc::payload_too_large, "Request body too large");
            break;
          case ReadOutcome::headers_too_large:
            co_await reject(stream, peer, Errc::headers_too_large, "Request headers too large");
            break;
          case ReadOutcome::truncated:
            co_await reject(stream, peer, Errc::bad_request, "Truncated request");
            break;
          default:
            co_await reject(stream, peer, Errc::bad_request, "Malformed HTTP request");
        }
        break;
      }
      auto& msg = parser.get();
      if (msg.method() == bhttp::verb::unknown) {  // e.g. "FOO / HTTP/1.1": not ours to route
        co_await reject(stream, peer, Errc::not_implemented, "HTTP method not implemented");
        break;
      }
      in_flight.fetch_add(1);
      auto started = std::chrono::steady_clock::now();
      bool keep_alive = msg.keep_alive();
      unsigned version = msg.version();
      Request req = to_request(msg);
      req.peer_ip = peer;
      req.client_ip = client_ip_for(req, peer, opts.middleware);
      req.request_id = request_id_for(req);
      req.secure = is_secure(req, peer, opts.middleware);
      Response res = co_await dispatch(req);
      apply_cors(req, &res, opts.middleware, {});
      int status = res.status;
      bool again = co_await write(stream, req, res, keep_alive, version);
      double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      metrics().observe_request(req.method, req.route, status, secs);
      if (opts.access_log)
        log::access({{"request_id", req.request_id}, {"method", req.method}, {"path", loggable_path(req)},
                     {"status", status}, {"duration_ms", secs * 1000.0}, {"ip", req.client_ip}});
      in_flight.fetch_sub(1);
      if (!again) break;
    }
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  // Holds one of max_connections while a connection lives.
  struct ConnectionSlot {
    std::atomic<int>& open;
    ~ConnectionSlot() { open.fetch_sub(1); }
  };

  awaitable<void> accept_loop() {
    asio::steady_timer backoff(acceptor.get_executor());
    for (;;) {
      auto [ec, sock] = co_await acceptor.async_accept(loop_for_next_connection(), as_tuple_awaitable);
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
        // EMFILE/ENFILE/ENOBUFS: the pending connection stays in the backlog, so accepting
        // again at once would spin. Pause, keep serving the connections we have.
        log::warn("accept failed", {{"error", ec.message()}});
        backoff.expires_after(std::chrono::milliseconds(100));
        co_await backoff.async_wait(as_tuple_awaitable);
        continue;
      }
      if (open_connections.fetch_add(1) >= opts.max_connections) {
        open_connections.fetch_sub(1);
        metrics().count("gatehouse_connections_refused_total");
        sock.close(ec);  // over the cap: refuse at once rather than queue without bound
        continue;
      }
      sock.set_option(tcp::no_delay(true), ec);
      auto ex = sock.get_executor();
      asio::co_spawn(ex,
                     [this, s = tcp_stream(std::move(sock))]() mutable -> awaitable<void> {
                       ConnectionSlot slot{open_connections};
                       co_await session(std::move(s));
                     },
                     asio::detached);
    }
  }

  void begin_drain() {
    if (draining.exchange(true)) return;
    log::info("draining", {{"in_flight", in_flight.load()}});
    beast::error_code ec;
    acceptor.close(ec);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(opts.drain_seconds);
    auto timer = std::make_shared<asio::steady_timer>(ioc);
    auto poll = std::make_shared<std::function<void()>>();
    // The function holds itself only weakly (a strong self-capture is a cycle that leaks);
    // the pending wait keeps it alive between polls.
    *poll = [this, timer, self = std::weak_ptr<std::function<void()>>(poll), deadline] {
      if (in_flight.load() == 0 || std::chrono::steady_clock::now() >= deadline) {
        stop_loops();
        return;
      }
      timer->expires_after(std::chrono::milliseconds(20));
      timer->async_wait([p = self.lock()](auto) { if (p) (*p)(); });
    };
    (*poll)();
  }
};

Server::Server(ServerOptions opts, const Router& router, WorkerPool& db, WorkerPool& hash)
    : impl_(std::make_unique<Impl>(std::move(opts), router, db, hash)) {}
Server::~Server() = default;

void Server::run(const std::function<void(const std::string&)>& on_ready) {
  auto& s = *impl_;
  auto colon = s.opts.listen.rfind(':');
  std::string host = s.opts.listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  if (host == "localhost") host = "127.0.0.1";
  auto port = static_cast<unsigned short>(std::stoi(s.opts.listen.substr(colon + 1)));
  tcp::endpoint ep{asio::ip::make_address(host), port};
  s.acceptor.open(ep.protocol());
  s.acceptor.set_option(asio::socket_base::reuse_address(true));
  s.acceptor.bind(ep);
  s.acceptor.listen(asio::socket_base::max_listen_connections);
  auto bound = s.acceptor.local_endpoint();
  s.signals.async_wait([&s](auto ec, int) {
    if (!ec) s.begin_drain();
  });
  asio::co_spawn(s.ioc, s.accept_loop(), asio::detached);
  if (on_ready) on_ready(bound.address().to_string() + ":" + std::to_string(bound.port()));
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < s.loops.size(); ++i) threads.emplace_back([&s, i] { s.loops[i]->run(); });
  s.ioc.run();
  for (auto& t : threads) t.join();
}

void Server::stop() {
  asio::post(impl_->ioc, [this] { impl_->begin_drain(); });
}

}  // namespace gatehouse::http
