#pragma once
// The HTTP/1.1 server: Boost.Beast + Asio C++20 coroutines on N IO threads, one event loop
// each (a connection stays on the loop it was handed to). Each connection is a coroutine:
// read (size and time limits) -> middleware -> route -> handler (inline, or offloaded to a
// bounded worker pool) -> write -> keep-alive loop.
#include <functional>
#include <memory>
#include <string>

#include "http/middleware.hpp"
#include "http/router.hpp"

namespace gatehouse {
class WorkerPool;
}

namespace gatehouse::http {

struct ServerOptions {
  std::string listen = "127.0.0.1:8080";
  int io_threads = 2;
  std::size_t max_body_bytes = 64 * 1024;
  std::size_t max_header_bytes = 16 * 1024;  // request line + every header line, in total
  std::size_t max_header_fields = 100;
  int max_connections = 10000;               // past it new connections are closed at once
  int read_timeout_seconds = 15;
  int idle_timeout_seconds = 60;
  int drain_seconds = 10;
  bool access_log = true;
  MiddlewareOptions middleware;
};

class Server {
 public:
  Server(ServerOptions opts, const Router& router, WorkerPool& db_pool, WorkerPool& hash_pool);
  ~Server();
  /// Binds and serves until SIGTERM/SIGINT or stop(); then stops accepting, lets in-flight
  /// requests finish (up to drain_seconds) and returns. Throws when it cannot bind.
  /// `on_ready` runs once the socket listens, with the bound "host:port".
  void run(const std::function<void(const std::string&)>& on_ready);
  /// Thread-safe request to begin the graceful drain.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gatehouse::http
