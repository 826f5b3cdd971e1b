#pragma once
// The libcurl functions Gatehouse calls (webhooks, pre-hooks, SMTP), loaded from libcurl.so.4
// at first use (core/shared_library.hpp says why). Types come from <curl/curl.h>.
#include <curl/curl.h>

#include <string>

namespace gatehouse {

struct LibCurl {
  decltype(&::curl_easy_init) easy_init;
  decltype(&::curl_easy_setopt) easy_setopt;
  decltype(&::curl_easy_perform) easy_perform;
  decltype(&::curl_easy_getinfo) easy_getinfo;
  decltype(&::curl_easy_cleanup) easy_cleanup;
  decltype(&::curl_easy_strerror) easy_strerror;
  decltype(&::curl_slist_append) slist_append;
  decltype(&::curl_slist_free_all) slist_free_all;
};

/// Loads libcurl on the first call (thread-safe). nullptr when it cannot be loaded, with the
/// reason (which package to install) in `why`.
const LibCurl* libcurl(std::string& why);

}  // namespace gatehouse
