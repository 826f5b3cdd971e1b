// Prints the time of one Argon2id hash with the configured parameters (the login ceiling:
// hashing threads / hash time). Usage: gatehouse_hash_bench [memory_kib] [iterations] [n]
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "crypto/password.hpp"

int main(int argc, char** argv) {
  uint64_t mem = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 19456;
  uint64_t t = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 2;
  int n = argc > 3 ? std::atoi(argv[3]) : 50;
  gatehouse::crypto::PasswordHasher h(mem, t);
  auto stored = h.hash("benchmark password");
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) h.verify("benchmark password", stored);
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count() / n;
  std::printf("%.3f\n", ms);
  return 0;
}
