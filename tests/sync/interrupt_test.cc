// Interruptible waits (WaitQueue::Interrupt) on the kernel's sync objects:
// an interrupted mutex waiter gives back the priority it lent the owner and
// leaves the mutex uncontended; an interrupt that comes before the wait
// ends it at once; Mutex::Lock, a wait that cannot fail, is never cut short.
// (Processes dying with threads blocked: tests/syscall/peer_death_test.cc.)
#include <atomic>

#include "gtest/gtest.h"
#include "src/hal/time.h"
#include "src/sched/scheduler.h"
#include "src/sched/wait_queue.h"
#include "src/sync/barrier.h"
#include "src/sync/mutex.h"
#include "src/sync/rw_lock.h"
#include "src/sync/semaphore.h"
#include "tests/support/in_machine.h"
#include "tests/support/scheduled_machine.h"
#include "tests/sync/mutex_threads.h"

namespace vos {
namespace {

using testing_support::ExpectPoweredOff;
using testing_support::MutexHolder;
using testing_support::RunScheduled;
using testing_support::StartHolder;
using testing_support::StartLocker;
using testing_support::StartThread;
using testing_support::TimedLocker;

TEST(InterruptTest, AnInterruptedMutexWaiterWithdrawsItsBoost) {
  testing_support::ScheduledMachine machine{
      .cpus = 2, .body_priority = MakePriority(PriorityClass::kRealTime, 15)};
  ExpectPoweredOff(RunScheduled(machine, [] {
    Mutex mutex;
    MutexHolder holder{.mutex = &mutex};
    Thread* low = StartHolder(holder);
    TimedLocker locker{.mutex = &mutex};
    Thread* high = StartLocker(locker, MakePriority(PriorityClass::kRealTime, 1));
    Scheduler::SleepFor(10'000);
    ASSERT_EQ(high->state(), ThreadState::kBlocked);
    EXPECT_EQ(low->effective_priority(), MakePriority(PriorityClass::kRealTime, 1));
    WaitQueue::Interrupt(high);
    EXPECT_TRUE(Scheduler::Join(high->id()).ok());
    EXPECT_EQ(locker.result, Status::kInterrupted);
    EXPECT_EQ(low->effective_priority(), MakePriority(PriorityClass::kNormal, 1));
    EXPECT_EQ(mutex.owner(), low);
    holder.release.store(true);
    EXPECT_TRUE(Scheduler::Join(low->id()).ok());
    EXPECT_EQ(mutex.owner(), nullptr);
  }));
}

TEST(InterruptTest, AnInterruptBeforeTheWaitEndsItAtOnce) {
  ExpectPoweredOff(RunScheduled({.cpus = 2}, [] {
    static Semaphore* semaphore;
    static RwLock* rw;
    static Barrier* barrier;
    static std::atomic<bool> interrupted{false};
    static Status down = Status::kOk, read = Status::kOk;
    static bool last = true;
    Semaphore local_semaphore(0);
    RwLock local_rw;
    Barrier local_barrier(2);
    semaphore = &local_semaphore;
    rw = &local_rw;
    barrier = &local_barrier;
    ASSERT_EQ(rw->WriteLock(), Status::kOk);
    Thread* victim = StartThread(
        [](void*) {
          while (!interrupted.load()) Scheduler::SleepFor(1'000);
          down = semaphore->Acquire();
          read = rw->ReadLock();
          last = barrier->ArriveAndWait();
        },
        nullptr);
    WaitQueue::Interrupt(victim);
    interrupted.store(true);
    EXPECT_TRUE(Scheduler::Join(victim->id()).ok());
    EXPECT_EQ(down, Status::kInterrupted);
    EXPECT_EQ(read, Status::kInterrupted);
    EXPECT_FALSE(last);
    EXPECT_EQ(semaphore->count(), 0u);
    rw->WriteUnlock();
    // The interrupted party's arrival counts: one more completes the phase.
    EXPECT_TRUE(barrier->ArriveAndWait());
  }));
}

TEST(InterruptTest, MutexLockIsNeverInterrupted) {
  ExpectPoweredOff(RunScheduled({.cpus = 2}, [] {
    static Mutex* mutex;
    static std::atomic<bool> locked{false};
    Mutex local;
    mutex = &local;
    mutex->Lock();
    Thread* waiter = StartThread(
        [](void*) {
          mutex->Lock();
          locked.store(true);
          mutex->Unlock();
        },
        nullptr);
    Scheduler::SleepFor(10'000);
    ASSERT_EQ(waiter->state(), ThreadState::kBlocked);
    WaitQueue::Interrupt(waiter);
    Scheduler::SleepFor(10'000);
    EXPECT_FALSE(locked.load());
    EXPECT_EQ(waiter->state(), ThreadState::kBlocked);
    mutex->Unlock();
    EXPECT_TRUE(Scheduler::Join(waiter->id()).ok());
    EXPECT_TRUE(locked.load());
  }));
}

}  // namespace
}  // namespace vos
