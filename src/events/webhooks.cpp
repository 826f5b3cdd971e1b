#include "events/webhooks.hpp"

#include <boost/json.hpp>

#include "core/clock.hpp"
#include "core/json_util.hpp"
#include "core/log.hpp"
#include "core/random.hpp"
#include "crypto/aead.hpp"
#include "crypto/encoding.hpp"
#include "crypto/hash.hpp"
#include "events/http_client.hpp"

namespace gatehouse::events {
namespace json = boost::json;

json::object to_json(const Webhook& w) {
  json::array types;
  for (auto& t : w.event_types) types.push_back(json::string(t));
  return {{"id", w.id}, {"url", w.url}, {"event_types", std::move(types)},
          {"description", w.description ? json::value(*w.description) : json::value(nullptr)},
          {"created_by", w.created_by}, {"created_at", iso8601(w.created_at)}, {"active", w.active}};
}

std::string event_type_for(const AuditEvent& e) {
  bool failed = e.outcome == "failure";
  if (e.action == "user.register" || e.action == "user.import") return "user.created";
  if (e.action == "user.verify_email") return "user.verified";
  if (e.action == "auth.login") return failed ? "user.login_failed" : "user.login";
  if (e.action == "auth.logout") return "user.logout";
  if (e.action == "user.delete") return "user.deleted";
  if (e.action == "session.revoke") return "session.revoked";
  if (e.action == "user.password_change" || e.action == "user.password_reset") return failed ? e.action : "user.password_changed";
  return e.action;  // org.member_added, role.assigned, token.created, ... keep their names
}

Webhooks::Webhooks(const Config& cfg, store::Database& db, std::string master_key)
    : cfg_(cfg), db_(db), seal_key_(crypto::hkdf_sha256(master_key, "gatehouse webhook-secret seal v1")),
      legacy_key_(std::move(master_key)) {}

Webhooks::~Webhooks() { stop(); }

void Webhooks::reload() {
  auto s = std::make_shared<Snapshot>();
  for (auto& r : db_.query("SELECT id, url, event_types, description, created_by, created_at, active FROM webhooks"
                           " WHERE active = 1 ORDER BY created_at"))
    s->hooks.push_back({r.str(0), r.str(1), strings_from_json_text(r.str(2)), r.opt(3), r.str(4), r.i64(5), r.flag(6)});
  std::atomic_store(&snapshot_, std::shared_ptr<const Snapshot>(std::move(s)));
}

Result<std::pair<Webhook, std::string>> Webhooks::create(const std::string& url, std::optional<std::string> secret,
                                                         const std::vector<std::string>& types,
                                                         const std::optional<std::string>& description,
                                                         AuditEvent audit) {
  std::string created_by = audit.actor_id.value_or("");
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0)
    return Error::field("url", "Must be an http:// or https:// URL");
  if (types.empty()) return Error::field("event_types", "Name at least one event type, or \"*\"");
  if (!secret) secret = new_secret_token();
  if (secret->size() < 16) return Error::field("secret", "Must be at least 16 characters");
  Webhook w{new_uuid(), url, types, description, created_by, now_seconds(), true};
  std::string sealed = crypto::base64_encode(crypto::aead_seal(seal_key_, *secret, w.id));
  audit.action = "webhook.create";
  audit.subject_id = w.id;
  audit.details["url"] = url;
  db_.transaction([&](store::Conn& c) {
    c.query("INSERT INTO webhooks (id, url, secret_sealed, event_types, description, created_by, created_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7)",
            {w.id, url, sealed, to_json_text(types), description, created_by, w.created_at});
    record(c, audit, w.created_at);
  });
  reload();
  return std::make_pair(w, *secret);
}

Result<std::vector<Webhook>> Webhooks::list() {
  std::vector<Webhook> out;
  for (auto& r : db_.query("SELECT id, url, event_types, description, created_by, created_at, active FROM webhooks"
                           " ORDER BY created_at"))
    out.push_back({r.str(0), r.str(1), strings_from_json_text(r.str(2)), r.opt(3), r.str(4), r.i64(5), r.flag(6)});
  return out;
}

Status Webhooks::remove(const std::string& id, AuditEvent audit) {
  // Deactivated, not deleted: its deliveries stay visible.
  bool found = db_.transaction([&](store::Conn& c) {
    if (c.query("UPDATE webhooks SET active = 0 WHERE id = $1 AND active = 1", {id}).affected == 0) return false;
    c.query("UPDATE webhook_deliveries SET status = 'failed', last_error = 'webhook removed'"
            " WHERE webhook_id = $1 AND status = 'pending'", {id});
    audit.action = "webhook.delete";
    audit.subject_id = id;
    record(c, audit, now_seconds());
    return true;
  });
  if (!found) return Error::make(Errc::not_found, "Webhook not found");
  reload();
  return ok();
}

Result<json::array> Webhooks::deliveries(const std::string& webhook_id, int limit) {
  if (db_.query("SELECT 1 FROM webhooks WHERE id = $1", {webhook_id}).empty())
    return Error::make(Errc::not_found, "Webhook not found");
  json::array out;
  for (auto& r : db_.query("SELECT id, event_type, status, attempts, last_status_code, last_error, created_at,"
                           " delivered_at, next_attempt_at, payload FROM webhook_deliveries WHERE webhook_id = $1"
                           " ORDER BY created_at DESC, id LIMIT $2",
                           {webhook_id, limit})) {
    boost::system::error_code ec;
    auto payload = json::parse(r.str(9), ec);
    out.push_back(json::object{
        {"id", r.str(0)}, {"event_type", r.str(1)}, {"status", r.str(2)}, {"attempts", r.i64(3)},
        {"last_status_code", r.is_null(4) ? json::value(nullptr) : json::value(r.i64(4))},
        {"last_error", r.is_null(5) ? json::value(nullptr) : json::value(r.str(5))},
        {"created_at", iso8601(r.i64(6))},
        {"delivered_at", r.is_null(7) ? json::value(nullptr) : json::value(iso8601(r.i64(7)))},
        {"next_attempt_at", iso8601(r.i64(8))},
        {"payload", ec ? json::value(nullptr) : payload}});
  }
  return out;
}

