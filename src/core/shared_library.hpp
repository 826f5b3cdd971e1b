#pragma once
// A shared library opened at first use rather than linked. libpq and libcurl (with Kerberos,
// LDAP, GnuTLS and p11-kit behind them) cost ~4 MiB of resident memory and their start-up
// constructors in every process, though an embedded SQLite node without mail or webhooks
// never calls them (docs/decisions.md #34). Opened once, never closed.
#include <initializer_list>
#include <string>
#include <string_view>

namespace gatehouse {

class SharedLibrary {
 public:
  /// Opens the first of `sonames` that loads; throws std::runtime_error naming the Debian
  /// `package` to install when none does.
  SharedLibrary(std::initializer_list<const char*> sonames, std::string_view package);

  /// The function `name` with the type of its declaration in the library's header; throws
  /// when the library lacks it (too old a version).
  template <class Fn>
  Fn* function(const char* name) const {
    return reinterpret_cast<Fn*>(address_of(name));
  }

 private:
  void* address_of(const char* name) const;
  void* handle_ = nullptr;
  std::string soname_;
};

}  // namespace gatehouse
