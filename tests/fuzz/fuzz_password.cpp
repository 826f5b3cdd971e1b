// Stored password hashes: crypto::PasswordHasher::verify on PHC Argon2id strings
// ($argon2id$v=19$m=..,t=..,p=..$salt$hash) and bcrypt ($2a$/$2b$/$2y$). Stored hashes come
// from our own hashing and from user imports (cli/user_import), so their parameters are
// input: a huge m=, t= or bcrypt cost must not turn one login into a memory or CPU bomb.
// Input: first line = password, the rest = stored hash (no newline: password "password").
// The hasher's own cost is low (64 KiB, 1 pass) and so are its HashLimits (1 MiB, 2 MiB of
// work, bcrypt cost 6), so that the fuzzer measures the parsing rather than the hashing; the
// default limits are covered by tests/unit/password_test.cpp. Invariant: nothing verifies
// that verifiable() refuses.
#include <cstdint>

#include "crypto/password.hpp"
#include "fuzz_common.hpp"

namespace {
const gatehouse::crypto::PasswordHasher& hasher() {
  static const gatehouse::crypto::PasswordHasher h(
      64, 1, {.max_memory_kib = 1024, .max_work_kib = 2048, .max_bcrypt_cost = 6});
  return h;
}
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  hasher();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gatehouse;
  auto in = fuzz::text(data, size);
  auto nl = in.find('\n');
  std::string_view password = nl == std::string_view::npos ? "password" : in.substr(0, nl);
  std::string stored(nl == std::string_view::npos ? in : in.substr(nl + 1));
  auto r = hasher().verify(password, stored);
  if (!r.ok) FUZZ_CHECK(!r.needs_rehash, "a failed check never asks for a rehash");
  if (!hasher().verifiable(stored)) FUZZ_CHECK(!r.ok, "nothing verifies that verifiable() refuses");
  if (r.ok) {
    bool bcrypt = crypto::PasswordHasher::is_bcrypt(stored);
    FUZZ_CHECK(bcrypt || stored.starts_with("$argon2id$"), "only Argon2id and bcrypt verify");
    if (bcrypt) FUZZ_CHECK(r.needs_rehash, "bcrypt is always upgraded");
  }
  return 0;
}
