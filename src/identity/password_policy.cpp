#include "identity/password_policy.hpp"

#include <zxcvbn.h>

#include <cmath>

#include "core/json_util.hpp"

namespace gatehouse::identity {

int password_score(const std::string& password, const std::vector<std::string>& inputs,
                   std::string* weakness) {
  std::vector<const char*> dict;
  for (auto& s : inputs)
    if (!s.empty()) dict.push_back(s.c_str());
  dict.push_back(nullptr);
  ZxcMatch_t* info = nullptr;
  double bits = ZxcvbnMatch(password.c_str(), dict.data(), &info);
  // The dominant (highest-entropy-share) weak part explains the score.
  if (weakness) {
    int worst = 0, worst_len = 0;
    for (auto* m = info; m; m = m->Next) {
      int type = m->Type & ~MULTIPLE_MATCH;
      if (type != BRUTE_MATCH && m->Length > worst_len) {
        worst = type;
        worst_len = m->Length;
      }
    }
    switch (worst) {
      case DICTIONARY_MATCH: case DICT_LEET_MATCH: *weakness = "it is based on a common word or password"; break;
      case USER_MATCH: case USER_LEET_MATCH: *weakness = "it contains your email or username"; break;
      case REPEATS_MATCH: *weakness = "it repeats characters"; break;
      case SEQUENCE_MATCH: *weakness = "it contains a predictable sequence"; break;
      case SPATIAL_MATCH: *weakness = "it follows a keyboard pattern"; break;
      case DATE_MATCH: case YEAR_MATCH: *weakness = "it contains a date or year"; break;
      default: *weakness = "it is too short or simple"; break;
    }
  }
  ZxcvbnFreeInfo(info);
  // zxcvbn's score bands on log10(guesses): <3, <6, <8, <10, else 4.
  double log10_guesses = bits * std::log10(2.0);
  return log10_guesses < 3 ? 0 : log10_guesses < 6 ? 1 : log10_guesses < 8 ? 2 : log10_guesses < 10 ? 3 : 4;
}

std::optional<std::string> check_password(const Config& cfg, const std::string& password,
                                          const std::vector<std::string>& inputs) {
  auto len = utf8_length(password);
  if (len < static_cast<std::size_t>(cfg.password_min_length))
    return "Password must be at least " + std::to_string(cfg.password_min_length) + " characters";
  if (len > static_cast<std::size_t>(cfg.password_max_length))
    return "Password must be at most " + std::to_string(cfg.password_max_length) + " characters";
  std::string why;
  int score = password_score(password, inputs, &why);
  if (score < cfg.password_min_score)
    return "Password is too weak (strength " + std::to_string(score) + " of 4, at least " +
           std::to_string(cfg.password_min_score) + " required): " + why;
  return std::nullopt;
}

}  // namespace gatehouse::identity
