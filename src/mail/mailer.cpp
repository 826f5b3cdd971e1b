#include "mail/mailer.hpp"

#include "core/libcurl.hpp"

#include <algorithm>
#include <cstring>
#include <ctime>
#include <boost/json/object.hpp>
#include <filesystem>
#include <fstream>

#include "core/clock.hpp"
#include "core/log.hpp"
#include "crypto/random.hpp"
#include "mail/outbox_store.hpp"

namespace gatehouse::mail {
namespace {
constexpr int kMaxAttempts = 8;

// Header values must not carry CR/LF (header injection).
std::string header_safe(std::string s) {
  s.erase(std::remove_if(s.begin(), s.end(), [](char c) { return c == '\r' || c == '\n'; }), s.end());
  return s;
}

std::string address_of(const std::string& from) {
  auto lt = from.find('<'), gt = from.find('>');
  return lt != std::string::npos && gt != std::string::npos && gt > lt ? from.substr(lt, gt - lt + 1)
                                                                      : "<" + from + ">";
}

std::string rfc5322_date(int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

struct Upload {
  const std::string& data;
  std::size_t pos = 0;
};

size_t read_cb(char* buf, size_t size, size_t n, void* user) {
  auto* up = static_cast<Upload*>(user);
  size_t len = std::min(size * n, up->data.size() - up->pos);
  std::memcpy(buf, up->data.data() + up->pos, len);
  up->pos += len;
  return len;
}
}  // namespace

Mailer::Mailer(const Config& cfg, store::Database& db)
    : cfg_(cfg), db_(db), file_mode_(cfg.smtp.host.empty()) {}

Mailer::~Mailer() { stop(); }

void Mailer::enqueue(store::Conn& c, const Message& m) {
  int64_t now = now_seconds();
  OutboxStore(c).insert(crypto::new_uuid(), header_safe(m.to), header_safe(m.subject), m.body, now);
}

void Mailer::kick() {
  if (file_mode_) {
    deliver_due();
    return;
  }
  worker_.kick();
}

void Mailer::start() { worker_.start(); }

void Mailer::stop() {
  if (!worker_.stop()) return;
  try {
    deliver_due();  // what was queued just before shutdown
  } catch (...) {
  }
}

void Mailer::deliver_due() {
  std::lock_guard one_pass(deliver_mu_);
  int64_t now = now_seconds();
  auto due = db_.with([&](store::Conn& c) { return OutboxStore(c).due(now, 50); });
  for (auto& r : due) {
    // Claim it: other nodes (or a CLI process) running the same loop skip claimed rows.
    if (!db_.with([&](store::Conn& c) { return OutboxStore(c).claim(r.id, r.next_attempt_at, now + 300); })) continue;
    Message m{r.recipient, r.subject, r.body};
    std::string error;
    if (send(r.id, m, error)) {
      db_.with([&](store::Conn& c) { OutboxStore(c).mark_sent(r.id, now); });
      continue;
    }
    int attempts = r.attempts + 1;
    int64_t backoff = std::min<int64_t>(3600, 30LL << std::min(attempts, 7));
    log::warn("mail delivery failed", {{"mail_id", r.id}, {"attempt", attempts}, {"error", error}});
    auto given_up = attempts >= kMaxAttempts ? std::optional<int64_t>(now) : std::nullopt;
    db_.with([&](store::Conn& c) { OutboxStore(c).mark_attempt_failed(r.id, attempts, error, now + backoff, given_up); });
  }
}

bool Mailer::send(const std::string& id, const Message& m, std::string& error) {
  return file_mode_ ? write_eml(id, m, error) : send_smtp(m, error);
}

std::string Mailer::render(const std::string& id, const Message& m) const {
  std::string domain = "gatehouse.local";
  return "Date: " + rfc5322_date(now_seconds()) + "\r\nTo: " + m.to + "\r\nFrom: " + cfg_.smtp.from +
         "\r\nSubject: " + m.subject + "\r\nMessage-ID: <" + id + "@" + domain +
         ">\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + m.body;
}

bool Mailer::write_eml(const std::string& id, const Message& m, std::string& error) {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(cfg_.data_dir) / "mail";
  std::error_code ec;
  fs::create_directories(dir, ec);
  fs::path file = dir / (std::to_string(now_seconds()) + "-" + id + ".eml");
  std::ofstream out(file, std::ios::binary);
  out << render(id, m);
  if (!out) {
    error = "cannot write " + file.string();
    return false;
  }
  // Development mode: the link is logged so a developer can follow it without a mailbox.
  auto start = m.body.find("http");
  std::string link = start == std::string::npos ? "" : m.body.substr(start, m.body.find_first_of(" \r\n", start) - start);
  log::info("mail written", {{"to", m.to}, {"subject", m.subject}, {"file", file.string()}, {"link", link}});
  return true;
}

bool Mailer::send_smtp(const Message& m, std::string& error) {
  const LibCurl* cu = libcurl(error);
  if (!cu) return false;
  CURL* curl = cu->easy_init();
  if (!curl) {
    error = "curl init failed";
    return false;
  }
  std::string scheme = cfg_.smtp.tls == "tls" ? "smtps://" : "smtp://";
  std::string url = scheme + cfg_.smtp.host + ":" + std::to_string(cfg_.smtp.port);
  std::string payload = render(crypto::new_uuid(), m);
  Upload up{payload};
  curl_slist* rcpt = cu->slist_append(nullptr, ("<" + m.to + ">").c_str());
  cu->easy_setopt(curl, CURLOPT_URL, url.c_str());
  if (cfg_.smtp.tls == "starttls") cu->easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  if (!cfg_.smtp.username.empty()) {
    cu->easy_setopt(curl, CURLOPT_USERNAME, cfg_.smtp.username.c_str());
    cu->easy_setopt(curl, CURLOPT_PASSWORD, cfg_.smtp.password.c_str());
  }
  std::string from = address_of(cfg_.smtp.from);
  cu->easy_setopt(curl, CURLOPT_MAIL_FROM, from.c_str());
  cu->easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
  cu->easy_setopt(curl, CURLOPT_READFUNCTION, read_cb);
  cu->easy_setopt(curl, CURLOPT_READDATA, &up);
  cu->easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  cu->easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  cu->easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  CURLcode rc = cu->easy_perform(curl);
  cu->slist_free_all(rcpt);
  cu->easy_cleanup(curl);
  if (rc != CURLE_OK) {
    error = cu->easy_strerror(rc);
    return false;
  }
  return true;
}

}  // namespace gatehouse::mail
