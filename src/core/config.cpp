#include "core/config.hpp"

#include <boost/property_tree/ini_parser.hpp>
#include <boost/property_tree/ptree.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <thread>

#include "core/ip_address.hpp"

namespace gatehouse {
namespace {

using Setter = std::function<std::string(Config&, const std::string&)>;

std::string set_int(int& out, const std::string& v, int lo, int hi) {
  int x = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  if (ec != std::errc{} || p != v.data() + v.size() || x < lo || x > hi)
    return "must be an integer in " + std::to_string(lo) + ".." + std::to_string(hi);
  out = x;
  return {};
}
template <class U>
std::string set_uint(U& out, const std::string& v, uint64_t lo, uint64_t hi) {
  uint64_t x = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  if (ec != std::errc{} || p != v.data() + v.size() || x < lo || x > hi)
    return "must be an integer in " + std::to_string(lo) + ".." + std::to_string(hi);
  out = static_cast<U>(x);
  return {};
}
std::string set_bool(bool& out, const std::string& v) {
  std::string s = v;
  std::transform(s.begin(), s.end(), s.begin(), ::tolower);
  if (s == "1" || s == "true" || s == "yes" || s == "on") { out = true; return {}; }
  if (s == "0" || s == "false" || s == "no" || s == "off") { out = false; return {}; }
  return "must be true or false";
}
// "BURST/SECONDS", e.g. "10/60".
std::string set_rule(RateRule& out, const std::string& v) {
  auto slash = v.find('/');
  if (slash == std::string::npos) return "must look like BURST/SECONDS, e.g. 10/60";
  auto number = [](std::string_view s, double& x) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
    return ec == std::errc{} && p == s.data() + s.size() && std::isfinite(x);
  };
  double b = 0, p = 0;
  std::string_view sv(v);
  if (!number(sv.substr(0, slash), b) || !number(sv.substr(slash + 1), p))
    return "must look like BURST/SECONDS, e.g. 10/60";
  if (b < 1 || b > 1e9 || p <= 0 || p > 1e9) return "burst must be 1..1e9 and seconds in (0, 1e9]";
  out = {b, p};
  return {};
}
std::vector<std::string> split_list(const std::string& v) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : v + ",") {
    if (c == ',' || c == ' ') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  return out;
}

#define STR(field) [](Config& c, const std::string& v) { c.field = v; return std::string{}; }
#define INT(field, lo, hi) [](Config& c, const std::string& v) { return set_int(c.field, v, lo, hi); }
#define UINT(field, lo, hi) [](Config& c, const std::string& v) { return set_uint(c.field, v, lo, hi); }
#define BOOL(field) [](Config& c, const std::string& v) { return set_bool(c.field, v); }
#define RULE(field) [](Config& c, const std::string& v) { return set_rule(c.field, v); }

