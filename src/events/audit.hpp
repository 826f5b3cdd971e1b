#pragma once
// The audit log: every security-relevant state change and credential attempt, with who,
// what, when, from where and the request id. Rows are written in the same transaction as
// the change they describe.
#include <boost/json/object.hpp>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/request_context.hpp"
#include "store/db.hpp"

namespace gatehouse::events {

struct AuditEvent {
  std::string action;                  // e.g. auth.login, user.register
  std::string outcome = "success";     // success | failure
  std::optional<std::string> actor_id; // who did it (user id), when known
  std::optional<std::string> subject_id;  // what it was done to (session id, user id)
  std::string ip;
  std::string user_agent;
  std::string request_id;
  boost::json::object details;
};

struct AuditRecord {
  int64_t id = 0;
  int64_t at = 0;
  AuditEvent event;
};

/// An event pre-filled from the request origin.
AuditEvent audit_event(const Origin& o, std::string action, std::optional<std::string> actor = std::nullopt,
                       std::optional<std::string> subject = std::nullopt);
void record(store::Conn& c, const AuditEvent& e, int64_t now);
/// Called by record() for every event, in the same transaction (webhooks enqueue here).
/// Set once at start-up, before any request is served.
using AuditListener = std::function<void(store::Conn& c, const AuditEvent& e, int64_t now)>;
void set_listener(AuditListener l);
struct AuditFilter {
  std::optional<std::string> user_id;  // actor or subject
  std::optional<std::string> action;
  std::optional<int64_t> since, until, before_id;
  int limit = 50;
};
/// Matching events, newest first; page with before_id = the last id seen.
std::vector<AuditRecord> query(store::Conn& c, const AuditFilter& f);
boost::json::object to_json(const AuditRecord& r);

}  // namespace gatehouse::events
