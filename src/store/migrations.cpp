#include "store/migrations.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>

#include "core/clock.hpp"

namespace gatehouse::store {
namespace {

std::vector<Migration> load_for(Engine engine) {
  std::string prefix = engine == Engine::sqlite ? "sqlite/" : "postgres/";
  std::map<std::string, Migration> by_version;
  for (const auto& f : embedded_migration_files()) {
    std::string path = f.path;
    if (path.rfind(prefix, 0) != 0) continue;
    std::string file = path.substr(prefix.size());  // NNNN_name.up.sql
    auto us = file.find('_');
    bool is_up = file.ends_with(".up.sql"), is_down = file.ends_with(".down.sql");
    if (us == std::string::npos || (!is_up && !is_down)) continue;
    auto& m = by_version[file.substr(0, us)];
    m.version = file.substr(0, us);
    m.name = file.substr(us + 1, file.size() - us - 1 - (is_up ? 7 : 9));
    (is_up ? m.up_sql : m.down_sql) = f.sql;
  }
  std::vector<Migration> out;
  for (auto& [_, m] : by_version) out.push_back(std::move(m));
  return out;
}

}  // namespace

Migrator::Migrator(Database& db) : db_(db), all_(load_for(db.engine())) {
  db_.acquire()->exec_script(
      "CREATE TABLE IF NOT EXISTS schema_migrations ("
      " version TEXT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
}

std::vector<std::string> Migrator::applied_versions() {
  std::vector<std::string> v;
  for (auto& r : db_.query("SELECT version FROM schema_migrations ORDER BY version"))
    v.push_back(r.str(0));
  return v;
}

std::vector<std::string> Migrator::up(int steps) {
  std::vector<std::string> done;
  auto applied = applied_versions();
  for (const auto& m : all_) {
    if (steps > 0 && static_cast<int>(done.size()) >= steps) break;
    if (std::find(applied.begin(), applied.end(), m.version) != applied.end()) continue;
    db_.transaction([&](Conn& c) {
      // Re-check inside the transaction: another process may have just applied it.
      if (!c.query("SELECT 1 FROM schema_migrations WHERE version = $1", {m.version}).empty())
        return;
      c.exec_script(m.up_sql);
      c.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
              {m.version, m.name, now_seconds()});
      done.push_back(m.version + "_" + m.name);
    });
  }
  return done;
}

std::vector<std::string> Migrator::down(int steps) {
  std::vector<std::string> done;
  auto applied = applied_versions();
  std::reverse(applied.begin(), applied.end());
  for (const auto& v : applied) {
    if (static_cast<int>(done.size()) >= std::max(steps, 1)) break;
    auto it = std::find_if(all_.begin(), all_.end(), [&](auto& m) { return m.version == v; });
    if (it == all_.end()) throw std::runtime_error("applied migration " + v + " is not embedded");
    db_.transaction([&](Conn& c) {
      c.exec_script(it->down_sql);
      c.query("DELETE FROM schema_migrations WHERE version = $1", {v});
    });
    done.push_back(it->version + "_" + it->name);
  }
  return done;
}

std::vector<MigrationStatus> Migrator::status() {
  std::map<std::string, int64_t> applied;
  for (auto& r : db_.query("SELECT version, applied_at FROM schema_migrations"))
    applied[r.str(0)] = r.i64(1);
  std::vector<MigrationStatus> out;
  for (const auto& m : all_) {
    auto it = applied.find(m.version);
    out.push_back({m.version, m.name, it != applied.end(), it != applied.end() ? it->second : 0});
  }
  return out;
}

int Migrator::pending() {
  int n = 0;
  for (auto& s : status()) n += !s.applied;
  return n;
}

std::vector<std::string> create_migration_files(const std::string& dir, const std::string& name) {
  namespace fs = std::filesystem;
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_')
      throw std::runtime_error("migration name may hold only letters, digits and _");
  int next = 1;
  for (const char* engine : {"sqlite", "postgres", "shared"}) {
    fs::create_directories(fs::path(dir) / engine);
    for (auto& e : fs::directory_iterator(fs::path(dir) / engine)) {
      auto f = e.path().filename().string();
      if (f.size() > 4 && std::isdigit(static_cast<unsigned char>(f[0])))
        next = std::max(next, std::stoi(f.substr(0, 4)) + 1);
    }
  }
  char ver[8];
  std::snprintf(ver, sizeof ver, "%04d", next);
  // One source for both engines; when the dialects differ, move a file to sqlite/ and
  // postgres/ (an engine's own file wins over the shared one).
  std::vector<std::string> created;
  for (const char* dirn : {"up", "down"}) {
    auto p = fs::path(dir) / "shared" / (std::string(ver) + "_" + name + "." + dirn + ".sql");
    std::ofstream(p) << "-- " << dirn << " migration " << ver << " (both engines)\n";
    created.push_back(p.string());
  }
  return created;
}

}  // namespace gatehouse::store
