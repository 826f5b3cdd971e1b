// User import files (CSV per RFC 4180 with a header row, or a JSON array of objects):
// cli::parse_import_text, the text half of cli::read_import_file, in csv, json and auto mode.
// Invariants: line numbers are positive and increasing, auto mode equals the format it
// picks, and CSV records written back out as CSV (every field quoted) read back the same.
#include <cstdint>

#include "cli/user_import.hpp"
#include "fuzz_common.hpp"

namespace {
using namespace gatehouse;

std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

bool same(const cli::ImportRecord& a, const cli::ImportRecord& b) {
  return a.email == b.email && a.username == b.username && a.password_hash == b.password_hash &&
         a.email_verified == b.email_verified;
}

void check_lines(const std::vector<cli::ImportRecord>& rs) {
  int last = 0;
  for (auto& r : rs) {
    FUZZ_CHECK(r.line > last, "line numbers are positive and increasing");
    last = r.line;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto in = fuzz::text(data, size);
  auto csv = cli::parse_import_text(in, "csv");
  auto json = cli::parse_import_text(in, "json");
  auto autod = cli::parse_import_text(in, "auto");
  auto first = in.find_first_not_of(" \t\r\n");
  bool is_json = first != std::string_view::npos && in[first] == '[';
  auto& picked = is_json ? json : csv;
  FUZZ_CHECK(bool(autod) == bool(picked), "auto is the format it picks");
  if (autod) FUZZ_CHECK(autod->size() == picked->size(), "auto gives the same records");
  FUZZ_CHECK(!cli::parse_import_text(in, "xml"), "unknown formats are refused");

  if (json) check_lines(*json);
  if (!csv) return 0;
  check_lines(*csv);
  std::string out = "email,username,password_hash,email_verified\n";
  for (auto& r : *csv) {
    const char* v = !r.email_verified ? "" : *r.email_verified ? "true" : "false";
    out += quoted(r.email) + "," + quoted(r.username.value_or("")) + "," + quoted(r.password_hash) + "," + v + "\n";
  }
  auto back = cli::parse_import_text(out, "csv");
  FUZZ_CHECK(back && back->size() == csv->size(), "re-written CSV parses to as many records");
  for (std::size_t i = 0; i < csv->size(); ++i) FUZZ_CHECK(same((*csv)[i], (*back)[i]), "re-written CSV round-trips");
  return 0;
}
