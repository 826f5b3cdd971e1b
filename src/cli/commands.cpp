#include "cli/commands.hpp"

#include <iostream>

#include "core/log.hpp"
#include "identity/password_policy.hpp"

namespace gatehouse::cli {
namespace json = boost::json;

const Origin kCliOrigin{"local", "gatehouse-cli", "cli"};

void add_override(CLI::App* app, Globals& g, const std::string& flag, const std::string& key, const std::string& help) {
  app->add_option_function<std::string>(flag, [&g, key](const std::string& v) { g.overrides[key] = v; }, help);
}

Config load_or_exit(const Globals& g, bool serving) {
  auto loaded = load_config(g.overrides);
  if (!loaded.problems.empty()) {
    std::cerr << "gatehouse: invalid configuration:\n";
    for (auto& p : loaded.problems) std::cerr << "  - " << p << "\n";
    std::exit(2);
  }
  log::init(loaded.config.log_level, !serving);
  return loaded.config;
}

void print(const Globals& g, const json::value& v, const std::string& human) {
  if (g.json) std::cout << json::serialize(v) << "\n";
  else std::cout << human << "\n";
}

void fail_with(const Error& e) {
  std::string why = e.public_message;
  for (auto& [k, v] : e.details) why += std::string("; ") + std::string(k) + ": " + json::serialize(v);
  std::cerr << "gatehouse: " << why << "\n";
  std::exit(1);
}

void check_policy_or_exit(const Config& cfg, const std::string& password, const std::string& email) {
  if (auto why = identity::check_password(cfg, password, {email})) {
    std::cerr << "gatehouse: " << *why << "\n";
    std::exit(1);
  }
}

}  // namespace gatehouse::cli
