// gatehouse config check, gatehouse version.
#include "cli/commands.hpp"

#include <iostream>


namespace gatehouse::cli {
namespace json = boost::json;

void add_config_commands(CLI::App& cli, Globals& g) {
  auto* config = cli.add_subcommand("config", "Configuration");
  config->require_subcommand(1);
  config->add_subcommand("check", "Validate configuration and print the effective values")->callback([&g] {
    auto loaded = load_config(g.overrides);
    const Config& c = loaded.config;
    json::object eff{{"listen", c.listen}, {"issuer", c.issuer}, {"data_dir", c.data_dir},
                     {"database_url", c.effective_database_url().rfind("postgres", 0) == 0 ? "postgresql://(hidden)" : c.effective_database_url()},
                     {"token_alg", c.token_alg}, {"access_token_ttl", c.access_token_ttl},
                     {"refresh_token_ttl", c.refresh_token_ttl}, {"require_verified_email", c.require_verified_email},
                     {"smtp", c.smtp.host.empty() ? "files under <data-dir>/mail" : c.smtp.host}};
    json::array problems;
    for (auto& p : loaded.problems) problems.push_back(json::string(p));
    bool ok = loaded.problems.empty();
    std::string human = ok ? "Configuration OK" : "Configuration has problems:";
    for (auto& p : loaded.problems) human += "\n  - " + p;
    print(g, json::object{{"ok", ok}, {"problems", problems}, {"effective", eff}}, human);
    std::exit(ok ? 0 : 2);
  });

  cli.add_subcommand("version", "Print the version")->callback([&g] {
    print(g, json::object{{"version", GATEHOUSE_VERSION}}, std::string("gatehouse ") + GATEHOUSE_VERSION);
  });
}

}  // namespace gatehouse::cli
