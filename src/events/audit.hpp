#pragma once
// The audit log: every security-relevant state change and credential attempt, with who,
// what, when, from where and the request id. Rows are written in the same transaction as
// the change they describe.
#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <vector>

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

void record(store::Conn& c, const AuditEvent& e, int64_t now);
/// Events where the user is actor or subject, newest first.
std::vector<AuditRecord> for_user(store::Conn& c, const std::string& user_id, int limit,
                                  std::optional<int64_t> before_id);
boost::json::object to_json(const AuditRecord& r);

}  // namespace gatehouse::events
