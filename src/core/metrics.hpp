#pragma once
// Process-wide counters rendered in the Prometheus text format at GET /metrics.
#include <array>
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace gatehouse {

class Metrics {
 public:
  /// Records one answered request. `route` must be a registered pattern or a fixed word
  /// ("unmatched", "rejected"); the method is folded to a known one or OTHER.
  void observe_request(std::string_view method, const std::string& route, int status,
                       double seconds);
  void count(const std::string& name, const std::string& labels = {});
  /// Adds a gauge read at scrape time, e.g. a pool's queue depth.
  void gauge(std::string name, std::string help, std::function<double()> read);
  std::string render();

 private:
  static constexpr std::array<double, 12> kBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                   0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
  std::mutex mu_;
  std::map<std::string, uint64_t> requests_;  // labels -> count
  std::map<std::string, uint64_t> counters_;  // "name{labels}" -> count
  std::array<uint64_t, kBuckets.size() + 1> hist_{};
  double hist_sum_ = 0;
  uint64_t hist_count_ = 0;
  struct Gauge {
    std::string name, help;
    std::function<double()> read;
  };
  std::vector<Gauge> gauges_;
};

/// The method as a metric label: one of the methods Gatehouse serves, or "OTHER".
std::string_view metric_method(std::string_view method);

/// The one registry of the process.
Metrics& metrics();

}  // namespace gatehouse
