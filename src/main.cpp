// gatehouse: the server and its operator CLI (src/cli/, one file per command group).
#include <sys/stat.h>

#include <iostream>

#include "cli/commands.hpp"

using namespace gatehouse;

int main(int argc, char** argv) {
  umask(077);  // database, keys and mail files are readable by the service account only
  CLI::App app{"Gatehouse: identity provider for microservices"};
  app.require_subcommand(1);
  app.fallthrough();
  cli::Globals g;
  cli::add_override(&app, g, "--data-dir", "data_dir", "Data directory (SQLite file, keys, dev mail) [GATEHOUSE_DATA_DIR]");
  cli::add_override(&app, g, "--database-url", "database_url", "sqlite:///path or postgresql://... [GATEHOUSE_DATABASE_URL]");
  cli::add_override(&app, g, "--config", "config", "INI config file [GATEHOUSE_CONFIG]");
  app.add_flag("--json", g.json, "Machine-readable output");
  cli::add_serve_command(app, g);
  cli::add_migrate_commands(app, g);
  cli::add_user_commands(app, g);
  cli::add_client_commands(app, g);
  cli::add_keys_commands(app, g);
  cli::add_config_commands(app, g);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::cerr << "gatehouse: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
