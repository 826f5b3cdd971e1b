#pragma once
// Webhooks: administrators register endpoints (URL, secret, event types). Every audited
// action becomes an event; deliveries are written to a durable outbox in the same
// transaction as the change, then POSTed as JSON with an HMAC-SHA256 signature
//   X-Gatehouse-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
// and retried with exponential backoff until delivered or out of attempts.
#include <boost/json/object.hpp>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/periodic.hpp"
#include "events/audit.hpp"
#include "store/db.hpp"

namespace gatehouse::events {

struct Webhook {
  std::string id;
  std::string url;
  std::vector<std::string> event_types;  // "*" = every event
  std::optional<std::string> description;
  std::string created_by;
  int64_t created_at = 0;
  bool active = true;
};

boost::json::object to_json(const Webhook& w);

/// The event type for an audited action (e.g. auth.login/failure -> user.login_failed).
std::string event_type_for(const AuditEvent& e);

class Webhooks {
 public:
  Webhooks(const Config& cfg, store::Database& db, std::string master_key);
  ~Webhooks();

  /// Registers an endpoint. A secret is generated when none is given; it is returned once.
  Result<std::pair<Webhook, std::string>> create(const std::string& url, std::optional<std::string> secret,
                                                 const std::vector<std::string>& event_types,
                                                 const std::optional<std::string>& description,
                                                 AuditEvent audit);
  Result<std::vector<Webhook>> list();
  /// `audit` carries who and from where; action and subject are filled in here.
  Status remove(const std::string& id, AuditEvent audit);
  Result<boost::json::array> deliveries(const std::string& webhook_id, int limit);

  /// Adds deliveries for `e` to the outbox on `c` (the audited change's transaction).
  void enqueue(store::Conn& c, const AuditEvent& e, int64_t now);
  /// Wakes the sender (after a commit that may have enqueued deliveries).
  void kick();
  void start();
  void stop();
  /// Reads the active endpoints into memory (start-up, after changes, periodically).
  void reload();

 private:
  struct Snapshot {
    std::vector<Webhook> hooks;
  };
  void deliver_due();
  std::shared_ptr<const Snapshot> snap() const { return std::atomic_load(&snapshot_); }

  const Config& cfg_;
  store::Database& db_;
  std::string seal_key_;    // HKDF(master, "webhook-secret seal"): seals webhook secrets
  std::string legacy_key_;  // the raw master key, to open secrets sealed before v1
  std::shared_ptr<const Snapshot> snapshot_ = std::make_shared<Snapshot>();
  int passes_ = 0;  // the worker's own: every 60th pass (30 s) re-reads the endpoints
  PeriodicWorker worker_{"webhook delivery", std::chrono::milliseconds(500), [this] {
    if (++passes_ % 60 == 0) reload();  // endpoints registered on other nodes
    deliver_due();
  }};
};

}  // namespace gatehouse::events
