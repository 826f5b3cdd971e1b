// RFC 4648 decoders that see untrusted text first: base64url (every JWS part, RFC 7515 §2)
// and padded base64 (HTTP Basic credentials, RFC 7617 §2).
// Invariants: base64url accepts only its canonical form (decode then encode gives the input
// back); base64 accepts its canonical padded form or the same without padding; encoding
// any bytes decodes back to them.
#include <cstdint>

#include "crypto/encoding.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace gatehouse::crypto;
  auto in = gatehouse::fuzz::text(data, size);

  if (auto d = base64url_decode(in)) {
    FUZZ_CHECK(base64url_encode(*d) == in, "base64url decoding is canonical");
    FUZZ_CHECK(d->size() == in.size() * 3 / 4, "base64url length");
  }
  if (auto d = base64_decode(in)) {
    std::string enc = base64_encode(*d);
    std::string unpadded = enc.substr(0, enc.find_last_not_of('=') + 1);
    FUZZ_CHECK(enc == in || unpadded == in, "base64 decoding is canonical (padding optional)");
  }
  // Any bytes survive a round trip.
  FUZZ_CHECK(base64url_decode(base64url_encode(in)) == std::string(in), "base64url round trip");
  FUZZ_CHECK(base64_decode(base64_encode(in)) == std::string(in), "base64 round trip");
  FUZZ_CHECK(hex_encode(in).size() == 2 * in.size(), "hex length");
  return 0;
}
