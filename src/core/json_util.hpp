#pragma once
// Small conversions between string lists and their JSON text, used for list columns.
#include <string>
#include <string_view>
#include <vector>

namespace gatehouse {

std::string to_json_text(const std::vector<std::string>& v);
/// Parses a JSON array of strings; non-strings and malformed text give an empty list.
std::vector<std::string> strings_from_json_text(const std::string& text);

/// Number of UTF-8 code points (input already validated, e.g. by the JSON parser).
std::size_t utf8_length(std::string_view s);

}  // namespace gatehouse
