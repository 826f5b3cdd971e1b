#include "core/worker_pool.hpp"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace gatehouse {

WorkerPool::WorkerPool(std::string name, int threads, int queue_limit, int nice)
    : name_(std::move(name)), limit_(queue_limit) {
  for (int i = 0; i < threads; ++i)
    threads_.emplace_back([this, nice] {
      // On Linux a thread id names one thread here, not the process; raising one's own nice
      // value needs no privilege. Best effort: a failure leaves the default priority.
      if (nice > 0) (void)setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), nice);
      loop();
    });
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
