#pragma once
// Password rules: length in code points (checked before any hashing) and a zxcvbn strength
// score, with the user's own email and username counted as guessable words.
#include <optional>
#include <string>
#include <vector>

#include "core/config.hpp"

namespace gatehouse::identity {

/// nullopt when acceptable, else a message saying why not.
std::optional<std::string> check_password(const Config& cfg, const std::string& password,
                                          const std::vector<std::string>& user_inputs);
/// zxcvbn score 0..4 and the kind of weakness found (for the message).
int password_score(const std::string& password, const std::vector<std::string>& user_inputs,
                   std::string* weakness);

}  // namespace gatehouse::identity