const std::vector<std::pair<std::string, Setter>>& setters() {
  static const std::vector<std::pair<std::string, Setter>> table = {
      {"listen", STR(listen)},
      {"data_dir", STR(data_dir)},
      {"database_url", STR(database_url)},
      {"issuer", STR(issuer)},
      {"io_threads", INT(io_threads, 0, 256)},
      {"db_threads", INT(db_threads, 1, 256)},
      {"db_queue_limit", INT(db_queue_limit, 1, 1000000)},
      {"hash_threads", INT(hash_threads, 0, 256)},
      {"hash_queue_limit", INT(hash_queue_limit, 0, 100000)},
      {"hash_thread_nice", INT(hash_thread_nice, 0, 19)},
      {"max_body_bytes", UINT(max_body_bytes, 1024, 64ull << 20)},
      {"max_header_bytes", UINT(max_header_bytes, 1024, 1ull << 20)},
      {"read_timeout_seconds", INT(read_timeout_seconds, 1, 3600)},
      {"idle_timeout_seconds", INT(idle_timeout_seconds, 1, 3600)},
      {"cors_origins", [](Config& c, const std::string& v) { c.cors_origins = split_list(v); return std::string{}; }},
      {"trust_proxy", BOOL(trust_proxy)},
      {"trusted_proxies", [](Config& c, const std::string& v) { c.trusted_proxies = split_list(v); return std::string{}; }},
      {"max_connections", INT(max_connections, 16, 1000000)},
      {"max_header_fields", UINT(max_header_fields, 8, 10000)},
      {"metrics_token", STR(metrics_token)},
      {"access_log", BOOL(access_log)},
      {"log_level", STR(log_level)},
      {"migrate_on_start", BOOL(migrate_on_start)},
      {"argon2_memory_kib", UINT(argon2_memory_kib, 8, 4ull << 20)},
      {"argon2_iterations", UINT(argon2_iterations, 1, 100)},
      {"password_min_score", INT(password_min_score, 0, 4)},
      {"password_min_length", INT(password_min_length, 1, 256)},
      {"password_max_length", INT(password_max_length, 8, 4096)},
      {"token_alg", STR(token_alg)},
      {"token_audience", STR(token_audience)},
      {"access_token_ttl", INT(access_token_ttl, 10, 86400)},
      {"refresh_token_ttl", INT(refresh_token_ttl, 60, 365 * 86400)},
      {"token_leeway_seconds", INT(token_leeway_seconds, 0, 5)},
      {"key_publish_ahead_seconds", INT(key_publish_ahead_seconds, 0, 86400)},
      {"refresh_reuse_grace_seconds", INT(refresh_reuse_grace_seconds, 0, 300)},
      {"max_sessions_per_user", INT(max_sessions_per_user, 0, 100000)},
      {"verify_token_ttl", INT(verify_token_ttl, 1, 30 * 86400)},
      {"reset_token_ttl", INT(reset_token_ttl, 1, 7 * 86400)},
      {"require_verified_email", BOOL(require_verified_email)},
      {"token_cache_entries", UINT(token_cache_entries, 0, 10000000)},
      {"master_key", STR(master_key)},
      {"master_key_file", STR(master_key_file)},
      {"admin_email", STR(admin_email)},
      {"admin_password", STR(admin_password)},
      {"rate_limit_enabled", BOOL(rate_limit_enabled)},
      {"rate_limit_login_ip", RULE(rl_login_ip)},
      {"rate_limit_login_account", RULE(rl_login_account)},
      {"rate_limit_register_ip", RULE(rl_register_ip)},
      {"rate_limit_forgot_ip", RULE(rl_forgot_ip)},
      {"rate_limit_forgot_account", RULE(rl_forgot_account)},
      {"rate_limit_reset_ip", RULE(rl_reset_ip)},
      {"rate_limit_verify_ip", RULE(rl_verify_ip)},
      {"rate_limit_refresh_ip", RULE(rl_refresh_ip)},
      {"rate_limit_device_ip", RULE(rl_device_ip)},
      {"rate_limit_device_verify", RULE(rl_device_verify)},
      {"rate_limit_invite_org", RULE(rl_invite_org)},
      {"smtp_host", STR(smtp.host)},
      {"smtp_port", INT(smtp.port, 1, 65535)},
      {"smtp_tls", STR(smtp.tls)},
      {"smtp_username", STR(smtp.username)},
      {"smtp_password", STR(smtp.password)},
      {"mail_from", STR(smtp.from)},
      {"oauth_code_ttl", INT(oauth_code_ttl, 10, 600)},
      {"oauth_password_grant", BOOL(oauth_password_grant)},
      {"device_code_ttl", INT(device_code_ttl, 60, 3600)},
      {"device_poll_interval", INT(device_poll_interval, 1, 60)},
      {"ui_title", STR(ui_title)},
      {"ui_logo_url", STR(ui_logo_url)},
      {"ui_primary_color", STR(ui_primary_color)},
      {"webhook_max_attempts", INT(webhook_max_attempts, 1, 100)},
      {"webhook_retry_base_seconds", INT(webhook_retry_base_seconds, 1, 3600)},
      {"pre_register_hook_url", STR(pre_register_hook_url)},
      {"pre_login_hook_url", STR(pre_login_hook_url)},
      {"pre_hook_timeout_ms", INT(pre_hook_timeout_ms, 50, 60000)},
      {"pre_hook_fail_open", BOOL(pre_hook_fail_open)},
      {"pre_hook_secret", STR(pre_hook_secret)},
  };
  return table;
}

std::string env_name(const std::string& key) {
  std::string e = "GATEHOUSE_" + key;
  std::transform(e.begin(), e.end(), e.begin(), ::toupper);
  return e;
}

}  // namespace

std::string Config::effective_database_url() const {
  if (!database_url.empty()) return database_url;
  return "sqlite://" + data_dir + "/gatehouse.db";
}

