// gatehouse: the server and its operator CLI. Every command reads the same configuration
// (flags > GATEHOUSE_* env > config file) and works on the same database as `serve`, also
// while a server runs on it.
#include <CLI/CLI.hpp>

#include <boost/json.hpp>
#include <iostream>

#include "app/app.hpp"
#include "cli/user_import.hpp"
#include "core/clock.hpp"
#include "core/log.hpp"
#include "identity/password_policy.hpp"
#include "identity/users.hpp"
#include "events/audit.hpp"

#include <sys/stat.h>
#include "store/migrations.hpp"

using namespace gatehouse;
namespace json = boost::json;

namespace {

struct Globals {
  std::map<std::string, std::string> overrides;
  bool json = false;
};

Config load_or_exit(const Globals& g, bool serving = false) {
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

const identity::Origin kCli{"local", "gatehouse-cli", "cli"};

json::object user_json(const identity::User& u) {
  auto o = identity::to_json(u);
  o["deleted"] = u.deleted;
  return o;
}

}  // namespace

// Operator-chosen passwords follow the same policy as self-service ones.
void check_policy_or_exit(const Config& cfg, const std::string& password, const std::string& email) {
  if (auto why = identity::check_password(cfg, password, {email})) {
    std::cerr << "gatehouse: " << *why << "\n";
    std::exit(1);
  }
}

int main(int argc, char** argv) {
  umask(077);  // database, keys and mail files are readable by the service account only
  CLI::App cli{"Gatehouse: identity provider for microservices"};
  cli.require_subcommand(1);
  cli.fallthrough();
  Globals g;
  auto opt = [&](CLI::App* app, const std::string& flag, const std::string& key, const std::string& help) {
    app->add_option_function<std::string>(flag, [&g, key](const std::string& v) { g.overrides[key] = v; }, help);
  };
  opt(&cli, "--data-dir", "data_dir", "Data directory (SQLite file, keys, dev mail) [GATEHOUSE_DATA_DIR]");
  opt(&cli, "--database-url", "database_url", "sqlite:///path or postgresql://... [GATEHOUSE_DATABASE_URL]");
  opt(&cli, "--config", "config", "INI config file [GATEHOUSE_CONFIG]");
  cli.add_flag("--json", g.json, "Machine-readable output");

  // serve
  auto* serve_cmd = cli.add_subcommand("serve", "Run the HTTP server");
  opt(serve_cmd, "--listen", "listen", "HOST:PORT [GATEHOUSE_LISTEN, default 127.0.0.1:8080]");
  opt(serve_cmd, "--issuer", "issuer", "Token issuer / public URL [GATEHOUSE_ISSUER]");
  bool no_migrate = false;
  serve_cmd->add_flag("--no-migrate", no_migrate, "Do not apply pending migrations on start");
  serve_cmd->callback([&] {
    Config cfg = load_or_exit(g, true);
    if (no_migrate) cfg.migrate_on_start = false;
    auto app = App::open(cfg, cfg.migrate_on_start);
    app->load_keys();
    std::exit(serve(*app));
  });

  // migrate
  auto* migrate = cli.add_subcommand("migrate", "Database schema migrations");
  migrate->require_subcommand(1);
  int steps = 0;
  auto* up = migrate->add_subcommand("up", "Apply pending migrations");
  up->add_option("--steps", steps, "At most N migrations (default all)");
  up->callback([&] {
    auto app = App::open(load_or_exit(g), false);
    auto done = store::Migrator(*app->db).up(steps);
    json::array a;
    for (auto& v : done) a.push_back(json::string(v));
    print(g, a, done.empty() ? "Nothing to apply" : "Applied " + std::to_string(done.size()) + " migration(s)");
  });
  int down_steps = 1;
  auto* down = migrate->add_subcommand("down", "Revert applied migrations");
  down->add_option("--steps", down_steps, "N migrations (default 1)");
  down->callback([&] {
    auto app = App::open(load_or_exit(g), false);
    auto done = store::Migrator(*app->db).down(down_steps);
    json::array a;
    for (auto& v : done) a.push_back(json::string(v));
    print(g, a, "Reverted " + std::to_string(done.size()) + " migration(s)");
  });
  migrate->add_subcommand("status", "Show applied and pending migrations")->callback([&] {
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
  std::string mig_name, mig_dir = "src/store/migrations";
  auto* create = migrate->add_subcommand("create", "Create empty up/down files for both engines");
  create->add_option("name", mig_name, "Migration name")->required();
  create->add_option("--dir", mig_dir, "Migrations directory (source tree)");
  create->callback([&] {
    auto files = store::create_migration_files(mig_dir, mig_name);
    json::array a;
    std::string human;
    for (auto& f : files) {
      a.push_back(json::string(f));
      human += f + "\n";
    }
    print(g, a, human + "Rebuild to embed the new migration.");
  });

  // user
  auto* user = cli.add_subcommand("user", "Manage users");
  user->require_subcommand(1);
  std::string email, password, username, name, import_file, import_format = "auto";
  bool verified = false, admin = false;
  auto* ucreate = user->add_subcommand("create", "Create a user");
  ucreate->add_option("--email", email)->required();
  ucreate->add_option("--password", password)->required();
  ucreate->add_option("--username", username);
  ucreate->add_option("--name", name);
  ucreate->add_flag("--verified", verified, "Mark the email as verified (no mail sent)");
  ucreate->add_flag("--admin", admin, "Grant administrator rights");
  ucreate->callback([&] {
    auto app = App::open(load_or_exit(g), true);
    app->load_keys();
    if (!identity::valid_email(email)) { std::cerr << "invalid email\n"; std::exit(1); }
    check_policy_or_exit(app->cfg, password, email);
    auto u = app->accounts->create_user({email, username.empty() ? std::nullopt : std::optional(username),
                                         name.empty() ? std::nullopt : std::optional(name), password},
                                        verified, admin, kCli);
    if (!u) { std::cerr << "gatehouse: " << u.error().public_message << "\n"; std::exit(1); }
    app->mailer->kick();
    print(g, user_json(*u), "Created user " + u->id + " <" + u->email + ">");
  });
  int limit = 100, offset = 0;
  auto* ulist = user->add_subcommand("list", "List users");
  ulist->add_option("--limit", limit);
  ulist->add_option("--offset", offset);
  ulist->callback([&] {
    auto app = App::open(load_or_exit(g), true);
    auto users = app->db->with([&](store::Conn& c) { return identity::Users(c).list(limit, offset); });
    json::array a;
    std::string human;
    for (auto& u : users) {
      a.push_back(user_json(u));
      human += u.id + "  " + u.email + (u.is_admin ? "  admin" : "") + (u.deleted ? "  deleted" : "") + "\n";
    }
    print(g, a, human.empty() ? "No users" : human.substr(0, human.size() - 1));
  });
  auto* usetpw = user->add_subcommand("set-password", "Set a user's password (ends their sessions)");
  usetpw->add_option("--email", email)->required();
  usetpw->add_option("--password", password)->required();
  usetpw->callback([&] {
    auto app = App::open(load_or_exit(g), true);
    app->load_keys();
    check_policy_or_exit(app->cfg, password, email);
    auto s = app->accounts->set_password(email, password, kCli);
    if (!s) { std::cerr << "gatehouse: " << s.error().public_message << "\n"; std::exit(1); }
    print(g, json::object{{"email", email}, {"updated", true}}, "Password updated");
  });
  auto* uimport = user->add_subcommand("import", "Import users with bcrypt hashes (CSV or JSON)");
  uimport->add_option("file", import_file)->required();
  uimport->add_option("--format", import_format, "csv, json or auto");
  uimport->add_flag("--verified", verified, "Mark every imported email as verified");
  uimport->callback([&] {
    auto app = App::open(load_or_exit(g), true);
    app->load_keys();
    auto records = cli::read_import_file(import_file, import_format);
    if (!records) { std::cerr << "gatehouse: " << records.error().public_message << "\n"; std::exit(1); }
    int imported = 0;
    json::array errors;
    for (auto& r : *records) {
      auto u = app->accounts->import_user(r.email, r.username, r.password_hash,
                                          verified || r.email_verified.value_or(false), kCli);
      if (u) { ++imported; continue; }
      std::string why = u.error().public_message;
      for (auto& [k, v] : u.error().details) why += std::string("; ") + std::string(k) + ": " + json::serialize(v);
      errors.push_back(json::object{{"line", r.line}, {"email", r.email}, {"error", why}});
      if (!g.json) std::cerr << "line " << r.line << " (" << r.email << "): " << why << "\n";
    }
    print(g, json::object{{"imported", imported}, {"skipped", static_cast<int64_t>(errors.size())}, {"errors", errors}},
          "Imported " + std::to_string(imported) + " user(s), skipped " + std::to_string(errors.size()));
  });

  // client
  auto* client = cli.add_subcommand("client", "OAuth 2.0 / OpenID Connect clients");
  client->require_subcommand(1);
  struct ClientFlags {
    std::string id, name, auth_method, id_token_alg;
    std::vector<std::string> redirect_uris, post_logout_uris, grants, scopes;
    bool is_public = false, first_party = false;
    int access_ttl = 0, refresh_ttl = 0, id_ttl = 0;
  } cf;
  auto add_client_flags = [&](CLI::App* sub, bool creating) {
    if (creating) sub->add_option("--name", cf.name, "Display name")->required();
    else sub->add_option("--name", cf.name, "Display name");
    sub->add_option("--redirect-uri", cf.redirect_uris, "Exact redirect URI (repeatable)");
    sub->add_option("--post-logout-redirect-uri", cf.post_logout_uris, "Post-logout redirect URI (repeatable)");
    sub->add_option("--grant", cf.grants, "Allowed grant type (repeatable)");
    sub->add_option("--scope", cf.scopes, "Allowed scopes (space-separated or repeatable)");
    sub->add_option("--auth-method", cf.auth_method, "client_secret_basic | client_secret_post | private_key_jwt | none");
    sub->add_option("--id-token-alg", cf.id_token_alg, "RS256 (default), ES256 or EdDSA");
    sub->add_flag("--first-party", cf.first_party, "Skip the consent screen");
    sub->add_option("--access-token-ttl", cf.access_ttl, "Seconds");
    sub->add_option("--refresh-token-ttl", cf.refresh_ttl, "Seconds");
    sub->add_option("--id-token-ttl", cf.id_ttl, "Seconds");
    if (creating) sub->add_flag("--public", cf.is_public, "Public client (no secret; PKCE required)");
  };
  auto spec_from_flags = [&]() {
    oidc::ClientSpec s;
    if (!cf.name.empty()) s.name = cf.name;
    if (cf.is_public) s.is_public = true;
    if (!cf.redirect_uris.empty()) s.redirect_uris = cf.redirect_uris;
    if (!cf.post_logout_uris.empty()) s.post_logout_redirect_uris = cf.post_logout_uris;
    if (!cf.grants.empty()) s.grant_types = cf.grants;
    if (!cf.scopes.empty()) {
      std::vector<std::string> all;
      for (auto& x : cf.scopes)
        for (auto& y : oidc::split_scope(x)) all.push_back(y);
      s.scopes = all;
    }
    if (!cf.auth_method.empty()) s.auth_method = cf.auth_method;
    if (!cf.id_token_alg.empty()) s.id_token_alg = cf.id_token_alg;
    if (cf.first_party) s.first_party = true;
    if (cf.access_ttl) s.access_token_ttl = std::optional<int>(cf.access_ttl);
    if (cf.refresh_ttl) s.refresh_token_ttl = std::optional<int>(cf.refresh_ttl);
    if (cf.id_ttl) s.id_token_ttl = std::optional<int>(cf.id_ttl);
    return s;
  };
  auto fail_with = [](const Error& e) {
    std::string why = e.public_message;
    for (auto& [k, v] : e.details) why += std::string("; ") + std::string(k) + ": " + json::serialize(v);
    std::cerr << "gatehouse: " << why << "\n";
    std::exit(1);
  };
  auto* ccreate = client->add_subcommand("create", "Register a client (prints the secret once)");
  add_client_flags(ccreate, true);
  ccreate->callback([&] {
    auto app = App::open(load_or_exit(g), true);
    app->load_keys();
    auto made = app->clients->create(spec_from_flags(), "cli");
    if (!made) fail_with(made.error());
    auto o = oidc::to_json(made->first);
    o["client_secret"] = made->second.empty() ? json::value(nullptr) : json::value(made->second);
    print(g, o, "client_id:     " + made->first.id + (made->second.empty() ? "" : "\nclient_secret: " + made->second + "  (shown once)"));
  });
  client->add_subcommand("list", "List clients")->callback([&] {
    auto app = App::open(load_or_exit(g), true);
    app->load_keys();
    json::array a;
    std::string human;
    for (auto& c : app->clients->list()) {
      a.push_back(oidc::to_json(c));
      human += c.id + "  " + c.name + (c.is_public ? "  public" : "") + "\n";
    }
    print(g, a, human.empty() ? "No clients" : human.substr(0, human.size() - 1));
  });
  auto* cupdate = client->add_subcommand("update", "Change a client");
  cupdate->add_option("client_id", cf.id)->required();
  add_client_flags(cupdate, false);
  cupdate->callback([&] {
    auto app = App::open(load_or_exit(g), true);
    app->load_keys();
    auto c = app->clients->update(cf.id, spec_from_flags());
    if (!c) fail_with(c.error());
    print(g, oidc::to_json(*c), "Updated " + c->id);
  });
  auto* cdelete = client->add_subcommand("delete", "Delete a client and revoke its grants");
  cdelete->add_option("client_id", cf.id)->required();
  cdelete->callback([&] {
    auto app = App::open(load_or_exit(g), true);
    app->load_keys();
    if (auto s = app->clients->remove(cf.id); !s) fail_with(s.error());
    print(g, json::object{{"client_id", cf.id}, {"deleted", true}}, "Deleted " + cf.id);
  });
  auto* crotate = client->add_subcommand("rotate-secret", "Issue a new secret (the old one stops working)");
  crotate->add_option("client_id", cf.id)->required();
  crotate->callback([&] {
    auto app = App::open(load_or_exit(g), true);
    app->load_keys();
    auto c = app->clients->rotate_secret(cf.id);
    if (!c) fail_with(c.error());
    auto o = oidc::to_json(c->first);
    o["client_secret"] = c->second;
    print(g, o, "client_secret: " + c->second + "  (shown once)");
  });

  // keys
  auto* keys = cli.add_subcommand("keys", "Signing keys");
  keys->require_subcommand(1);
  auto key_json = [](const identity::KeyInfo& k) {
    auto t = [](const std::optional<int64_t>& x) { return x ? json::value(iso8601(*x)) : json::value(nullptr); };
    return json::object{{"kid", k.kid}, {"alg", k.alg}, {"created_at", iso8601(k.created_at)},
                        {"signs_from", iso8601(k.signs_from)}, {"retired_at", t(k.retired_at)}, {"expires_at", t(k.expires_at)}, {"active", k.active}};
  };
  keys->add_subcommand("list", "List signing keys")->callback([&] {
    auto app = App::open(load_or_exit(g), true);
    app->load_keys();
    json::array a;
    std::string human;
    for (auto& k : app->keys->list()) {
      a.push_back(key_json(k));
      human += k.kid + "  " + k.alg + "  " + (k.active ? "active" : "retired") + "  created " + iso8601(k.created_at) + "\n";
    }
    print(g, a, human.substr(0, human.size() - 1));
  });
  std::string rotate_alg;
  bool rotate_now = false;
  auto* rotate = keys->add_subcommand("rotate", "Create a new key; it signs after key_publish_ahead_seconds, the old one until then");
  rotate->add_option("--alg", rotate_alg, "ES256, EdDSA or RS256 (default: the configured token_alg)");
  rotate->add_flag("--now", rotate_now, "Sign with the new key at once (a leaked key): relying parties "
                                        "that cached the JWKS refuse new tokens until they fetch it again");
  rotate->callback([&] {
    auto app = App::open(load_or_exit(g), true);
    app->load_keys();
    auto alg = crypto::alg_from_name(rotate_alg.empty() ? app->cfg.token_alg : rotate_alg);
    if (!alg) { std::cerr << "gatehouse: --alg must be ES256, EdDSA or RS256\n"; std::exit(1); }
    auto k = app->keys->rotate(*alg, rotate_now);
    app->db->with([&](store::Conn& c) {
      auto e = identity::audit_event(kCli, "keys.rotate", std::nullopt, k.kid);
      e.details["alg"] = k.alg;
      e.details["signs_from"] = k.signs_from;
      events::record(c, e, now_seconds());
    });
    print(g, key_json(k), "New signing key " + k.kid + " (" + k.alg + "), published now (servers pick it up within "
                          "10 seconds), signing from " + iso8601(k.signs_from));
  });

  // config
  auto* config = cli.add_subcommand("config", "Configuration");
  config->require_subcommand(1);
  config->add_subcommand("check", "Validate configuration and print the effective values")->callback([&] {
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

  cli.add_subcommand("version", "Print the version")->callback([&] {
    print(g, json::object{{"version", GATEHOUSE_VERSION}}, std::string("gatehouse ") + GATEHOUSE_VERSION);
  });

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return cli.exit(e);
  } catch (const std::exception& e) {
    std::cerr << "gatehouse: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
