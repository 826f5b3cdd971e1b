#pragma once
// Text that may be used as a key: valid UTF-8 (RFC 3629: no overlong forms, no surrogates,
// nothing past U+10FFFF) and no NUL. libpq stops a text parameter at NUL, so a string with
// one would name one thing to the rate limiter and another to the database (DESIGN.md §6).
#include <string_view>

namespace gatehouse {

/// True when `s` is valid UTF-8 and contains no NUL byte.
bool is_clean_text(std::string_view s);

}  // namespace gatehouse