std::vector<std::pair<std::string, std::string>> config_keys() {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& [k, _] : setters()) out.emplace_back(k, env_name(k));
  return out;
}

ConfigLoad load_config(const std::map<std::string, std::string>& overrides) {
  ConfigLoad r;
  std::map<std::string, std::string> values;  // key -> raw value, later sources win
  std::map<std::string, std::string> origin;

  std::string file;
  if (auto it = overrides.find("config"); it != overrides.end()) file = it->second;
  else if (const char* e = std::getenv("GATEHOUSE_CONFIG")) file = e;
  if (!file.empty()) {
    r.config.config_file = file;
    try {
      boost::property_tree::ptree pt;
      boost::property_tree::read_ini(file, pt);
      for (auto& [k, v] : pt) {
        if (v.empty()) { values[k] = v.data(); origin[k] = file; continue; }
        for (auto& [k2, v2] : v) { values[k2] = v2.data(); origin[k2] = file + " [" + k + "]"; }
      }
    } catch (const std::exception& ex) {
      r.problems.push_back("config file " + file + ": " + ex.what());
    }
  }
  for (auto& [k, _] : setters()) {
    if (const char* e = std::getenv(env_name(k).c_str())) { values[k] = e; origin[k] = env_name(k); }
  }
  for (auto& [k, v] : overrides) {
    if (k == "config") continue;
    values[k] = v;
    origin[k] = "--" + k;
  }

  for (auto& [k, v] : values) {
    auto it = std::find_if(setters().begin(), setters().end(), [&](auto& s) { return s.first == k; });
    if (it == setters().end()) {
      r.problems.push_back(origin[k] + ": unknown setting '" + k + "'");
      continue;
    }
    if (auto msg = it->second(r.config, v); !msg.empty())
      r.problems.push_back(origin[k] + " (" + k + "): " + msg);
  }

  Config& c = r.config;
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  if (c.io_threads == 0) c.io_threads = static_cast<int>(cores);
  if (c.hash_threads == 0) c.hash_threads = static_cast<int>(cores);
  if (c.hash_queue_limit == 0) c.hash_queue_limit = 8 * c.hash_threads;
  if (c.listen.find(':') == std::string::npos) r.problems.push_back("listen: must be HOST:PORT");
  if (c.issuer.empty()) c.issuer = "http://" + c.listen;
  while (!c.issuer.empty() && c.issuer.back() == '/') c.issuer.pop_back();
  if (c.token_alg != "ES256" && c.token_alg != "EdDSA" && c.token_alg != "RS256")
    r.problems.push_back("token_alg: must be ES256, EdDSA or RS256");
  if (c.smtp.tls != "none" && c.smtp.tls != "starttls" && c.smtp.tls != "tls")
    r.problems.push_back("smtp_tls: must be none, starttls or tls");
  static const char* levels[] = {"trace", "debug", "info", "warn", "error", "critical", "off"};
  if (std::find(std::begin(levels), std::end(levels), c.log_level) == std::end(levels))
    r.problems.push_back("log_level: must be trace, debug, info, warn, error, critical or off");
  if (c.ui_primary_color.empty() || c.ui_primary_color.size() > 32 ||
      c.ui_primary_color.find_first_of(";{}<>\"'") != std::string::npos)
    r.problems.push_back("ui_primary_color: must be a CSS colour such as #2f5d8a");
  if (c.password_min_length > c.password_max_length)
    r.problems.push_back("password_min_length: must not exceed password_max_length");
  if (c.trust_proxy && c.trusted_proxies.empty()) c.trusted_proxies = {"127.0.0.0/8", "::1/128"};
  if (!c.trust_proxy && !c.trusted_proxies.empty()) c.trust_proxy = true;
  for (auto& cidr : c.trusted_proxies)
    if (!Cidr::parse(cidr)) r.problems.push_back("trusted_proxies: not an address or CIDR: " + cidr);
  if (!c.metrics_token.empty() && c.metrics_token.size() < 16)
    r.problems.push_back("metrics_token: must be at least 16 characters");
  if (c.master_key_file.empty()) c.master_key_file = c.data_dir + "/master.key";
  auto url = c.effective_database_url();
  if (url.rfind("sqlite://", 0) != 0 && url.rfind("postgresql://", 0) != 0 &&
      url.rfind("postgres://", 0) != 0)
    r.problems.push_back("database_url: must start with sqlite:// or postgresql://");
  return r;
}

}  // namespace gatehouse
