#include "cli/user_import.hpp"

#include <boost/json.hpp>
#include <fstream>
#include <sstream>

namespace gatehouse::cli {
namespace json = boost::json;
namespace {

// RFC 4180 fields: commas, double quotes with "" escapes, CRLF or LF line ends.
std::vector<std::vector<std::string>> parse_csv(std::string_view text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') { field += '"'; ++i; }
      else if (c == '"') quoted = false;
      else field += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      row.push_back(std::move(field));
      field.clear();
      rows.push_back(std::move(row));
      row.clear();
    } else {
      field += c;
    }
  }
  if (!field.empty() || !row.empty()) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

std::optional<bool> parse_bool(const std::string& s) {
  if (s == "1" || s == "true" || s == "True" || s == "TRUE" || s == "yes") return true;
  if (s == "0" || s == "false" || s == "False" || s == "FALSE" || s == "no") return false;
  return std::nullopt;
}

bool is_hash_key(const std::string& k) { return k == "password_hash" || k == "hash" || k == "password"; }

}  // namespace

Result<std::vector<ImportRecord>> read_import_file(const std::string& path, const std::string& format) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::make(Errc::not_found, "cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_import_text(ss.str(), format == "auto" && path.ends_with(".json") ? "json" : format);
}

Result<std::vector<ImportRecord>> parse_import_text(std::string_view text, const std::string& format) {
  std::string fmt = format;
  if (fmt == "auto") {
    auto first = text.find_first_not_of(" \t\r\n");
    fmt = first != std::string_view::npos && text[first] == '[' ? "json" : "csv";
  }
  std::vector<ImportRecord> out;
  if (fmt == "json") {
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (ec || !v.is_array()) return Error::validation("JSON import must be an array of objects");
    int i = 0;
    for (auto& item : v.as_array()) {
      ++i;
      if (!item.is_object()) return Error::validation("item " + std::to_string(i) + " is not an object");
      ImportRecord r;
      r.line = i;
      for (auto& [k, val] : item.as_object()) {
        std::string key(k);
        if (val.is_string()) {
          std::string s(val.get_string());
          if (key == "email") r.email = s;
          else if (key == "username" && !s.empty()) r.username = s;
          else if (is_hash_key(key)) r.password_hash = s;
          else if (key == "email_verified") r.email_verified = parse_bool(s);
        } else if (val.is_bool() && key == "email_verified") {
          r.email_verified = val.get_bool();
        }
      }
      out.push_back(std::move(r));
    }
    return out;
  }
  if (fmt != "csv") return Error::validation("format must be csv, json or auto");
  auto rows = parse_csv(text);
  if (rows.empty()) return Error::validation("CSV import is empty");
  int email_col = -1, user_col = -1, hash_col = -1, verified_col = -1;
  for (int c = 0; c < static_cast<int>(rows[0].size()); ++c) {
    std::string h = rows[0][c];
    if (h == "email") email_col = c;
    else if (h == "username") user_col = c;
    else if (is_hash_key(h)) hash_col = c;
    else if (h == "email_verified") verified_col = c;
  }
  if (email_col < 0 || hash_col < 0)
    return Error::validation("CSV header must name email and password_hash columns");
  for (std::size_t i = 1; i < rows.size(); ++i) {
    auto& row = rows[i];
    if (row.size() == 1 && row[0].empty()) continue;  // blank line
    auto col = [&](int c) { return c >= 0 && c < static_cast<int>(row.size()) ? row[c] : std::string{}; };
    ImportRecord r;
    r.line = static_cast<int>(i + 1);
    r.email = col(email_col);
    if (auto u = col(user_col); !u.empty()) r.username = u;
    r.password_hash = col(hash_col);
    if (verified_col >= 0) r.email_verified = parse_bool(col(verified_col));
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace gatehouse::cli
