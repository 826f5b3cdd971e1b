#include "events/audit.hpp"

#include <boost/json.hpp>

#include "core/clock.hpp"

namespace gatehouse::events {
namespace json = boost::json;

void record(store::Conn& c, const AuditEvent& e, int64_t now) {
  c.query("INSERT INTO audit_log (at, actor_id, action, subject_id, ip, user_agent, request_id,"
          " outcome, details) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
          {now, e.actor_id, e.action, e.subject_id, e.ip, e.user_agent.substr(0, 512),
           e.request_id, e.outcome, json::serialize(e.details)});
}

std::vector<AuditRecord> for_user(store::Conn& c, const std::string& user_id, int limit,
                                  std::optional<int64_t> before_id) {
  std::vector<AuditRecord> out;
  auto rows = c.query(
      "SELECT id, at, actor_id, action, subject_id, ip, user_agent, request_id, outcome, details"
      " FROM audit_log WHERE (actor_id = $1 OR subject_id = $1) AND id < $2"
      " ORDER BY id DESC LIMIT $3",
      {user_id, before_id.value_or(INT64_MAX), limit});
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
          {"ip", r.event.ip},
          {"user_agent", r.event.user_agent},
          {"request_id", r.event.request_id},
          {"details", r.event.details}};
}

}  // namespace gatehouse::events
