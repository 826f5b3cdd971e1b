#include "core/worker_pool.hpp"

namespace gatehouse {

thread_local const WorkerPool* WorkerPool::current_ = nullptr;

WorkerPool::WorkerPool(std::string name, int threads, int queue_limit)
    : name_(std::move(name)), limit_(queue_limit) {
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { loop(); });
}

WorkerPool::~WorkerPool() { stop(); }

bool WorkerPool::try_submit(std::function<void()> job) {
  {
    std::lock_guard g(mu_);
    if (stopping_ || static_cast<int>(jobs_.size()) >= limit_) return false;
    jobs_.push_back(std::move(job));
    queued_.store(static_cast<int>(jobs_.size()), std::memory_order_relaxed);
  }
  cv_.notify_one();
  return true;
}

void WorkerPool::stop() {
  {
    std::lock_guard g(mu_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

void WorkerPool::loop() {
  current_ = this;
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping and drained
      job = std::move(jobs_.front());
      jobs_.pop_front();
      queued_.store(static_cast<int>(jobs_.size()), std::memory_order_relaxed);
    }
    busy_.fetch_add(1, std::memory_order_relaxed);
    job();  // jobs catch their own exceptions
    busy_.fetch_sub(1, std::memory_order_relaxed);
  }
}

}  // namespace gatehouse
