#include "events/http_client.hpp"

#include "core/libcurl.hpp"

namespace gatehouse::events {
namespace {
size_t collect(char* data, size_t size, size_t n, void* user) {
  auto* out = static_cast<std::string*>(user);
  size_t len = size * n;
  if (out->size() < 64 * 1024) out->append(data, std::min(len, 64 * 1024 - out->size()));
  return len;
}
}  // namespace

HttpResult post_json(const std::string& url, const std::string& body,
                     const std::vector<std::pair<std::string, std::string>>& headers, long timeout_ms) {
  HttpResult r;
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    r.error = "only http and https URLs are allowed";
    return r;
  }
  const LibCurl* cu = libcurl(r.error);
  if (!cu) return r;
  CURL* curl = cu->easy_init();
  if (!curl) {
    r.error = "curl init failed";
    return r;
  }
  curl_slist* list = cu->slist_append(nullptr, "Content-Type: application/json");
  list = cu->slist_append(list, "User-Agent: Gatehouse-Hooks/1");
  for (auto& [k, v] : headers) list = cu->slist_append(list, (k + ": " + v).c_str());
  cu->easy_setopt(curl, CURLOPT_URL, url.c_str());
  cu->easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  cu->easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  cu->easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  cu->easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
  cu->easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  cu->easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  cu->easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  cu->easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  cu->easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
  cu->easy_setopt(curl, CURLOPT_WRITEDATA, &r.body);
  CURLcode rc = cu->easy_perform(curl);
  if (rc == CURLE_OK) cu->easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
  else r.error = cu->easy_strerror(rc);
  cu->slist_free_all(list);
  cu->easy_cleanup(curl);
  return r;
}

}  // namespace gatehouse::events
