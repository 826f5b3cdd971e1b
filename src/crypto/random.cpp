#include "crypto/random.hpp"

#include <openssl/rand.h>

#include <chrono>
#include <cstring>
#include <mutex>
#include <stdexcept>

#include "crypto/encoding.hpp"

namespace gatehouse::crypto {

std::string random_bytes(std::size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
    throw std::runtime_error("RAND_bytes failed");
  return out;
}

static std::string format_uuid(unsigned char b[16]) {
  b[6] = (b[6] & 0x0f) | 0x40;  // version 4
  b[8] = (b[8] & 0x3f) | 0x80;  // RFC 4122 variant
  static const char* hex = "0123456789abcdef";
  std::string s;
  s.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s.push_back('-');
    s.push_back(hex[b[i] >> 4]);
    s.push_back(hex[b[i] & 0xf]);
  }
  return s;
}

std::string new_uuid() {
  auto r = random_bytes(16);
  return format_uuid(reinterpret_cast<unsigned char*>(r.data()));
}

std::string new_uuid_v7() {
  static std::mutex mu;
  static uint64_t last_ms = 0, counter = 0;
  uint64_t ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
  uint64_t seq;
  {
    std::lock_guard g(mu);
    if (ms <= last_ms) {
      ms = last_ms;
      if (++counter > 0xfff) {  // 4096 ids in one millisecond: borrow the next one
        counter = 0;
        ms = ++last_ms;
      }
    } else {
      last_ms = ms;
      counter = 0;
    }
    seq = counter;
  }
  auto r = random_bytes(16);
  auto* b = reinterpret_cast<unsigned char*>(r.data());
  for (int i = 0; i < 6; ++i) b[i] = static_cast<unsigned char>(ms >> (8 * (5 - i)));
  b[6] = static_cast<unsigned char>(0x70 | ((seq >> 8) & 0x0f));
  b[7] = static_cast<unsigned char>(seq & 0xff);
  std::string s = format_uuid(b);
  s[14] = '7';  // format_uuid stamps version 4; this one is version 7
  return s;
}

namespace {

// Ids (request ids, JWT ids) come from a per-thread buffer of CSPRNG output refilled 1 KiB
// at a time: one RAND_bytes call per 64 ids instead of one each (8 % of a small request's
// CPU). Not for keys or secret tokens: those are drawn fresh (random_bytes).
void pooled_random(unsigned char* out, std::size_t n) {
  thread_local unsigned char pool[1024];
  thread_local std::size_t used = sizeof pool;
  if (used + n > sizeof pool) {
    if (RAND_bytes(pool, sizeof pool) != 1) throw std::runtime_error("RAND_bytes failed");
    used = 0;
  }
  std::memcpy(out, pool + used, n);
  std::memset(pool + used, 0, n);  // handed out once
  used += n;
}

}  // namespace

std::string new_request_id() {
  unsigned char b[16];
  pooled_random(b, sizeof b);
  return format_uuid(b);
}

std::string new_token_id() {
  char b[16];
  pooled_random(reinterpret_cast<unsigned char*>(b), sizeof b);
  return crypto::base64url_encode(std::string_view(b, sizeof b));
}

std::string new_secret_token() { return crypto::base64url_encode(random_bytes(32)); }

bool looks_like_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

}  // namespace gatehouse::crypto
