#pragma once
// Outgoing mail through a durable outbox table. Services enqueue inside their transaction;
// delivery happens after commit (kick) and from a background retry loop with exponential
// backoff. With no SMTP host configured, mails are written as .eml files under
// <data-dir>/mail/ (the seed services' "prevent mail send" switch) and the link is logged.
#include <atomic>
#include <mutex>
#include <string>

#include "core/config.hpp"
#include "core/periodic.hpp"
#include "store/db.hpp"

namespace gatehouse::mail {

struct Message {
  std::string to;
  std::string subject;
  std::string body;  // plain text
};

class Mailer {
 public:
  Mailer(const Config& cfg, store::Database& db);
  ~Mailer();

  /// Adds a message to the outbox on `c` (inside the caller's transaction).
  void enqueue(store::Conn& c, const Message& m);
  /// Delivers due messages now. In file mode this runs on the caller's thread so the .eml
  /// exists when the request returns; with SMTP it wakes the background sender. Blocking.
  void kick();
  /// Starts the background retry loop.
  void start();
  /// Stops the loop after one last delivery pass.
  void stop();

 private:
  void deliver_due();
  bool send(const std::string& id, const Message& m, std::string& error);
  bool write_eml(const std::string& id, const Message& m, std::string& error);
  bool send_smtp(const Message& m, std::string& error);
  std::string render(const std::string& id, const Message& m) const;

  const Config& cfg_;
  store::Database& db_;
  bool file_mode_;
  std::mutex deliver_mu_;  // one delivery pass at a time (the worker, kick() in file mode, stop())
  PeriodicWorker worker_{"mail delivery", std::chrono::seconds(5), [this] { deliver_due(); }};
};

}  // namespace gatehouse::mail
