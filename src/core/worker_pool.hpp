#pragma once
// A fixed set of threads with a bounded queue. Past the limit, try_submit refuses: the
// caller answers 503 + Retry-After instead of queueing without bound (DESIGN.md §4).
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace gatehouse {

class WorkerPool {
 public:
  WorkerPool(std::string name, int threads, int queue_limit);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  /// Queues `job`; false when the queue is full or the pool is stopping. Thread-safe.
  bool try_submit(std::function<void()> job);
  /// Finishes queued jobs, then joins the threads.
  void stop();
  /// Runs `f` on this pool and waits for it (blocking the caller); runs it inline when the
  /// caller already is one of this pool's threads. nullopt when the queue is full.
  template <class F>
  auto run_and_wait(F f) -> std::optional<decltype(f())> {
    if (current_ == this) return f();
    auto done = std::make_shared<std::promise<decltype(f())>>();
    auto result = done->get_future();
    if (!try_submit([done, f = std::move(f)]() mutable {
          try {
            done->set_value(f());
          } catch (...) {
            done->set_exception(std::current_exception());
          }
        }))
      return std::nullopt;
    return result.get();
  }

  const std::string& name() const { return name_; }
  int threads() const { return static_cast<int>(threads_.size()); }
  int queue_limit() const { return limit_; }
  /// Jobs waiting (not yet running).
  int queued() const { return queued_.load(std::memory_order_relaxed); }
  int busy() const { return busy_.load(std::memory_order_relaxed); }

 private:
  void loop();
  std::string name_;
  int limit_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> threads_;
  std::atomic<int> queued_{0}, busy_{0};
  static thread_local const WorkerPool* current_;
  bool stopping_ = false;
};

}  // namespace gatehouse
