#pragma once
// mail_outbox, and the only place its SQL lives: mail is written in the caller's
// transaction and delivered later by whichever node claims it.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/db.hpp"

namespace gatehouse::mail {

struct OutboxRow {
  std::string id, recipient, subject, body;
  int attempts = 0;
  int64_t next_attempt_at = 0;
};

class OutboxStore {
 public:
  explicit OutboxStore(store::Conn& c) : c_(c) {}
  void insert(const std::string& id, const std::string& recipient, const std::string& subject,
              const std::string& body, int64_t now);
  /// Unsent, not given up, due by `now`; oldest first.
  std::vector<OutboxRow> due(int64_t now, int limit);
  /// Moves the next attempt to `until` if the row is still as read; false when another
  /// node (or a CLI process) claimed it first.
  bool claim(const std::string& id, int64_t seen_next_attempt_at, int64_t until);
  void mark_sent(const std::string& id, int64_t now);
  /// Records a failed attempt; `failed_at` set means the message is given up.
  void mark_attempt_failed(const std::string& id, int attempts, const std::string& error, int64_t next_attempt_at,
                           std::optional<int64_t> failed_at);

 private:
  store::Conn& c_;
};

}  // namespace gatehouse::mail
