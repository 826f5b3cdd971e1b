#include "core/periodic.hpp"

#include <exception>

#include "core/log.hpp"

namespace gatehouse {

PeriodicWorker::PeriodicWorker(std::string name, std::chrono::milliseconds interval, std::function<void()> pass)
    : name_(std::move(name)), interval_(interval), pass_(std::move(pass)) {}

void PeriodicWorker::start() {
  std::lock_guard g(mu_);
  if (thread_.joinable() || stopping_) return;
  thread_ = std::thread([this] { loop(); });
}

void PeriodicWorker::kick() {
  {
    std::lock_guard g(mu_);
    wake_ = true;
  }
  cv_.notify_one();
}

bool PeriodicWorker::stop() {
  {
    std::lock_guard g(mu_);
    if (stopping_) return false;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  return true;
}

void PeriodicWorker::loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    cv_.wait_for(lock, interval_, [&] { return wake_ || stopping_; });
    if (stopping_) break;
    wake_ = false;
    lock.unlock();
    try {
      pass_();
    } catch (const std::exception& ex) {
      log::error("background pass failed", {{"worker", name_}, {"error", ex.what()}});
    }
    lock.lock();
  }
}

}  // namespace gatehouse
