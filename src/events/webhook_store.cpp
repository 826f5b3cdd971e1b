#include "events/webhook_store.hpp"

#include "core/json_util.hpp"

namespace gatehouse::events {

namespace {
Webhook webhook_from(const store::Row& r) {
  return {r.str(0), r.str(1), strings_from_json_text(r.str(2)), r.opt(3), r.str(4), r.i64(5), r.flag(6)};
}
}  // namespace

std::vector<Webhook> WebhookStore::listed(const char* where) {
  std::vector<Webhook> out;
  for (auto& r : c_.query(std::string("SELECT id, url, event_types, description, created_by, created_at, active"
                                      " FROM webhooks") + where + " ORDER BY created_at"))
    out.push_back(webhook_from(r));
  return out;
}

std::vector<Webhook> WebhookStore::all() { return listed(""); }

std::vector<Webhook> WebhookStore::active() { return listed(" WHERE active = 1"); }

bool WebhookStore::exists(const std::string& id) {
  return !c_.query("SELECT 1 FROM webhooks WHERE id = $1", {id}).empty();
}

void WebhookStore::insert(const Webhook& w, const std::string& secret_sealed) {
  c_.query("INSERT INTO webhooks (id, url, secret_sealed, event_types, description, created_by, created_at)"
           " VALUES ($1, $2, $3, $4, $5, $6, $7)",
           {w.id, w.url, secret_sealed, to_json_text(w.event_types), w.description, w.created_by, w.created_at});
}

bool WebhookStore::deactivate(const std::string& id) {
  if (c_.query("UPDATE webhooks SET active = 0 WHERE id = $1 AND active = 1", {id}).affected == 0) return false;
  c_.query("UPDATE webhook_deliveries SET status = 'failed', last_error = 'webhook removed'"
           " WHERE webhook_id = $1 AND status = 'pending'",
           {id});
  return true;
}

std::vector<DeliveryRow> WebhookStore::deliveries_of(const std::string& webhook_id, int limit) {
  std::vector<DeliveryRow> out;
  for (auto& r : c_.query("SELECT id, event_type, status, attempts, last_status_code, last_error, created_at,"
                          " delivered_at, next_attempt_at, payload FROM webhook_deliveries WHERE webhook_id = $1"
                          " ORDER BY created_at DESC, id LIMIT $2",
                          {webhook_id, limit}))
    out.push_back({r.str(0), r.str(1), r.str(2), r.i64(3), r.opt_i64(4), r.opt(5), r.i64(6), r.opt_i64(7), r.i64(8),
                   r.str(9)});
  return out;
}

void WebhookStore::add_delivery(const std::string& id, const std::string& webhook_id, const std::string& event_type,
                                const std::string& payload, int64_t now) {
  c_.query("INSERT INTO webhook_deliveries (id, webhook_id, event_type, payload, created_at, next_attempt_at)"
           " VALUES ($1, $2, $3, $4, $5, $5)",
           {id, webhook_id, event_type, payload, now});
}

std::vector<DueDelivery> WebhookStore::due(int64_t now) {
  std::vector<DueDelivery> out;
  for (auto& r : c_.query("SELECT d.id, d.webhook_id, d.payload, d.attempts, d.next_attempt_at, d.event_type, w.url,"
                          " w.secret_sealed FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id"
                          " WHERE d.status = 'pending' AND d.next_attempt_at <= $1 AND w.active = 1"
                          " ORDER BY d.created_at LIMIT 20",
                          {now}))
    out.push_back({r.str(0), r.str(1), r.str(2), r.i64(3), r.i64(4), r.str(5), r.str(6), r.str(7)});
  return out;
}

bool WebhookStore::claim(const std::string& id, int64_t seen_next_attempt_at, int64_t lease_until) {
  return c_.query("UPDATE webhook_deliveries SET next_attempt_at = $1 WHERE id = $2 AND next_attempt_at = $3"
                  " AND status = 'pending'",
                  {lease_until, id, seen_next_attempt_at})
             .affected == 1;
}

void WebhookStore::fail_unreadable_secret(const std::string& id) {
  c_.query("UPDATE webhook_deliveries SET status = 'failed', last_error = 'webhook secret unreadable' WHERE id = $1",
           {id});
}

void WebhookStore::mark_delivered(const std::string& id, int attempts, int64_t status_code, int64_t now) {
  c_.query("UPDATE webhook_deliveries SET status = 'delivered', attempts = $1, last_status_code = $2,"
           " delivered_at = $3, last_error = NULL WHERE id = $4",
           {attempts, status_code, now, id});
}

void WebhookStore::mark_attempt_failed(const std::string& id, bool give_up, int attempts,
                                       std::optional<int64_t> status_code, const std::string& error,
                                       int64_t next_attempt_at) {
  c_.query("UPDATE webhook_deliveries SET status = $1, attempts = $2, last_status_code = $3, last_error = $4,"
           " next_attempt_at = $5 WHERE id = $6",
           {give_up ? "failed" : "pending", attempts, status_code, error, next_attempt_at, id});
}

}  // namespace gatehouse::events
