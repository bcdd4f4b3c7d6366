// The scheduler on simulated machines: lifecycle, round robin, timer
// preemption, priorities, affinity, balancing, idle halts, real-time
// bandwidth, deferred preemption and determinism.
#include "src/sched/scheduler.h"

#include <algorithm>
#include <atomic>
#include <set>
#include <vector>

#include "gtest/gtest.h"
#include "sim/prng.h"
#include "src/hal/cpu.h"
#include "src/hal/time.h"
#include "src/lib/preemption.h"
#include "src/lib/spinlock.h"
#include "src/sched/wait_queue.h"
#include "tests/support/in_machine.h"
#include "tests/support/scheduled_machine.h"

namespace vos {
namespace {

using testing_support::ExpectPoweredOff;
using testing_support::RunScheduled;
using testing_support::ScheduledMachine;
using testing_support::Spin;

Thread* Create(ThreadEntry entry, void* arg, const ThreadOptions& options = {}) {
  return testing_support::StartThread(entry, arg, options);
}

TEST(SchedulerTest, ThreadsRunAndAreJoinedWithTheirExitCodes) {
  ExpectPoweredOff(RunScheduled({.cpus = 2}, [] {
    std::vector<ThreadId> ids;
    static int64_t values[8];
    for (int i = 0; i < 8; ++i) {
      values[i] = 100 + i;
      ids.push_back(Create([](void* arg) { Scheduler::Exit(*static_cast<int64_t*>(arg)); },
                           &values[i])
                        ->id());
    }
    for (int i = 0; i < 8; ++i) {
      Result<int64_t> code = Scheduler::Join(ids[i]);
      ASSERT_TRUE(code.ok());
      EXPECT_EQ(*code, 100 + i);
    }
    // The slots were freed: the old ids name nothing, even once reused.
    Thread* reused = Create([](void*) {}, nullptr);
    for (ThreadId id : ids) {
      EXPECT_EQ(Scheduler::Lookup(id), nullptr);
      EXPECT_EQ(Scheduler::Join(id).status(), Status::kNotFound);
      EXPECT_NE(id, reused->id());
    }
    EXPECT_TRUE(Scheduler::Join(reused->id()).ok());
    EXPECT_EQ(Scheduler::LiveThreads(), 3u);  // main and two idle threads
  }));
}

TEST(SchedulerTest, JoinTimesOutAndDetachedThreadsFreeThemselves) {
  ExpectPoweredOff(RunScheduled({.cpus = 1}, [] {
    static std::atomic<bool> release{false};
    Thread* sleeper = Create(
        [](void*) {
          while (!release.load()) Scheduler::SleepFor(10'000);
        },
        nullptr);
    const hal::Nanoseconds start = hal::Now();
    EXPECT_EQ(Scheduler::Join(sleeper->id(), start + 50'000).status(), Status::kTimedOut);
    EXPECT_GE(hal::Now(), start + 50'000);
    release.store(true);
    EXPECT_TRUE(Scheduler::Join(sleeper->id()).ok());
    ThreadOptions detached;
    detached.detached = true;
    Thread* thread = Create([](void*) {}, nullptr, detached);
    const ThreadId id = thread->id();
    EXPECT_EQ(Scheduler::Join(id).status(), Status::kInvalidArgument);
    Scheduler::SleepFor(100'000);
    EXPECT_EQ(Scheduler::Lookup(id), nullptr);
    EXPECT_EQ(Scheduler::LiveThreads(), 2u);
  }));
}

TEST(SchedulerTest, YieldAlternatesThreadsOfEqualPriority) {
  ExpectPoweredOff(RunScheduled({.cpus = 1}, [] {
    static std::vector<int> order;
    order.clear();
    static int tags[2] = {0, 1};
    auto body = [](void* arg) {
      for (int i = 0; i < 5; ++i) {
        order.push_back(*static_cast<int*>(arg));
        Scheduler::Yield();
      }
    };
    ThreadId a = Create(body, &tags[0])->id();
    ThreadId b = Create(body, &tags[1])->id();
    EXPECT_TRUE(Scheduler::Join(a).ok());
    EXPECT_TRUE(Scheduler::Join(b).ok());
    EXPECT_EQ(order, (std::vector<int>{0, 1, 0, 1, 0, 1, 0, 1, 0, 1}));
  }));
}

TEST(SchedulerTest, TheTimerPreemptsAThreadThatNeverYields) {
  ExpectPoweredOff(RunScheduled({.cpus = 1, .time_slice = 20'000}, [] {
    static std::atomic<bool> stop{false};
    static std::atomic<uint64_t> progress{0};
    Thread* hog = Create(
        [](void*) {
          while (!stop.load()) hal::CpuRelax();
        },
        nullptr);
    Thread* other = Create(
        [](void*) {
          for (int i = 0; i < 20; ++i) {
            progress.fetch_add(1);
            Spin(1000);
          }
        },
        nullptr);
    EXPECT_TRUE(Scheduler::Join(other->id()).ok());
    EXPECT_EQ(progress.load(), 20u);
    stop.store(true);
    const uint64_t preemptions = hog->stats().preemptions;
    EXPECT_TRUE(Scheduler::Join(hog->id()).ok());
    EXPECT_GT(preemptions, 3u);
    EXPECT_GT(Scheduler::CpuStats(0).preemptions, 3u);
  }));
}

TEST(SchedulerTest, AWokenHigherPriorityThreadPreemptsAtOnce) {
  ExpectPoweredOff(RunScheduled({.cpus = 1, .time_slice = 1'000'000}, [] {
    static std::atomic<bool> stop{false};
    static hal::Nanoseconds woke_at = 0;
    static hal::Nanoseconds deadline = 0;
    deadline = hal::Now() + 30'000;
    ThreadOptions low;
    low.priority = MakePriority(PriorityClass::kNormal, 0);
    Thread* spinner = Create(
        [](void*) {
          while (!stop.load()) hal::CpuRelax();
        },
        nullptr, low);
    ThreadOptions high;
    high.priority = MakePriority(PriorityClass::kRealTime, 0);
    Thread* sleeper = Create(
        [](void*) {
          Scheduler::SleepUntil(deadline);
          woke_at = hal::Now();
          stop.store(true);
        },
        nullptr, high);
    EXPECT_TRUE(Scheduler::Join(sleeper->id()).ok());
    EXPECT_TRUE(Scheduler::Join(spinner->id()).ok());
    // Far less than the 1 ms slice the spinner had.
    EXPECT_GE(woke_at, deadline);
    EXPECT_LT(woke_at, deadline + 5'000);
  }));
}

TEST(SchedulerTest, TimeoutsFireInSimulatedTimeOrder) {
  ExpectPoweredOff(RunScheduled({.cpus = 4}, [] {
    constexpr int kSleepers = 64;
    struct Sleeper {
      hal::Nanoseconds deadline;
      hal::Nanoseconds woke;
    };
    static Sleeper sleepers[kSleepers];
    static std::vector<int> wake_order;
    wake_order.clear();
    sim::Prng prng(7);
    const hal::Nanoseconds base = hal::Now() + 100'000;
    std::vector<ThreadId> ids;
    for (int i = 0; i < kSleepers; ++i) {
      sleepers[i].deadline = base + prng.Below(64) * 10'000;
      ThreadOptions options;
      options.affinity = CpuMask::Only(i % 4);
      Thread* thread = Create(
          [](void* arg) {
            Sleeper& me = *static_cast<Sleeper*>(arg);
            Scheduler::SleepUntil(me.deadline);
            me.woke = hal::Now();
            wake_order.push_back(static_cast<int>(&me - sleepers));
          },
          &sleepers[i], options);
      ids.push_back(thread->id());
    }
    for (ThreadId id : ids) EXPECT_TRUE(Scheduler::Join(id).ok());
    ASSERT_EQ(wake_order.size(), static_cast<size_t>(kSleepers));
    for (int i = 0; i < kSleepers; ++i) {
      EXPECT_GE(sleepers[i].woke, sleepers[i].deadline);
      EXPECT_LT(sleepers[i].woke, sleepers[i].deadline + 10'000);
    }
    // Deadlines 10 us apart never wake out of order, on any CPU.
    for (int i = 1; i < kSleepers; ++i) {
      EXPECT_LE(sleepers[wake_order[i - 1]].deadline, sleepers[wake_order[i]].deadline);
    }
  }));
}

// Thousands of threads on 8 CPUs, each with a random affinity mask: each
// checks the CPU it runs on at every step.
TEST(SchedulerTest, ThousandsOfThreadsOnEightCpusRespectAffinity) {
  constexpr int kThreads = 3000;
  static std::atomic<int> violations{0};
  static std::atomic<int> finished{0};
  static uint32_t cpus_used[8];
  violations = 0;
  finished = 0;
  std::fill(std::begin(cpus_used), std::end(cpus_used), 0);
  ExpectPoweredOff(RunScheduled({.cpus = 8, .max_threads = kThreads + 16, .time_slice = 20'000}, [] {
    sim::Prng prng(11);
    static CpuMask masks[kThreads];
    std::vector<ThreadId> ids;
    for (int i = 0; i < kThreads; ++i) {
      CpuMask mask;
      for (hal::CpuId cpu = 0; cpu < 8; ++cpu) {
        if (prng.Below(3) == 0) mask.Set(cpu);
      }
      if (mask.Empty()) mask.Set(prng.Below(8));
      masks[i] = mask;
      ThreadOptions options;
      options.affinity = mask;
      options.priority = MakePriority(PriorityClass::kNormal, prng.Below(4));
      Thread* thread = Create(
          [](void* arg) {
            const CpuMask& mask = *static_cast<CpuMask*>(arg);
            for (int step = 0; step < 20; ++step) {
              const hal::CpuId cpu = hal::CurrentCpu();
              if (!mask.Has(cpu)) violations.fetch_add(1);
              ++cpus_used[cpu];
              if (step % 5 == 4) {
                Scheduler::Yield();
              } else {
                Spin(20);
              }
            }
            finished.fetch_add(1);
          },
          &masks[i], options);
      ASSERT_NE(thread, nullptr);
      ids.push_back(thread->id());
      // Keep a bounded number alive: join the oldest as we go.
      if (ids.size() >= 1500) {
        EXPECT_TRUE(Scheduler::Join(ids.front()).ok());
        ids.erase(ids.begin());
      }
    }
    for (ThreadId id : ids) EXPECT_TRUE(Scheduler::Join(id).ok());
  }));
  EXPECT_EQ(violations.load(), 0);
  EXPECT_EQ(finished.load(), kThreads);
  for (int cpu = 0; cpu < 8; ++cpu) EXPECT_GT(cpus_used[cpu], 0u) << "cpu " << cpu;
}

TEST(SchedulerTest, BalancingSpreadsABurstCreatedOnOneCpu) {
  static std::set<hal::CpuId> ran_on;
  static uint64_t pulled = 0;
  ran_on.clear();
  ExpectPoweredOff(RunScheduled({.cpus = 8}, [] {
    std::vector<ThreadId> ids;
    for (int i = 0; i < 64; ++i) {
      ThreadOptions options;
      options.cpu = 0;
      ids.push_back(Create(
                        [](void*) {
                          Spin(2000);
                          ran_on.insert(hal::CurrentCpu());
                        },
                        nullptr, options)
                        ->id());
    }
    for (ThreadId id : ids) EXPECT_TRUE(Scheduler::Join(id).ok());
    pulled = testing_support::SumOverCpus(&CpuSchedulerStats::pulled);
  }));
  EXPECT_EQ(ran_on.size(), 8u);
  EXPECT_GE(pulled, 7u);
}

TEST(SchedulerTest, WithoutBalancingTheBurstStaysOnItsCpu) {
  static std::set<hal::CpuId> ran_on;
  ran_on.clear();
  ExpectPoweredOff(RunScheduled({.cpus = 8, .load_balancing = false}, [] {
    std::vector<ThreadId> ids;
    for (int i = 0; i < 16; ++i) {
      ThreadOptions options;
      options.cpu = 0;
      ids.push_back(Create(
                        [](void*) {
                          Spin(500);
                          ran_on.insert(hal::CurrentCpu());
                        },
                        nullptr, options)
                        ->id());
    }
    for (ThreadId id : ids) EXPECT_TRUE(Scheduler::Join(id).ok());
  }));
  EXPECT_EQ(ran_on, std::set<hal::CpuId>{0});
}

TEST(SchedulerTest, IdleCpusHaltUntilWorkArrives) {
  sim::RunResult result = RunScheduled({.cpus = 4}, [] {
    Scheduler::SleepFor(1'000'000);
    ThreadOptions options;
    options.affinity = CpuMask::Only(3);
    Thread* thread = Create([](void*) { Spin(100); }, nullptr, options);
    EXPECT_TRUE(Scheduler::Join(thread->id()).ok());
  });
  ExpectPoweredOff(result);
  ASSERT_EQ(result.cpus.size(), 4u);
  // A millisecond of polling would take ~100,000 interleaving points; a
  // halted CPU takes none. (A CPU still halted at power-off has its halt
  // time uncounted by the simulator, so count steps instead.)
  for (size_t cpu = 0; cpu < result.cpus.size(); ++cpu) {
    EXPECT_LT(result.cpus[cpu].interleavings, 2'000u) << "cpu " << cpu;
  }
  EXPECT_GT(result.cpus[0].halted_time, 900'000u);
}

TEST(SchedulerTest, SetAffinityMovesTheCallingThread) {
  ExpectPoweredOff(RunScheduled({.cpus = 4}, [] {
    for (hal::CpuId cpu : {3u, 1u, 2u, 0u}) {
      EXPECT_EQ(Scheduler::SetAffinity(CpuMask::Only(cpu)), Status::kOk);
      EXPECT_EQ(hal::CurrentCpu(), cpu);
      Spin(100);
      EXPECT_EQ(hal::CurrentCpu(), cpu);
    }
    EXPECT_EQ(Scheduler::SetAffinity(CpuMask::Only(7)), Status::kInvalidArgument);
  }));
}

// A real-time thread that never blocks still leaves normal threads on its
// CPU at least (rt_period - rt_runtime) of every period.
TEST(SchedulerTest, RealTimeThreadsCannotStarveNormalThreads) {
  ScheduledMachine machine{.cpus = 1, .rt_period = 100'000, .rt_runtime = 80'000};
  ExpectPoweredOff(RunScheduled(machine, [] {
    static std::atomic<bool> stop{false};
    ThreadOptions rt;
    rt.priority = MakePriority(PriorityClass::kRealTime, 5);
    Thread* hog = Create(
        [](void*) {
          while (!stop.load()) hal::CpuRelax();
        },
        nullptr, rt);
    // The main thread is a normal thread on the same CPU.
    const ThreadStats& mine = Scheduler::Current()->stats();
    const hal::Nanoseconds start = hal::Now();
    const hal::Nanoseconds my_start = mine.run_time;
    Spin(20'000);
    const hal::Nanoseconds elapsed = hal::Now() - start;
    const hal::Nanoseconds my_time = mine.run_time - my_start;
    stop.store(true);
    EXPECT_TRUE(Scheduler::Join(hog->id()).ok());
    // About 20% for the normal thread, 80% for the real-time one.
    EXPECT_GT(my_time, elapsed / 10);
    EXPECT_LT(my_time, elapsed * 3 / 10);
    EXPECT_GT(Scheduler::CpuStats(0).rt_throttles, 0u);
  }));
}

TEST(SchedulerTest, PreemptionIsDeferredWhileAGuardIsHeld) {
  ExpectPoweredOff(RunScheduled({.cpus = 1, .time_slice = 10'000}, [] {
    static std::atomic<bool> other_ran{false};
    Thread* other = Create([](void*) { other_ran.store(true); }, nullptr);
    Thread* self = Scheduler::Current();
    const uint64_t before = self->stats().preemptions;
    {
      PreemptionGuard guard;
      Spin(10'000);  // Far past the slice: the timer fires, no switch.
      EXPECT_FALSE(other_ran.load());
      EXPECT_EQ(self->stats().preemptions, before);
    }
    // The deferred switch happened when the guard went away.
    EXPECT_TRUE(other_ran.load());
    EXPECT_EQ(self->stats().preemptions, before + 1);
    EXPECT_TRUE(Scheduler::Join(other->id()).ok());
  }));
}

// A waiter's timeout takes its wait queue's lock in the timer interrupt.
// Taken there on a CPU whose interrupted code holds another lock with
// interrupts on, it could wait for a CPU that holds the queue's lock and
// waits, interrupts off, for the interrupted code's: neither would ever go
// on (ipc_fuzz found it with a capability's derivation lock and an
// endpoint's). Timers due under a lock run once the lock goes.
TEST(SchedulerTest, ATimeoutDueUnderASpinlockRunsWhenTheLockGoes) {
  ExpectPoweredOff(RunScheduled({.cpus = 2, .max_interleavings = 20'000'000}, [] {
    static SpinLock plain;  // Taken with interrupts on.
    static WaitQueue queue;
    static std::atomic<bool> queue_held{false};
    static std::atomic<bool> timed_out{false};
    ASSERT_EQ(Scheduler::SetAffinity(CpuMask::Only(0)), Status::kOk);
    ThreadOptions on_cpu0;
    on_cpu0.affinity = CpuMask::Only(0);
    Thread* sleeper = Create(
        [](void*) {
          IrqSpinLockGuard guard(queue.lock());
          const Status status = queue.BlockLocked(hal::Now() + 20'000);
          timed_out.store(status == Status::kTimedOut);
        },
        nullptr, on_cpu0);
    ThreadOptions on_cpu1;
    on_cpu1.affinity = CpuMask::Only(1);
    on_cpu1.cpu = 1;
    Thread* holder = Create(
        [](void*) {
          IrqSpinLockGuard hold(queue.lock());
          queue_held.store(true);
          SpinLockGuard wait(plain);
        },
        nullptr, on_cpu1);
    Scheduler::Yield();  // The sleeper arms its timeout on this CPU.
    const uint64_t deferred_before = Scheduler::CpuStats(0).deferred_timer_runs;
    {
      SpinLockGuard hold(plain);
      while (!queue_held.load()) Spin(1);
      Spin(10'000);  // Past the sleeper's deadline: the timer interrupt came.
      EXPECT_FALSE(timed_out.load());
      EXPECT_GT(Scheduler::CpuStats(0).deferred_timer_runs, deferred_before);
    }
    EXPECT_TRUE(Scheduler::Join(holder->id()).ok());
    EXPECT_TRUE(Scheduler::Join(sleeper->id()).ok());
    EXPECT_TRUE(timed_out.load());
  }));
}

// A thread that yields goes back on its CPU's queue while the thread
// switched to finishes the switch; once the switch lets go of it, an idle
// CPU may pull it, run it to its exit and reap it. The switch must have
// decided by then whether it is the one to reap it (ipc_fuzz found a
// double reap: the switch looked again, saw it exited, and freed its stack
// a second time). PCT with one change point among the body's interleaving
// points: where it drops CPU 0 in that window, CPU 1 (woken by the kick
// the creation sent) runs the whole way alone. Seeds 121, 146, 183 and 195
// did that before the fix.
TEST(SchedulerTest, AThreadPulledAwayAndExitedIsReapedOnce) {
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    SCOPED_TRACE(seed);
    ScheduledMachine machine{.cpus = 2, .seed = seed};
    machine.policy = sim::SchedulePolicy::kPct;
    machine.configure = [](sim::MachineConfig& config) {
      config.pct_depth = 2;
      config.pct_steps = 3'000;
    };
    ExpectPoweredOff(RunScheduled(machine, [] {
      ASSERT_EQ(Scheduler::SetAffinity(CpuMask::Only(0)), Status::kOk);
      ThreadOptions options;
      options.cpu = 0;
      for (int i = 0; i < 50; ++i) {
        // Runs when we yield, yields back, and ends wherever it runs next.
        Thread* thread = Create([](void*) { Scheduler::Yield(); }, nullptr, options);
        ASSERT_NE(thread, nullptr);
        Scheduler::Yield();
        Spin(20);
        EXPECT_TRUE(Scheduler::Join(thread->id()).ok());
      }
    }));
  }
}

uint64_t MixedWorkloadHash(uint64_t seed) {
  sim::RunResult result = RunScheduled({.cpus = 8, .seed = seed, .max_threads = 300}, [] {
    std::vector<ThreadId> ids;
    for (int i = 0; i < 200; ++i) {
      ThreadOptions options;
      options.priority = MakePriority(PriorityClass::kNormal, i % 3);
      options.cpu = i % 2;
      ids.push_back(Create(
                        [](void*) {
                          for (int step = 0; step < 5; ++step) {
                            Spin(50);
                            if (step % 2 == 0) Scheduler::Yield();
                            Scheduler::SleepFor(1'000 * (step + 1));
                          }
                        },
                        nullptr, options)
                        ->id());
    }
    for (ThreadId id : ids) EXPECT_TRUE(Scheduler::Join(id).ok());
  });
  ExpectPoweredOff(result);
  return result.trace_hash;
}

TEST(SchedulerTest, SameSeedSameTrace) {
  const uint64_t first = MixedWorkloadHash(5);
  EXPECT_EQ(MixedWorkloadHash(5), first);
  EXPECT_NE(MixedWorkloadHash(6), first);
}

}  // namespace
}  // namespace vos
