#include "mail/outbox_store.hpp"

namespace gatehouse::mail {

void OutboxStore::insert(const std::string& id, const std::string& recipient, const std::string& subject,
                         const std::string& body, int64_t now) {
  c_.query("INSERT INTO mail_outbox (id, recipient, subject, body, created_at, next_attempt_at)"
           " VALUES ($1, $2, $3, $4, $5, $5)",
           {id, recipient, subject, body, now});
}

std::vector<OutboxRow> OutboxStore::due(int64_t now, int limit) {
  std::vector<OutboxRow> out;
  for (auto& r : c_.query("SELECT id, recipient, subject, body, attempts, next_attempt_at FROM mail_outbox"
                          " WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1"
                          " ORDER BY created_at LIMIT $2",
                          {now, limit}))
    out.push_back({r.str(0), r.str(1), r.str(2), r.str(3), static_cast<int>(r.i64(4)), r.i64(5)});
  return out;
}

bool OutboxStore::claim(const std::string& id, int64_t seen_next_attempt_at, int64_t until) {
  return c_.query("UPDATE mail_outbox SET next_attempt_at = $1 WHERE id = $2 AND next_attempt_at = $3"
                  " AND sent_at IS NULL",
                  {until, id, seen_next_attempt_at})
             .affected == 1;
}

void OutboxStore::mark_sent(const std::string& id, int64_t now) {
  c_.query("UPDATE mail_outbox SET sent_at = $1, attempts = attempts + 1 WHERE id = $2", {now, id});
}

void OutboxStore::mark_attempt_failed(const std::string& id, int attempts, const std::string& error,
                                      int64_t next_attempt_at, std::optional<int64_t> failed_at) {
  c_.query("UPDATE mail_outbox SET attempts = $1, last_error = $2, next_attempt_at = $3, failed_at = $4 WHERE id = $5",
           {attempts, error, next_attempt_at, failed_at, id});
}

}  // namespace gatehouse::mail
