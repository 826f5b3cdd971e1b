#pragma once
// Reads users exported from the Flask services: CSV with a header row (email, username,
// password_hash / hash / password, optional email_verified) or a JSON array of objects
// with the same keys. Only bcrypt ($2a$/$2b$/$2y$) and Argon2id hashes are accepted.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

namespace gatehouse::cli {

struct ImportRecord {
  std::string email;
  std::optional<std::string> username;
  std::string password_hash;
  std::optional<bool> email_verified;
  int line = 0;  // 1-based source line (CSV) or array index + 1 (JSON)
};

/// Parses the file; format "csv", "json" or "auto" (by extension / first character).
Result<std::vector<ImportRecord>> read_import_file(const std::string& path, const std::string& format);
/// Parses import text already read; format "csv", "json" or "auto" (JSON when the first
/// non-blank character is '[').
Result<std::vector<ImportRecord>> parse_import_text(std::string_view text, const std::string& format);

}  // namespace gatehouse::cli
