#include "core/libcurl.hpp"

#include <optional>
#include <stdexcept>

#include "core/shared_library.hpp"

namespace gatehouse {
namespace {

LibCurl load() {
  SharedLibrary lib({"libcurl.so.4", "libcurl-gnutls.so.4"}, "libcurl4");
  LibCurl a{};
#define GATEHOUSE_BIND(field, fn) a.field = lib.function<decltype(fn)>(#fn)
  GATEHOUSE_BIND(easy_init, curl_easy_init);
  GATEHOUSE_BIND(easy_setopt, curl_easy_setopt);
  GATEHOUSE_BIND(easy_perform, curl_easy_perform);
  GATEHOUSE_BIND(easy_getinfo, curl_easy_getinfo);
  GATEHOUSE_BIND(easy_cleanup, curl_easy_cleanup);
  GATEHOUSE_BIND(easy_strerror, curl_easy_strerror);
  GATEHOUSE_BIND(slist_append, curl_slist_append);
  GATEHOUSE_BIND(slist_free_all, curl_slist_free_all);
#undef GATEHOUSE_BIND
  return a;
}

struct Loaded {
  std::optional<LibCurl> api;
  std::string error;
};

}  // namespace

const LibCurl* libcurl(std::string& why) {
  static const Loaded loaded = [] {
    try {
      return Loaded{load(), ""};
    } catch (const std::exception& e) {
      return Loaded{std::nullopt, e.what()};
    }
  }();
  if (!loaded.api) why = loaded.error;
  return loaded.api ? &*loaded.api : nullptr;
}

}  // namespace gatehouse
