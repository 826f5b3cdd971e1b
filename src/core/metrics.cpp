#include "core/metrics.hpp"

#include <sstream>

namespace gatehouse {

Metrics& metrics() {
  static Metrics m;
  return m;
}

std::string_view metric_method(std::string_view method) {
  static constexpr std::string_view kKnown[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
  for (auto m : kKnown)
    if (m == method) return m;
  return "OTHER";
}

void Metrics::observe_request(std::string_view method, const std::string& route, int status,
                              double seconds) {
  // Every label comes from a closed set: the method from kKnown, the route from the
  // registered patterns (the server passes "unmatched" otherwise) and the status from the
  // codes Gatehouse itself answers with, so nothing a client sends can add a series. Exact
  // statuses are kept (not classes) because 429 and 503 are what operators alert on.
  if (status < 100 || status > 599) status = 500;
  std::string labels = "method=\"" + std::string(metric_method(method)) + "\",route=\"" + route +
                       "\",status=\"" + std::to_string(status) + "\"";
  std::size_t b = 0;
  while (b < kBuckets.size() && seconds > kBuckets[b]) ++b;
  std::lock_guard g(mu_);
  ++requests_[labels];
  ++hist_[b];
  hist_sum_ += seconds;
  ++hist_count_;
}

void Metrics::count(const std::string& name, const std::string& labels) {
  std::lock_guard g(mu_);
  ++counters_[labels.empty() ? name : name + "{" + labels + "}"];
}

void Metrics::gauge(std::string name, std::string help, std::function<double()> read) {
  std::lock_guard g(mu_);
  gauges_.push_back({std::move(name), std::move(help), std::move(read)});
}

std::string Metrics::render() {
  std::ostringstream o;
  std::lock_guard g(mu_);
  o << "# HELP gatehouse_http_requests_total HTTP requests by method, route and status.\n"
       "# TYPE gatehouse_http_requests_total counter\n";
  for (auto& [labels, n] : requests_) o << "gatehouse_http_requests_total{" << labels << "} " << n << "\n";
  o << "# HELP gatehouse_http_request_duration_seconds Request latency.\n"
       "# TYPE gatehouse_http_request_duration_seconds histogram\n";
  uint64_t cumulative = 0;
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    cumulative += hist_[i];
    o << "gatehouse_http_request_duration_seconds_bucket{le=\"" << kBuckets[i] << "\"} " << cumulative << "\n";
  }
  cumulative += hist_[kBuckets.size()];
  o << "gatehouse_http_request_duration_seconds_bucket{le=\"+Inf\"} " << cumulative << "\n"
    << "gatehouse_http_request_duration_seconds_sum " << hist_sum_ << "\n"
    << "gatehouse_http_request_duration_seconds_count " << hist_count_ << "\n";
  std::string last;
  for (auto& [key, n] : counters_) {
    std::string name = key.substr(0, key.find('{'));
    if (name != last) {
      o << "# TYPE " << name << " counter\n";
      last = name;
    }
    o << key << " " << n << "\n";
  }
  for (auto& gg : gauges_) {
    o << "# HELP " << gg.name << " " << gg.help << "\n# TYPE " << gg.name << " gauge\n"
      << gg.name << " " << gg.read() << "\n";
  }
  return o.str();
}

}  // namespace gatehouse
