// The counting semaphore: never more holders than units on 8 CPUs,
// timeouts in simulated time, and hand-off to waiters in priority order.
#include "src/sync/semaphore.h"

#include <atomic>
#include <vector>

#include "gtest/gtest.h"
#include "src/hal/time.h"
#include "src/sched/scheduler.h"
#include "tests/support/in_machine.h"
#include "tests/support/scheduled_machine.h"

namespace vos {
namespace {

using testing_support::ExpectPoweredOff;
using testing_support::RunScheduled;
using testing_support::Spin;
using testing_support::StartThread;

TEST(SemaphoreTest, NeverMoreHoldersThanUnits) {
  static constexpr int kUnits = 3;
  struct Shared {
    Semaphore semaphore{kUnits};
    std::atomic<int> holders{0};
    std::atomic<int> most{0};
    std::atomic<int> acquisitions{0};
  };
  static Shared* shared;
  ExpectPoweredOff(RunScheduled({.cpus = 8, .time_slice = 5'000}, [] {
    Shared state;
    shared = &state;
    std::vector<ThreadId> ids;
    for (int i = 0; i < 24; ++i) {
      ids.push_back(StartThread(
                        [](void*) {
                          for (int n = 0; n < 50; ++n) {
                            ASSERT_EQ(shared->semaphore.Acquire(), Status::kOk);
                            const int now = shared->holders.fetch_add(1) + 1;
                            int most = shared->most.load();
                            while (now > most && !shared->most.compare_exchange_weak(most, now)) {
                            }
                            Spin(5);
                            shared->holders.fetch_sub(1);
                            shared->acquisitions.fetch_add(1);
                            shared->semaphore.Release();
                          }
                        },
                        nullptr)
                        ->id());
    }
    for (ThreadId id : ids) EXPECT_TRUE(Scheduler::Join(id).ok());
    EXPECT_EQ(state.acquisitions.load(), 24 * 50);
    EXPECT_LE(state.most.load(), kUnits);
    EXPECT_EQ(state.most.load(), kUnits);  // Contended enough to fill it.
    EXPECT_EQ(state.semaphore.count(), uint64_t{kUnits});
  }));
}

TEST(SemaphoreTest, AcquireTimesOutAtItsDeadline) {
  ExpectPoweredOff(RunScheduled({.cpus = 2}, [] {
    Semaphore semaphore(0);
    const hal::Nanoseconds deadline = hal::Now() + 40'000;
    EXPECT_EQ(semaphore.Acquire(deadline), Status::kTimedOut);
    EXPECT_GE(hal::Now(), deadline);
    EXPECT_LT(hal::Now(), deadline + 5'000);
    EXPECT_FALSE(semaphore.TryAcquire());
    semaphore.Release(2);
    EXPECT_TRUE(semaphore.TryAcquire());
    EXPECT_EQ(semaphore.Acquire(hal::Now() + 1'000), Status::kOk);
  }));
}

TEST(SemaphoreTest, ReleaseHandsUnitsToWaitersInPriorityOrder) {
  testing_support::ScheduledMachine machine{
      .cpus = 1, .body_priority = MakePriority(PriorityClass::kRealTime, 15)};
  ExpectPoweredOff(RunScheduled(machine, [] {
    static Semaphore* semaphore;
    static std::vector<int> order;
    Semaphore local(0);
    semaphore = &local;
    order.clear();
    static int levels[4] = {3, 9, 1, 6};
    std::vector<ThreadId> ids;
    for (int& level : levels) {
      ThreadOptions options;
      options.priority = MakePriority(PriorityClass::kNormal, level);
      ids.push_back(StartThread(
                        [](void* arg) {
                          ASSERT_EQ(semaphore->Acquire(), Status::kOk);
                          order.push_back(*static_cast<int*>(arg));
                        },
                        &level, options)
                        ->id());
    }
    Scheduler::SleepFor(10'000);  // All four asleep.
    for (int i = 0; i < 4; ++i) semaphore->Release();
    for (ThreadId id : ids) EXPECT_TRUE(Scheduler::Join(id).ok());
    EXPECT_EQ(order, (std::vector<int>{9, 6, 3, 1}));
  }));
}

}  // namespace
}  // namespace vos
