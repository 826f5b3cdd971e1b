#include "core/shared_library.hpp"

#include <dlfcn.h>

#include <stdexcept>

namespace gatehouse {

SharedLibrary::SharedLibrary(std::initializer_list<const char*> sonames, std::string_view package) {
  std::string tried;
  for (const char* name : sonames) {
    // RTLD_NOW: a missing symbol fails here, not in the middle of a request.
    if ((handle_ = dlopen(name, RTLD_NOW | RTLD_LOCAL))) {
      soname_ = name;
      return;
    }
    tried += std::string(tried.empty() ? "" : ", ") + name;
  }
  const char* why = dlerror();
  throw std::runtime_error("cannot load " + tried + " (install the Debian package " + std::string(package) +
                           "): " + (why ? why : "not found"));
}

void* SharedLibrary::address_of(const char* name) const {
  dlerror();
  void* p = dlsym(handle_, name);
  if (!p) throw std::runtime_error(soname_ + " lacks " + name + " (too old a version?)");
  return p;
}

}  // namespace gatehouse
