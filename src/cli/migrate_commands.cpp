// gatehouse migrate up|down|status|create.
#include "cli/commands.hpp"

#include <iostream>

#include "app/app.hpp"
#include "core/clock.hpp"
#include "store/migrations.hpp"

namespace gatehouse::cli {
namespace json = boost::json;

namespace {
json::array versions_json(const std::vector<std::string>& versions) {
  json::array a;
  for (auto& v : versions) a.push_back(json::string(v));
  return a;
}
}  // namespace

void add_migrate_commands(CLI::App& cli, Globals& g) {
  struct Flags {
    int steps = 0, down_steps = 1;
    std::string mig_name, mig_dir = "src/store/migrations";
  };
  auto& f = g.keep<Flags>();
  auto* migrate = cli.add_subcommand("migrate", "Database schema migrations");
  migrate->require_subcommand(1);
  auto* up = migrate->add_subcommand("up", "Apply pending migrations");
  up->add_option("--steps", f.steps, "At most N migrations (default all)");
  up->callback([&g, &f] {
    auto app = App::open(load_or_exit(g), false);
    auto done = store::Migrator(*app->db).up(f.steps);
    print(g, versions_json(done), done.empty() ? "Nothing to apply" : "Applied " + std::to_string(done.size()) + " migration(s)");
  });
  auto* down = migrate->add_subcommand("down", "Revert applied migrations");
  down->add_option("--steps", f.down_steps, "N migrations (default 1)");
  down->callback([&g, &f] {
    auto app = App::open(load_or_exit(g), false);
    auto done = store::Migrator(*app->db).down(f.down_steps);
    print(g, versions_json(done), "Reverted " + std::to_string(done.size()) + " migration(s)");
  });
  migrate->add_subcommand("status", "Show applied and pending migrations")->callback([&g, &f] {
    auto app = App::open(load_or_exit(g), false);
    json::array a;
    std::string human;
    for (auto& s : store::Migrator(*app->db).status()) {
      a.push_back(json::object{{"version", s.version}, {"name", s.name}, {"applied", s.applied},
                               {"applied_at", s.applied ? json::value(iso8601(s.applied_at)) : json::value(nullptr)}});
      human += s.version + "_" + s.name + "  " + (s.applied ? "applied " + iso8601(s.applied_at) : "pending") + "\n";
    }
    print(g, a, human.empty() ? "No migrations" : human.substr(0, human.size() - 1));
  });
  auto* create = migrate->add_subcommand("create", "Create empty up/down files for both engines");
  create->add_option("name", f.mig_name, "Migration name")->required();
  create->add_option("--dir", f.mig_dir, "Migrations directory (source tree)");
  create->callback([&g, &f] {
    auto files = store::create_migration_files(f.mig_dir, f.mig_name);
    json::array a;
    std::string human;
    for (auto& f : files) {
      a.push_back(json::string(f));
      human += f + "\n";
    }
    print(g, a, human + "Rebuild to embed the new migration.");
  });
}

}  // namespace gatehouse::cli
