#include "events/audit.hpp"

#include <boost/json.hpp>

#include "core/clock.hpp"

namespace gatehouse::events {
namespace json = boost::json;

namespace {
AuditListener& listener() {
  static AuditListener l;
  return l;
}
}  // namespace

void set_listener(AuditListener l) { listener() = std::move(l); }

void record(store::Conn& c, const AuditEvent& e, int64_t now) {
  if (listener()) listener()(c, e, now);
  c.query("INSERT INTO audit_log (at, actor_id, action, subject_id, ip, user_agent, request_id,"
          " outcome, details) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
          {now, e.actor_id, e.action, e.subject_id, e.ip, e.user_agent.substr(0, 512),
           e.request_id, e.outcome, json::serialize(e.details)});
}

AuditEvent audit_event(const Origin& o, std::string action, std::optional<std::string> actor,
                       std::optional<std::string> subject) {
  AuditEvent e;
  e.action = std::move(action);
  e.actor_id = std::move(actor);
  e.subject_id = std::move(subject);
  e.ip = o.ip;
  e.user_agent = o.user_agent;
  e.request_id = o.request_id;
  return e;
}

std::vector<AuditRecord> query(store::Conn& c, const AuditFilter& f) {
  std::vector<AuditRecord> out;
  auto rows = c.query(
      "SELECT id, at, actor_id, action, subject_id, ip, user_agent, request_id, outcome, details FROM audit_log"
      " WHERE ($1 = '' OR actor_id = $1 OR subject_id = $1) AND ($2 = '' OR action = $2)"
      " AND at >= $3 AND at <= $4 AND id < $5 ORDER BY id DESC LIMIT $6",
      {f.user_id.value_or(""), f.action.value_or(""), f.since.value_or(0), f.until.value_or(INT64_MAX),
       f.before_id.value_or(INT64_MAX), f.limit});
  for (auto& r : rows) {
    AuditRecord rec;
    rec.id = r.i64(0);
    rec.at = r.i64(1);
    rec.event.actor_id = r.opt(2);
    rec.event.action = r.str(3);
    rec.event.subject_id = r.opt(4);
    rec.event.ip = r.str(5);
    rec.event.user_agent = r.str(6);
    rec.event.request_id = r.str(7);
    rec.event.outcome = r.str(8);
    boost::system::error_code ec;
    auto d = json::parse(r.str(9), ec);
    if (!ec && d.is_object()) rec.event.details = std::move(d.as_object());
    out.push_back(std::move(rec));
  }
  return out;
}

json::object to_json(const AuditRecord& r) {
  auto opt = [](const std::optional<std::string>& s) { return s ? json::value(*s) : json::value(nullptr); };
  return {{"id", r.id},
          {"at", iso8601(r.at)},
          {"action", r.event.action},
          {"outcome", r.event.outcome},
          {"actor_id", opt(r.event.actor_id)},
          {"subject_id", opt(r.event.subject_id)},
          {"ip", r.event.ip.empty() ? json::value(nullptr) : json::value(r.event.ip)},
          {"user_agent", r.event.user_agent.empty() ? json::value(nullptr) : json::value(r.event.user_agent)},
          {"request_id", r.event.request_id},
          {"details", r.event.details}};
}

}  // namespace gatehouse::events
