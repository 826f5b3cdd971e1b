#pragma once
// webhooks and webhook_deliveries (the outbox), and the only place their SQL lives. A view
// over the connection or transaction it is given, so an enqueue joins the audited change's
// transaction: `WebhookStore(c).add_delivery(...)`. Secrets arrive here already sealed and
// payloads already serialised; signing, sending and the retry policy stay in webhooks.cpp.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "events/webhooks.hpp"
#include "store/db.hpp"

namespace gatehouse::events {

/// A delivery as the administrator's delivery log shows it.
struct DeliveryRow {
  std::string id, event_type, status;
  int64_t attempts = 0;
  std::optional<int64_t> last_status_code;
  std::optional<std::string> last_error;
  int64_t created_at = 0;
  std::optional<int64_t> delivered_at;
  int64_t next_attempt_at = 0;
  std::string payload;  // JSON text as enqueued
};

/// A pending delivery whose time has come, with what the sender needs of its endpoint.
struct DueDelivery {
  std::string id, webhook_id, payload;
  int64_t attempts = 0;
  int64_t next_attempt_at = 0;  // as read: claim() compares against it
  std::string event_type, url;
  std::string secret_sealed;  // base64 of the AEAD-sealed secret (associated data: webhook id)
};

class WebhookStore {
 public:
  explicit WebhookStore(store::Conn& c) : c_(c) {}

  /// Every endpoint ever registered, removed ones included, oldest first.
  std::vector<Webhook> all();
  /// The endpoints that receive events, oldest first.
  std::vector<Webhook> active();
  bool exists(const std::string& id);  // removed ones too: their deliveries stay readable
  void insert(const Webhook& w, const std::string& secret_sealed);
  /// Deactivates the endpoint (the row stays, so its deliveries stay visible) and fails its
  /// pending deliveries with "webhook removed"; false when there was no active one.
  bool deactivate(const std::string& id);

  /// The endpoint's deliveries, newest first.
  std::vector<DeliveryRow> deliveries_of(const std::string& webhook_id, int limit);
  /// Adds a pending delivery, due at once (next_attempt_at = created_at = now).
  void add_delivery(const std::string& id, const std::string& webhook_id, const std::string& event_type,
                    const std::string& payload, int64_t now);
  /// Up to 20 pending deliveries due at `now` to active endpoints, oldest first.
  std::vector<DueDelivery> due(int64_t now);
  /// Takes a due delivery by pushing its next attempt to `lease_until`, so a sender that
  /// dies mid-attempt only delays it. `seen_next_attempt_at` is the value due() read;
  /// false when another worker claimed it first (or it is no longer pending).
  bool claim(const std::string& id, int64_t seen_next_attempt_at, int64_t lease_until);
  /// Fails a delivery whose secret cannot be opened: it is never sent unsigned.
  void fail_unreadable_secret(const std::string& id);
  void mark_delivered(const std::string& id, int attempts, int64_t status_code, int64_t now);
  /// Records a failed attempt: pending again at `next_attempt_at`, or failed for good when
  /// `give_up`. `status_code` is empty when no HTTP answer came.
  void mark_attempt_failed(const std::string& id, bool give_up, int attempts, std::optional<int64_t> status_code,
                           const std::string& error, int64_t next_attempt_at);

 private:
  /// Webhooks matching a fixed WHERE clause (never caller text), oldest first.
  std::vector<Webhook> listed(const char* where);
  store::Conn& c_;
};

}  // namespace gatehouse::events
