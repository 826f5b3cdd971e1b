#pragma once
// One background thread that runs a pass every `interval`, sooner when kicked, for the
// server's housekeeping (mail and webhook delivery, usage flushes, key and cache reloads).
// A pass that throws is logged and the loop goes on; stop() wakes the thread and joins it.
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace gatehouse {

class PeriodicWorker {
 public:
  PeriodicWorker(std::string name, std::chrono::milliseconds interval, std::function<void()> pass);
  ~PeriodicWorker() { stop(); }
  PeriodicWorker(const PeriodicWorker&) = delete;
  PeriodicWorker& operator=(const PeriodicWorker&) = delete;

  void start();
  /// Runs a pass as soon as the current one (if any) ends.
  void kick();
  /// Idempotent; a pass in progress finishes first. No pass runs after stop() returns.
  /// True on the first call only, so the owner can run one last pass itself.
  bool stop();

 private:
  void loop();

  std::string name_;
  std::chrono::milliseconds interval_;
  std::function<void()> pass_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool wake_ = false, stopping_ = false;
  std::thread thread_;
};

}  // namespace gatehouse
