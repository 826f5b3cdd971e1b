#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace gatehouse::crypto {

std::string base64url_encode(std::string_view bytes);           // RFC 4648 §5, no padding
std::optional<std::string> base64url_decode(std::string_view);  // rejects padding and junk
std::string base64_encode(std::string_view bytes);               // standard, padded
std::optional<std::string> base64_decode(std::string_view);
std::string hex_encode(std::string_view bytes);

}  // namespace gatehouse::crypto
