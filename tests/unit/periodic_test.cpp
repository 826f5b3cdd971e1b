// PeriodicWorker: passes on its interval and when kicked, survives a throwing pass, and
// runs nothing after stop() (which reports only its first call).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "core/periodic.hpp"

namespace gatehouse {
namespace {
using namespace std::chrono_literals;

// Polls until `done` or a generous deadline: no fixed sleeps that make the test flaky.
template <class F>
bool eventually(F done) {
  for (auto until = std::chrono::steady_clock::now() + 5s; std::chrono::steady_clock::now() < until;) {
    if (done()) return true;
    std::this_thread::sleep_for(1ms);
  }
  return done();
}

TEST(PeriodicWorker, RunsOnItsInterval) {
  std::atomic<int> passes{0};
  PeriodicWorker w("test", 10ms, [&] { ++passes; });
  w.start();
  EXPECT_TRUE(eventually([&] { return passes >= 3; }));
}

TEST(PeriodicWorker, KickRunsAPassLongBeforeTheInterval) {
  std::atomic<int> passes{0};
  PeriodicWorker w("test", std::chrono::hours(1), [&] { ++passes; });
  w.start();
  w.kick();
  EXPECT_TRUE(eventually([&] { return passes == 1; }));
}

TEST(PeriodicWorker, AThrowingPassDoesNotStopTheLoop) {
  std::atomic<int> passes{0};
  PeriodicWorker w("test", 5ms, [&] {
    if (++passes == 1) throw std::runtime_error("first pass fails");
  });
  w.start();
  EXPECT_TRUE(eventually([&] { return passes >= 3; }));
}

TEST(PeriodicWorker, NothingRunsAfterStopAndOnlyTheFirstStopCounts) {
  std::atomic<int> passes{0};
  PeriodicWorker w("test", 1ms, [&] { ++passes; });
  w.start();
  ASSERT_TRUE(eventually([&] { return passes >= 1; }));
  EXPECT_TRUE(w.stop());
  int at_stop = passes;
  std::this_thread::sleep_for(20ms);  // would be ~20 passes if the thread still ran
  EXPECT_EQ(passes, at_stop);
  EXPECT_FALSE(w.stop());
  w.kick();  // harmless after stop
  PeriodicWorker idle("never started", 1ms, [] {});
  EXPECT_TRUE(idle.stop());  // stopping a worker that never ran is fine
}

}  // namespace
}  // namespace gatehouse
