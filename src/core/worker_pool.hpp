#pragma once
// A fixed set of threads with a bounded queue. Past the limit, try_submit refuses: the
// caller answers 503 + Retry-After instead of queueing without bound (DESIGN.md §4).
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace gatehouse {

class WorkerPool {
 public:
  /// `nice` > 0 lowers the threads' scheduling priority (Linux: per-thread nice value), so
  /// CPU-bound pools (hashing) give way to latency-sensitive threads.
  WorkerPool(std::string name, int threads, int queue_limit, int nice = 0);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  /// Queues `job`; false when the queue is full or the pool is stopping. Thread-safe.
  bool try_submit(std::function<void()> job);
  /// Finishes queued jobs, then joins the threads.
  void stop();
  const std::string& name() const { return name_; }
  int threads() const { return static_cast<int>(threads_.size()); }
  int queue_limit() const { return limit_; }
  /// Jobs waiting (not yet running).
  int queued() const { return queued_.load(std::memory_order_relaxed); }
  int busy() const { return busy_.load(std::memory_order_relaxed); }
  /// Whether a job submitted now would be refused (a hint: the queue may change at once).
  bool full() const { return queued() >= limit_; }

 private:
  void loop();
  std::string name_;
  int limit_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> threads_;
  std::atomic<int> queued_{0}, busy_{0};
  bool stopping_ = false;
};

}  // namespace gatehouse
