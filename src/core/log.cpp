#include "core/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

namespace gatehouse::log {
namespace {

bool g_stderr = false;

std::shared_ptr<spdlog::logger>& logger() {
  static std::shared_ptr<spdlog::logger> l = [] {
    auto lg = g_stderr ? spdlog::stderr_logger_mt("gatehouse") : spdlog::stdout_logger_mt("gatehouse");
    lg->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l",%v})", spdlog::pattern_time_type::utc);
    lg->flush_on(spdlog::level::warn);
    return lg;
  }();
  return l;
}

std::string body(std::string_view msg, boost::json::object& f) {
  std::string out = "\"msg\":" + boost::json::serialize(boost::json::string(msg));
  for (auto& [k, v] : f) {
    out += ",\"";
    out += k;
    out += "\":";
    out += boost::json::serialize(v);
  }
  return out;
}

}  // namespace

void init(std::string_view level, bool to_stderr) {
  g_stderr = to_stderr;
  logger()->set_level(spdlog::level::from_str(std::string(level)));
  spdlog::flush_every(std::chrono::seconds(1));
}

void info(std::string_view msg, boost::json::object f) { logger()->info(body(msg, f)); }
void warn(std::string_view msg, boost::json::object f) { logger()->warn(body(msg, f)); }
void error(std::string_view msg, boost::json::object f) { logger()->error(body(msg, f)); }
void access(boost::json::object f) { logger()->info(body("request", f)); }

}  // namespace gatehouse::log
