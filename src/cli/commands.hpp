#pragma once
// The operator CLI (`gatehouse <command>`): one add_*_commands() per command group, each in
// its own file. Every command reads the same configuration (flags > GATEHOUSE_* env >
// config file) and works on the same database as `serve`, also while a server runs on it.
#include <CLI/CLI.hpp>

#include <boost/json.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/error.hpp"
#include "identity/models.hpp"

namespace gatehouse::cli {

struct Globals {
  std::map<std::string, std::string> overrides;
  bool json = false;

  /// Storage for a command group's flags: CLI11 fills them during parse and the callbacks
  /// read them afterwards, so they must outlive the add_*_commands() call declaring them.
  template <class T>
  T& keep() {
    auto p = std::make_shared<T>();
    kept_.push_back(p);
    return *p;
  }

 private:
  std::vector<std::shared_ptr<void>> kept_;
};

/// Adds `flag` to `app`; its value overrides the configuration key `key`.
void add_override(CLI::App* app, Globals& g, const std::string& flag, const std::string& key, const std::string& help);
/// The configuration, or exit(2) listing every problem.
Config load_or_exit(const Globals& g, bool serving = false);
/// JSON with --json, else the human text.
void print(const Globals& g, const boost::json::value& v, const std::string& human);
/// Prints the error (with field details) and exits 1.
[[noreturn]] void fail_with(const Error& e);
/// Operator-chosen passwords follow the same policy as self-service ones.
void check_policy_or_exit(const Config& cfg, const std::string& password, const std::string& email);
/// The audit origin of CLI actions.
extern const Origin kCliOrigin;

void add_serve_command(CLI::App& cli, Globals& g);
void add_migrate_commands(CLI::App& cli, Globals& g);
void add_user_commands(CLI::App& cli, Globals& g);
void add_client_commands(CLI::App& cli, Globals& g);
void add_keys_commands(CLI::App& cli, Globals& g);
void add_config_commands(CLI::App& cli, Globals& g);

}  // namespace gatehouse::cli
