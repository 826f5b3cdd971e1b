#include "events/webhooks.hpp"

#include <boost/json.hpp>

#include "core/clock.hpp"
#include "core/log.hpp"
#include "crypto/random.hpp"
#include "crypto/aead.hpp"
#include "crypto/encoding.hpp"
#include "crypto/hash.hpp"
#include "events/http_client.hpp"
#include "events/webhook_store.hpp"

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
  s->hooks = db_.with([&](store::Conn& c) { return WebhookStore(c).active(); });
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
  if (!secret) secret = crypto::new_secret_token();
  if (secret->size() < 16) return Error::field("secret", "Must be at least 16 characters");
  Webhook w{crypto::new_uuid(), url, types, description, created_by, now_seconds(), true};
  std::string sealed = crypto::base64_encode(crypto::aead_seal(seal_key_, *secret, w.id));
  audit.action = "webhook.create";
  audit.subject_id = w.id;
  audit.details["url"] = url;
  db_.transaction([&](store::Conn& c) {
    WebhookStore(c).insert(w, sealed);
    record(c, audit, w.created_at);
  });
  reload();
  return std::make_pair(w, *secret);
}

Result<std::vector<Webhook>> Webhooks::list() {
  return db_.with([&](store::Conn& c) { return WebhookStore(c).all(); });
}

Status Webhooks::remove(const std::string& id, AuditEvent audit) {
  // Deactivated, not deleted: its deliveries stay visible.
  bool found = db_.transaction([&](store::Conn& c) {
    if (!WebhookStore(c).deactivate(id)) return false;
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
  if (!db_.with([&](store::Conn& c) { return WebhookStore(c).exists(webhook_id); }))
    return Error::make(Errc::not_found, "Webhook not found");
  json::array out;
  for (auto& d : db_.with([&](store::Conn& c) { return WebhookStore(c).deliveries_of(webhook_id, limit); })) {
    boost::system::error_code ec;
    auto payload = json::parse(d.payload, ec);
    out.push_back(json::object{
        {"id", d.id}, {"event_type", d.event_type}, {"status", d.status}, {"attempts", d.attempts},
        {"last_status_code", d.last_status_code ? json::value(*d.last_status_code) : json::value(nullptr)},
        {"last_error", d.last_error ? json::value(*d.last_error) : json::value(nullptr)},
        {"created_at", iso8601(d.created_at)},
        {"delivered_at", d.delivered_at ? json::value(iso8601(*d.delivered_at)) : json::value(nullptr)},
        {"next_attempt_at", iso8601(d.next_attempt_at)},
        {"payload", ec ? json::value(nullptr) : payload}});
  }
  return out;
}

void Webhooks::enqueue(store::Conn& c, const AuditEvent& e, int64_t now) {
  auto s = snap();
  if (s->hooks.empty()) return;
  std::string type = event_type_for(e);
  WebhookStore store(c);
  for (auto& h : s->hooks) {
    bool wanted = false;
    for (auto& t : h.event_types) wanted |= t == "*" || t == type;
    if (!wanted) continue;
    std::string id = crypto::new_uuid();
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
    store.add_delivery(id, h.id, type, json::serialize(payload), now);
  }
  worker_.kick();  // the sender looks after the transaction commits (it re-reads the outbox)
}

void Webhooks::kick() { worker_.kick(); }

void Webhooks::deliver_due() {
  int64_t now = now_seconds();
  // Each statement runs alone (autocommit, its own lease): no connection is held while
  // an endpoint is being POSTed to.
  auto due = db_.with([&](store::Conn& c) { return WebhookStore(c).due(now); });
  for (auto& d : due) {
    const std::string& id = d.id;
    if (!db_.with([&](store::Conn& c) { return WebhookStore(c).claim(id, d.next_attempt_at, now + 300); }))
      continue;  // another node took it
    auto sealed = crypto::base64_decode(d.secret_sealed);
    auto secret = sealed ? crypto::aead_open(seal_key_, *sealed, d.webhook_id) : std::nullopt;
    if (!secret && sealed) secret = crypto::aead_open(legacy_key_, *sealed, d.webhook_id);  // sealed before v1
    if (!secret) {  // never send unsigned: mark failed (e.g. the master key changed)
      db_.with([&](store::Conn& c) { WebhookStore(c).fail_unreadable_secret(id); });
      continue;
    }
    std::string body = d.payload;
    std::string ts = std::to_string(now_seconds());
    std::string sig = crypto::hex_encode(crypto::hmac_sha256(*secret, ts + "." + body));
    auto res = post_json(d.url, body,
                         {{"X-Gatehouse-Event", d.event_type},
                          {"X-Gatehouse-Delivery", id},
                          {"X-Gatehouse-Timestamp", ts},
                          {"X-Gatehouse-Signature", "t=" + ts + ",v1=" + sig}},
                         10000);
    int attempts = static_cast<int>(d.attempts) + 1;
    if (res.status >= 200 && res.status < 300) {
      int64_t delivered_at = now_seconds();
      db_.with([&](store::Conn& c) {
        WebhookStore(c).mark_delivered(id, attempts, static_cast<int64_t>(res.status), delivered_at);
      });
      continue;
    }
    bool give_up = attempts >= cfg_.webhook_max_attempts;
    int64_t backoff = std::min<int64_t>(3600, static_cast<int64_t>(cfg_.webhook_retry_base_seconds) << std::min(attempts - 1, 12));
    std::string error = res.error.empty() ? "HTTP " + std::to_string(res.status) : res.error;
    std::optional<int64_t> status_code;  // none when no HTTP answer came
    if (res.status) status_code = static_cast<int64_t>(res.status);
    int64_t next_attempt_at = now_seconds() + backoff;
    db_.with([&](store::Conn& c) {
      WebhookStore(c).mark_attempt_failed(id, give_up, attempts, status_code, error, next_attempt_at);
    });
  }
}

void Webhooks::start() {
  reload();
  worker_.start();
}

void Webhooks::stop() { worker_.stop(); }

}  // namespace gatehouse::events
