// gatehouse serve: run the HTTP server.
#include "cli/commands.hpp"

#include <iostream>

#include "app/app.hpp"

namespace gatehouse::cli {

void add_serve_command(CLI::App& cli, Globals& g) {
  struct Flags {
    bool no_migrate = false;
  };
  auto& f = g.keep<Flags>();
  auto* serve_cmd = cli.add_subcommand("serve", "Run the HTTP server");
  add_override(serve_cmd, g, "--listen", "listen", "HOST:PORT [GATEHOUSE_LISTEN, default 127.0.0.1:8080]");
  add_override(serve_cmd, g, "--issuer", "issuer", "Token issuer / public URL [GATEHOUSE_ISSUER]");
  serve_cmd->add_flag("--no-migrate", f.no_migrate, "Do not apply pending migrations on start");
  serve_cmd->callback([&g, &f] {
    Config cfg = load_or_exit(g, true);
    if (f.no_migrate) cfg.migrate_on_start = false;
    auto app = App::open(cfg, cfg.migrate_on_start);
    app->load_keys();
    std::exit(serve(*app));
  });
}

}  // namespace gatehouse::cli
