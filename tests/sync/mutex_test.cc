// The priority-inheriting mutex: exclusion under contention on 8 CPUs, the
// classic priority inversion fixed (and shown without inheritance),
// inheritance through a chain of owners, and boosts given back on unlock and
// by waiters that give up.
#include "src/sync/mutex.h"

#include <atomic>
#include <cstdio>
#include <vector>

#include "gtest/gtest.h"
#include "src/hal/time.h"
#include "src/sched/scheduler.h"
#include "tests/support/in_machine.h"
#include "tests/support/scheduled_machine.h"
#include "tests/sync/mutex_threads.h"

namespace vos {
namespace {

using testing_support::ExpectPoweredOff;
using testing_support::MutexHolder;
using testing_support::RunScheduled;
using testing_support::Spin;
using testing_support::StartHolder;
using testing_support::StartLocker;
using testing_support::StartThread;
using testing_support::TimedLocker;
using testing_support::WithPriority;

TEST(MutexTest, ExcludesUnderContentionOnEightCpus) {
  constexpr int kThreads = 32;
  constexpr int kIterations = 200;
  struct Shared {
    Mutex mutex;
    uint64_t counter = 0;
    bool inside = false;
    std::atomic<int> violations{0};
  };
  static Shared* shared;
  ExpectPoweredOff(RunScheduled({.cpus = 8, .time_slice = 5'000}, [] {
    Shared state;
    shared = &state;
    std::vector<ThreadId> ids;
    for (int i = 0; i < kThreads; ++i) {
      ids.push_back(StartThread(
                        [](void*) {
                          for (int n = 0; n < kIterations; ++n) {
                            MutexGuard guard(shared->mutex);
                            if (shared->inside) shared->violations.fetch_add(1);
                            shared->inside = true;
                            const uint64_t value = shared->counter;
                            Spin(3);  // Invite the others in: they must sleep.
                            shared->counter = value + 1;
                            shared->inside = false;
                          }
                        },
                        nullptr, WithPriority(MakePriority(PriorityClass::kNormal, i % 4)))
                        ->id());
    }
    for (ThreadId id : ids) EXPECT_TRUE(Scheduler::Join(id).ok());
    EXPECT_EQ(state.counter, uint64_t{kThreads} * kIterations);
    EXPECT_EQ(state.violations.load(), 0);
    EXPECT_EQ(state.mutex.owner(), nullptr);
    EXPECT_TRUE(state.mutex.TryLock());
    EXPECT_TRUE(state.mutex.IsHeldByCurrentThread());
    state.mutex.Unlock();
  }));
}

// Low holds the mutex, high waits for it, medium wants the CPU for much
// longer than the critical section. One CPU, so they compete.
struct Timings {
  hal::Nanoseconds high_waited = 0;
  hal::Nanoseconds critical_section = 0;
  hal::Nanoseconds medium_ran = 0;
};
struct Inversion {
  Mutex mutex;
  std::atomic<bool> low_holds{false};
  Timings timings;
  explicit Inversion(Mutex::Inheritance inheritance) : mutex(inheritance) {}
};
Inversion* inversion = nullptr;

constexpr uint64_t kCriticalSteps = 2'000;  // ~20 us of simulated time
constexpr uint64_t kMediumSteps = 50'000;   // ~500 us

Timings RunInversion(Mutex::Inheritance inheritance) {
  static Timings timings;
  timings = {};
  testing_support::ScheduledMachine machine{
      .cpus = 1,
      .time_slice = 10'000'000,
      .body_priority = MakePriority(PriorityClass::kRealTime, 15)};
  ExpectPoweredOff(RunScheduled(machine, [inheritance] {
    Inversion state(inheritance);
    inversion = &state;
    Thread* low = StartThread(
        [](void*) {
          MutexGuard guard(inversion->mutex);
          inversion->low_holds.store(true);
          const hal::Nanoseconds start = hal::Now();
          Spin(kCriticalSteps);
          inversion->timings.critical_section = hal::Now() - start;
        },
        nullptr, WithPriority(MakePriority(PriorityClass::kNormal, 0)));
    while (!inversion->low_holds.load()) Scheduler::SleepFor(1'000);
    Thread* medium = StartThread(
        [](void*) {
          const hal::Nanoseconds start = hal::Now();
          Spin(kMediumSteps);
          inversion->timings.medium_ran = hal::Now() - start;
        },
        nullptr, WithPriority(MakePriority(PriorityClass::kNormal, 20)));
    Thread* high = StartThread(
        [](void*) {
          const hal::Nanoseconds start = hal::Now();
          inversion->mutex.Lock();
          inversion->timings.high_waited = hal::Now() - start;
          inversion->mutex.Unlock();
        },
        nullptr, WithPriority(MakePriority(PriorityClass::kRealTime, 5)));
    for (Thread* thread : {high, low, medium}) EXPECT_TRUE(Scheduler::Join(thread->id()).ok());
    timings = state.timings;
  }));
  return timings;
}

TEST(MutexTest, PriorityInheritanceFixesTheClassicInversion) {
  const Timings timings = RunInversion(Mutex::Inheritance::kEnabled);
  std::printf("with inheritance: high waited %lu ns, critical section %lu ns, medium ran %lu ns\n",
              timings.high_waited, timings.critical_section, timings.medium_ran);
  // High waited for (what was left of) the critical section only, not for
  // medium's long run.
  EXPECT_GT(timings.critical_section, 0u);
  EXPECT_LE(timings.high_waited, timings.critical_section);
  EXPECT_LT(timings.high_waited, timings.medium_ran / 10);
}

TEST(MutexTest, WithoutInheritanceHighWaitsForMedium) {
  const Timings timings = RunInversion(Mutex::Inheritance::kDisabled);
  std::printf("without: high waited %lu ns, critical section %lu ns, medium ran %lu ns\n",
              timings.high_waited, timings.critical_section, timings.medium_ran);
  // The control: the same scenario inverts without inheritance.
  EXPECT_GT(timings.medium_ran, 0u);
  EXPECT_GT(timings.high_waited, timings.medium_ran);
}

// low holds A; middle holds B and waits for A; high waits for B. High's
// priority must reach low through middle.
TEST(MutexTest, InheritanceFollowsAChainOfOwners) {
  testing_support::ScheduledMachine machine{
      .cpus = 1, .body_priority = MakePriority(PriorityClass::kRealTime, 15)};
  ExpectPoweredOff(RunScheduled(machine, [] {
    struct Chain {
      Mutex a, b;
      std::atomic<bool> low_holds{false}, middle_holds{false}, release{false};
    };
    static Chain* chain;
    Chain state;
    chain = &state;
    const Priority low_priority = MakePriority(PriorityClass::kNormal, 0);
    const Priority middle_priority = MakePriority(PriorityClass::kNormal, 10);
    const Priority high_priority = MakePriority(PriorityClass::kRealTime, 3);
    Thread* low = StartThread(
        [](void*) {
          MutexGuard guard(chain->a);
          chain->low_holds.store(true);
          while (!chain->release.load()) Scheduler::SleepFor(1'000);
        },
        nullptr, WithPriority(low_priority));
    while (!chain->low_holds.load()) Scheduler::SleepFor(1'000);
    Thread* middle = StartThread(
        [](void*) {
          MutexGuard guard_b(chain->b);
          chain->middle_holds.store(true);
          MutexGuard guard_a(chain->a);
        },
        nullptr, WithPriority(middle_priority));
    while (!chain->middle_holds.load()) Scheduler::SleepFor(1'000);
    Scheduler::SleepFor(10'000);  // Middle is now asleep on A.
    EXPECT_EQ(low->effective_priority(), middle_priority);
    Thread* high = StartThread(
        [](void*) {
          MutexGuard guard(chain->b);
        },
        nullptr, WithPriority(high_priority));
    Scheduler::SleepFor(10'000);  // High is now asleep on B.
    EXPECT_EQ(middle->effective_priority(), high_priority);
    EXPECT_EQ(low->effective_priority(), high_priority);
    chain->release.store(true);
    for (Thread* thread : {high, middle, low}) EXPECT_TRUE(Scheduler::Join(thread->id()).ok());
  }));
}

TEST(MutexTest, BoostIsGivenBackOnUnlock) {
  testing_support::ScheduledMachine machine{
      .cpus = 2, .body_priority = MakePriority(PriorityClass::kRealTime, 15)};
  ExpectPoweredOff(RunScheduled(machine, [] {
    static Mutex* mutex;
    static std::atomic<bool> holds{false}, release{false};
    static Priority after_unlock = 0;
    Mutex local;
    mutex = &local;
    holds = false;
    release = false;
    Thread* low = StartThread(
        [](void*) {
          mutex->Lock();
          holds.store(true);
          while (!release.load()) Scheduler::SleepFor(1'000);
          mutex->Unlock();
          after_unlock = Scheduler::Current()->effective_priority();
        },
        nullptr, WithPriority(MakePriority(PriorityClass::kNormal, 1)));
    while (!holds.load()) Scheduler::SleepFor(1'000);
    Thread* high = StartThread([](void*) { MutexGuard guard(*mutex); }, nullptr,
                               WithPriority(MakePriority(PriorityClass::kRealTime, 1)));
    Scheduler::SleepFor(10'000);
    EXPECT_EQ(low->effective_priority(), MakePriority(PriorityClass::kRealTime, 1));
    release.store(true);
    for (Thread* thread : {high, low}) EXPECT_TRUE(Scheduler::Join(thread->id()).ok());
    EXPECT_EQ(after_unlock, MakePriority(PriorityClass::kNormal, 1));
  }));
}

// LockUntil: a waiter that times out leaves the owner unboosted and the
// mutex uncontended (the owner's unlock takes the fast path and nobody is
// handed it); a later waiter with time to spare gets it.
TEST(MutexTest, ATimedOutWaiterWithdrawsItsBoost) {
  testing_support::ScheduledMachine machine{
      .cpus = 2, .body_priority = MakePriority(PriorityClass::kRealTime, 15)};
  ExpectPoweredOff(RunScheduled(machine, [] {
    Mutex mutex;
    MutexHolder holder{.mutex = &mutex};
    Thread* low = StartHolder(holder);
    TimedLocker impatient{.mutex = &mutex, .timeout = 20'000};
    Thread* high = StartLocker(impatient, MakePriority(PriorityClass::kRealTime, 1));
    Scheduler::SleepFor(10'000);
    EXPECT_EQ(low->effective_priority(), MakePriority(PriorityClass::kRealTime, 1));
    EXPECT_TRUE(Scheduler::Join(high->id()).ok());
    EXPECT_EQ(impatient.result, Status::kTimedOut);
    EXPECT_EQ(low->effective_priority(), MakePriority(PriorityClass::kNormal, 1));
    EXPECT_EQ(mutex.owner(), low);
    TimedLocker patient{.mutex = &mutex, .timeout = 10'000'000, .result = Status::kTimedOut};
    Thread* later = StartLocker(patient, MakePriority(PriorityClass::kRealTime, 2));
    Scheduler::SleepFor(10'000);
    holder.release.store(true);
    for (Thread* thread : {later, low}) EXPECT_TRUE(Scheduler::Join(thread->id()).ok());
    EXPECT_EQ(patient.result, Status::kOk);
    EXPECT_EQ(mutex.owner(), nullptr);
  }));
}

// What the owner passed on goes back too: high waits on B, held by middle,
// which waits on A, held by low. Once high gives up, low falls back to
// middle's priority (middle still waits on A), as middle does.
TEST(MutexTest, ATimedOutWaiterWithdrawsItsBoostAlongTheChain) {
  testing_support::ScheduledMachine machine{
      .cpus = 2, .body_priority = MakePriority(PriorityClass::kRealTime, 15)};
  ExpectPoweredOff(RunScheduled(machine, [] {
    static Mutex *a, *b;
    static std::atomic<bool> middle_holds_b;
    Mutex local_a, local_b;
    a = &local_a;
    b = &local_b;
    middle_holds_b = false;
    MutexHolder holder{.mutex = a};
    Thread* low = StartHolder(holder);
    const Priority middle_priority = MakePriority(PriorityClass::kNormal, 10);
    Thread* middle = StartThread(
        [](void*) {
          MutexGuard guard_b(*b);
          middle_holds_b.store(true);
          MutexGuard guard_a(*a);
        },
        nullptr, WithPriority(middle_priority));
    while (!middle_holds_b.load()) Scheduler::SleepFor(1'000);
    Scheduler::SleepFor(10'000);  // Middle is now asleep on A.
    EXPECT_EQ(low->effective_priority(), middle_priority);
    const Priority high_priority = MakePriority(PriorityClass::kRealTime, 1);
    TimedLocker impatient{.mutex = b, .timeout = 20'000};
    Thread* high = StartLocker(impatient, high_priority);
    Scheduler::SleepFor(10'000);  // High is now asleep on B.
    EXPECT_EQ(middle->effective_priority(), high_priority);
    EXPECT_EQ(low->effective_priority(), high_priority);
    EXPECT_TRUE(Scheduler::Join(high->id()).ok());
    EXPECT_EQ(impatient.result, Status::kTimedOut);
    EXPECT_EQ(middle->effective_priority(), middle_priority);
    EXPECT_EQ(low->effective_priority(), middle_priority);
    holder.release.store(true);
    for (Thread* thread : {middle, low}) EXPECT_TRUE(Scheduler::Join(thread->id()).ok());
  }));
}

}  // namespace
}  // namespace vos
