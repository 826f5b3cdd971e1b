// gatehouse user create|list|set-password|import.
#include "cli/commands.hpp"

#include <iostream>

#include "app/app.hpp"
#include "cli/user_import.hpp"
#include "identity/users.hpp"

namespace gatehouse::cli {
namespace json = boost::json;

namespace {
json::object user_json(const identity::User& u) {
  auto o = identity::to_json(u);
  o["deleted"] = u.deleted;
  return o;
}
}  // namespace

void add_user_commands(CLI::App& cli, Globals& g) {
  struct Flags {
    std::string email, password, username, name, import_file, import_format = "auto";
    bool verified = false, admin = false;
    int limit = 100, offset = 0;
  };
  auto& f = g.keep<Flags>();
  auto* user = cli.add_subcommand("user", "Manage users");
  user->require_subcommand(1);
  auto* ucreate = user->add_subcommand("create", "Create a user");
  ucreate->add_option("--email", f.email)->required();
  ucreate->add_option("--password", f.password)->required();
  ucreate->add_option("--username", f.username);
  ucreate->add_option("--name", f.name);
  ucreate->add_flag("--verified", f.verified, "Mark the email as verified (no mail sent)");
  ucreate->add_flag("--admin", f.admin, "Grant administrator rights");
  ucreate->callback([&g, &f] {
    auto app = App::open(load_or_exit(g), true);
    app->load_keys();
    if (!identity::valid_email(f.email)) { std::cerr << "invalid email\n"; std::exit(1); }
    check_policy_or_exit(app->cfg, f.password, f.email);
    auto u = app->accounts->create_user({f.email, f.username.empty() ? std::nullopt : std::optional(f.username),
                                         f.name.empty() ? std::nullopt : std::optional(f.name), f.password},
                                        f.verified, f.admin, kCliOrigin);
    if (!u) { std::cerr << "gatehouse: " << u.error().public_message << "\n"; std::exit(1); }
    app->mailer->kick();
    print(g, user_json(*u), "Created user " + u->id + " <" + u->email + ">");
  });
  auto* ulist = user->add_subcommand("list", "List users");
  ulist->add_option("--limit", f.limit);
  ulist->add_option("--offset", f.offset);
  ulist->callback([&g, &f] {
    auto app = App::open(load_or_exit(g), true);
    auto users = app->db->with([&](store::Conn& c) { return identity::Users(c).list(f.limit, f.offset); });
    json::array a;
    std::string human;
    for (auto& u : users) {
      a.push_back(user_json(u));
      human += u.id + "  " + u.email + (u.is_admin ? "  admin" : "") + (u.deleted ? "  deleted" : "") + "\n";
    }
    print(g, a, human.empty() ? "No users" : human.substr(0, human.size() - 1));
  });
  auto* usetpw = user->add_subcommand("set-password", "Set a user's password (ends their sessions)");
  usetpw->add_option("--email", f.email)->required();
  usetpw->add_option("--password", f.password)->required();
  usetpw->callback([&g, &f] {
    auto app = App::open(load_or_exit(g), true);
    app->load_keys();
    check_policy_or_exit(app->cfg, f.password, f.email);
    auto s = app->accounts->set_password(f.email, f.password, kCliOrigin);
    if (!s) { std::cerr << "gatehouse: " << s.error().public_message << "\n"; std::exit(1); }
    print(g, json::object{{"email", f.email}, {"updated", true}}, "Password updated");
  });
  auto* uimport = user->add_subcommand("import", "Import users with bcrypt hashes (CSV or JSON)");
  uimport->add_option("file", f.import_file)->required();
  uimport->add_option("--format", f.import_format, "csv, json or auto");
  uimport->add_flag("--verified", f.verified, "Mark every imported email as verified");
  uimport->callback([&g, &f] {
    auto app = App::open(load_or_exit(g), true);
    app->load_keys();
    auto records = cli::read_import_file(f.import_file, f.import_format);
    if (!records) { std::cerr << "gatehouse: " << records.error().public_message << "\n"; std::exit(1); }
    int imported = 0;
    json::array errors;
    for (auto& r : *records) {
      auto u = app->accounts->import_user(r.email, r.username, r.password_hash,
                                          f.verified || r.email_verified.value_or(false), kCliOrigin);
      if (u) { ++imported; continue; }
      std::string why = u.error().public_message;
      for (auto& [k, v] : u.error().details) why += std::string("; ") + std::string(k) + ": " + json::serialize(v);
      errors.push_back(json::object{{"line", r.line}, {"email", r.email}, {"error", why}});
      if (!g.json) std::cerr << "line " << r.line << " (" << r.email << "): " << why << "\n";
    }
    print(g, json::object{{"imported", imported}, {"skipped", static_cast<int64_t>(errors.size())}, {"errors", errors}},
          "Imported " + std::to_string(imported) + " user(s), skipped " + std::to_string(errors.size()));
  });
}

}  // namespace gatehouse::cli
