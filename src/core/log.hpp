#pragma once
// Structured logging: one JSON object per line on stdout (spdlog). Secrets never logged.
#include <boost/json/object.hpp>
#include <string_view>

namespace gatehouse::log {

/// Sets up the JSON-lines logger; level: trace|debug|info|warn|error. The server logs to
/// stdout; CLI commands log to stderr so their own (--json) output stays clean.
void init(std::string_view level, bool to_stderr = false);
void info(std::string_view msg, boost::json::object fields = {});
void warn(std::string_view msg, boost::json::object fields = {});
void error(std::string_view msg, boost::json::object fields = {});
/// Writes a pre-built access-log line (already JSON) at info level.
void access(boost::json::object fields);

}  // namespace gatehouse::log
