#pragma once
// Versioned up/down SQL migrations, embedded in the binary (cmake/embed_migrations.cmake)
// and tracked in the schema_migrations table. Each step runs in its own transaction.
#include <string>
#include <vector>

#include "store/db.hpp"

namespace gatehouse::store {

struct EmbeddedFile {
  const char* path;  // "<engine>/NNNN_name.up.sql"
  const char* sql;
};
const std::vector<EmbeddedFile>& embedded_migration_files();

struct Migration {
  std::string version;  // "0001"
  std::string name;     // "initial"
  std::string up_sql;
  std::string down_sql;
};

struct MigrationStatus {
  std::string version;
  std::string name;
  bool applied = false;
  int64_t applied_at = 0;
};

class Migrator {
 public:
  explicit Migrator(Database& db);
  /// Applies up to `steps` pending migrations (all when steps <= 0); returns those applied.
  std::vector<std::string> up(int steps = 0);
  /// Reverts the last `steps` applied migrations (default one); returns those reverted.
  std::vector<std::string> down(int steps = 1);
  std::vector<MigrationStatus> status();
  /// Number of embedded migrations not yet applied.
  int pending();

 private:
  std::vector<std::string> applied_versions();
  Database& db_;
  std::vector<Migration> all_;
};

/// Creates empty NNNN_name.up.sql / .down.sql files under `dir`/shared (the source tree's
/// src/store/migrations), one source for both engines; returns the created paths.
std::vector<std::string> create_migration_files(const std::string& dir, const std::string& name);

}  // namespace gatehouse::store
