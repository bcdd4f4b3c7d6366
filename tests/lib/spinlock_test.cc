// SpinLock under a preemptive scheduler: a holder is never switched out
// (so never moved to another CPU, and never found holding the lock by the
// next thread on its CPU) until it releases the lock; preemption that came
// due meanwhile happens then.
#include "src/lib/spinlock.h"

#include <cstdint>

#include "gtest/gtest.h"
#include "src/hal/atomic.h"
#include "src/hal/cpu.h"
#include "src/hal/interrupts.h"
#include "src/lib/preemption.h"
#include "src/sched/scheduler.h"
#include "tests/support/in_machine.h"
#include "tests/support/scheduled_machine.h"

namespace vos {
namespace {

using testing_support::ExpectPoweredOff;
using testing_support::RunScheduled;
using testing_support::StartThread;
using testing_support::SumOverCpus;

constexpr int kThreads = 16;
constexpr int kRounds = 2000;

SpinLock own_locks[kThreads];
SpinLock shared_lock;
hal::Atomic<uint64_t> sections;
hal::Atomic<uint64_t> moved_inside;  // Sections that ended on another CPU.

// Holds `lock` across an interleaving point (an atomic) at every round,
// with interrupts enabled, as kernel code in a syscall does.
void HoldAcrossInterleavingPoints(SpinLock& lock) {
  for (int i = 0; i < kRounds; ++i) {
    SpinLockGuard guard(lock);
    const hal::CpuId cpu = hal::CurrentCpu();
    sections.FetchAdd(1);
    if (hal::CurrentCpu() != cpu) moved_inside.FetchAdd(1);
  }
}

// 16 threads on `cpus` CPUs with a short time slice, each on its own lock
// or all on one: before the fix a preempted holder was released from
// another CPU ("released by cpu 1 but held by cpu 3") or the next thread
// on its CPU panicked ("acquired recursively").
void RunHolders(uint32_t cpus, bool shared) {
  sections.Store(0);
  moved_inside.Store(0);
  ExpectPoweredOff(RunScheduled(
      {.cpus = cpus, .seed = 7, .max_threads = 64, .time_slice = 5'000}, [shared] {
        ThreadId ids[kThreads];
        for (int t = 0; t < kThreads; ++t) {
          SpinLock* lock = shared ? &shared_lock : &own_locks[t];
          ids[t] = StartThread(
                       [](void* arg) { HoldAcrossInterleavingPoints(*static_cast<SpinLock*>(arg)); },
                       lock)
                       ->id();
        }
        for (ThreadId id : ids) EXPECT_TRUE(Scheduler::Join(id).ok());
        EXPECT_EQ(sections.Load(), uint64_t{kThreads} * kRounds);
        EXPECT_EQ(moved_inside.Load(), 0u);
        // The timer did take CPUs away: between sections.
        EXPECT_GT(SumOverCpus(&CpuSchedulerStats::preemptions), 0u);
      }));
}

TEST(SpinLockTest, HoldersWithTheirOwnLocksStayOnTheirCpuOnFourCpus) { RunHolders(4, false); }

TEST(SpinLockTest, HoldersOfOneLockAreNotPreemptedByEachOtherOnOneCpu) { RunHolders(1, true); }

TEST(SpinLockTest, HoldersOfOneLockOnFourCpus) { RunHolders(4, true); }

TEST(SpinLockTest, PreemptionIsOffExactlyWhileALockIsHeld) {
  ExpectPoweredOff(RunScheduled({.cpus = 1}, [] {
    ASSERT_TRUE(hal::InterruptsEnabled());
    SpinLock lock;
    SpinLock other;
    const hal::CpuId cpu = hal::CurrentCpu();
    EXPECT_EQ(PreemptionDisabledDepth(cpu), 0u);
    lock.Acquire();
    EXPECT_EQ(PreemptionDisabledDepth(cpu), 1u);
    EXPECT_FALSE(lock.TryAcquire());  // A failed try leaves the count as it was.
    EXPECT_EQ(PreemptionDisabledDepth(cpu), 1u);
    {
      IrqSpinLockGuard nested(other);
      EXPECT_EQ(PreemptionDisabledDepth(cpu), 2u);
    }
    lock.Release();
    EXPECT_EQ(PreemptionDisabledDepth(cpu), 0u);
    ASSERT_TRUE(lock.TryAcquire());
    EXPECT_EQ(PreemptionDisabledDepth(cpu), 1u);
    lock.Release();
    EXPECT_EQ(PreemptionDisabledDepth(cpu), 0u);
    EXPECT_TRUE(hal::InterruptsEnabled());
  }));
}

}  // namespace
}  // namespace vos