void Webhooks::enqueue(store::Conn& c, const AuditEvent& e, int64_t now) {
  auto s = snap();
  if (s->hooks.empty()) return;
  std::string type = event_type_for(e);
  for (auto& h : s->hooks) {
    bool wanted = false;
    for (auto& t : h.event_types) wanted |= t == "*" || t == type;
    if (!wanted) continue;
    std::string id = new_uuid();
    json::object payload{{"id", id},
                         {"type", type},
                         {"created_at", iso8601(now)},
                         {"data", {{"action", e.action},
                                   {"outcome", e.outcome},
                                   {"actor_id", e.actor_id ? json::value(*e.actor_id) : json::value(nullptr)},
                                   {"subject_id", e.subject_id ? json::value(*e.subject_id) : json::value(nullptr)},
                                   {"ip", e.ip},
                                   {"request_id", e.request_id},
                                   {"details", e.details}}}};
    c.query("INSERT INTO webhook_deliveries (id, webhook_id, event_type, payload, created_at, next_attempt_at)"
            " VALUES ($1, $2, $3, $4, $5, $5)",
            {id, h.id, type, json::serialize(payload), now});
  }
  {
    std::lock_guard g(mu_);
    wake_ = true;  // the sender looks after the transaction commits (it re-reads the outbox)
  }
  cv_.notify_one();
}

void Webhooks::kick() {
  {
    std::lock_guard g(mu_);
    wake_ = true;
  }
  cv_.notify_one();
}

void Webhooks::deliver_due() {
  int64_t now = now_seconds();
  auto due = db_.query("SELECT d.id, d.webhook_id, d.payload, d.attempts, d.next_attempt_at, d.event_type, w.url,"
                       " w.secret_sealed FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id"
                       " WHERE d.status = 'pending' AND d.next_attempt_at <= $1 AND w.active = 1 ORDER BY d.created_at LIMIT 20",
                       {now});
  for (auto& r : due) {
    std::string id = r.str(0);
    if (db_.query("UPDATE webhook_deliveries SET next_attempt_at = $1 WHERE id = $2 AND next_attempt_at = $3"
                  " AND status = 'pending'",
                  {now + 300, id, r.i64(4)})
            .affected != 1)
      continue;  // another node took it
    auto sealed = crypto::base64_decode(r.str(7));
    auto secret = sealed ? crypto::aead_open(seal_key_, *sealed, r.str(1)) : std::nullopt;
    if (!secret && sealed) secret = crypto::aead_open(legacy_key_, *sealed, r.str(1));  // sealed before v1
    if (!secret) {  // never send unsigned: mark failed (e.g. the master key changed)
      db_.query("UPDATE webhook_deliveries SET status = 'failed', last_error = 'webhook secret unreadable' WHERE id = $1", {id});
      continue;
    }
    std::string body = r.str(2);
    std::string ts = std::to_string(now_seconds());
    std::string sig = crypto::hex_encode(crypto::hmac_sha256(*secret, ts + "." + body));
    auto res = post_json(r.str(6), body,
                         {{"X-Gatehouse-Event", r.str(5)},
                          {"X-Gatehouse-Delivery", id},
                          {"X-Gatehouse-Timestamp", ts},
                          {"X-Gatehouse-Signature", "t=" + ts + ",v1=" + sig}},
                         10000);
    int attempts = static_cast<int>(r.i64(3)) + 1;
    if (res.status >= 200 && res.status < 300) {
      db_.query("UPDATE webhook_deliveries SET status = 'delivered', attempts = $1, last_status_code = $2,"
                " delivered_at = $3, last_error = NULL WHERE id = $4",
                {attempts, static_cast<int64_t>(res.status), now_seconds(), id});
      continue;
    }
    bool give_up = attempts >= cfg_.webhook_max_attempts;
    int64_t backoff = std::min<int64_t>(3600, static_cast<int64_t>(cfg_.webhook_retry_base_seconds) << std::min(attempts - 1, 12));
    std::string error = res.error.empty() ? "HTTP " + std::to_string(res.status) : res.error;
    db_.query("UPDATE webhook_deliveries SET status = $1, attempts = $2, last_status_code = $3, last_error = $4,"
              " next_attempt_at = $5 WHERE id = $6",
              {give_up ? "failed" : "pending", attempts,
               res.status ? store::Value(static_cast<int64_t>(res.status)) : store::Value(nullptr), error,
               now_seconds() + backoff, id});
  }
}

void Webhooks::start() {
  reload();
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    int ticks = 0;
    while (!stopping_) {
      cv_.wait_for(lock, std::chrono::milliseconds(500), [&] { return wake_ || stopping_; });
      wake_ = false;
      lock.unlock();
      try {
        if (++ticks % 60 == 0) reload();  // endpoints registered on other nodes
        deliver_due();
      } catch (const std::exception& ex) {
        log::error("webhook delivery pass failed", {{"error", ex.what()}});
      }
      lock.lock();
    }
  });
}

void Webhooks::stop() {
  {
    std::lock_guard g(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace gatehouse::events
