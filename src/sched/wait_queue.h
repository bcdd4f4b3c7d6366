// A queue of blocked threads: the one way kernel code sleeps until something
// happens (sync primitives, Join, and IPC senders and receivers). Waiters
// are kept highest effective priority first, FIFO within a priority.
//
// Protocol: the caller takes lock() with interrupts disabled, checks its
// condition, and calls BlockLocked, which releases the lock while the thread
// sleeps and holds it again on return. Wakers change the condition and call
// Wake*Locked under the same lock, so no wake-up is ever lost.
//
// Interruption: a wait marked Interruptible::kYes (a user thread's wait in
// a syscall, on something its caller can fail on) also ends, with
// kInterrupted, when Interrupt is called for its thread: the thread's
// process is dying, and the thread must get back to UserThreadMain to
// leave. Kernel-internal waits that cannot fail (Mutex::Lock, Join, the
// process wait queues) stay uninterruptible.
#ifndef VERIDIAN_SRC_SCHED_WAIT_QUEUE_H_
#define VERIDIAN_SRC_SCHED_WAIT_QUEUE_H_

#include <cstddef>

#include "src/hal/types.h"
#include "src/lib/spinlock.h"
#include "src/lib/status.h"
#include "src/lib/thread_annotations.h"
#include "src/sched/thread.h"
#include "src/sched/timer_queue.h"

namespace vos {

// Whether a wait ends early when its thread is interrupted.
enum class Interruptible : bool { kNo, kYes };

class WaitQueue {
 public:
  // With its own lock.
  WaitQueue() : lock_(&own_lock_) {}
  // Guarded by `lock` instead, shared with other queues (a reader-writer
  // lock's two queues, every priority-inheriting mutex).
  explicit WaitQueue(SpinLock& lock) : lock_(&lock) {}
  WaitQueue(const WaitQueue&) = delete;
  WaitQueue& operator=(const WaitQueue&) = delete;

  SpinLock& lock() const VOS_RETURN_CAPABILITY(*lock_) { return *lock_; }

  // Blocks the current thread until a Wake*Locked or `deadline` (hal::Now()
  // time; kNoDeadline waits forever). Returns the status the waker passed,
  // or kTimedOut. `state` is kBlocked, or kSleeping when only the deadline
  // can end the wait. Interrupts disabled, lock() held, no preemption guard.
  //
  // `successor`, if not null, is a thread this critical section took off a
  // wait queue with TakeFirstLocked: this CPU switches straight to it
  // (Scheduler::HandOff), the synchronous IPC fast path. It is woken even
  // if this call times out at once.
  //
  // With Interruptible::kYes the wait also ends with kInterrupted after
  // Interrupt(current thread), at once if that came first: the caller must
  // then undo whatever it did to wait (a timeout's path does the same).
  Status BlockLocked(hal::Nanoseconds deadline = kNoDeadline,
                     ThreadState state = ThreadState::kBlocked,
                     Thread* successor = nullptr,
                     Interruptible interruptible = Interruptible::kNo) VOS_REQUIRES(lock());
  Status BlockInterruptiblyLocked(hal::Nanoseconds deadline = kNoDeadline,
                                  Thread* successor = nullptr) VOS_REQUIRES(lock()) {
    return BlockLocked(deadline, ThreadState::kBlocked, successor, Interruptible::kYes);
  }

  // Ends `thread`'s interruptible wait, if it is in one, and every one it
  // starts later, with kInterrupted; irreversible (its process is dying).
  // Takes the lock of the queue the thread waits on, so the caller may hold
  // only locks ordered before every wait queue's (the process tree lock).
  // Uninterruptible waits are left alone.
  static void Interrupt(Thread* thread);

  // Wakes the first waiter; false when there was none.
  bool WakeOneLocked(Status result = Status::kOk) VOS_REQUIRES(lock());
  // Takes the first waiter off the queue as woken with `result` but does
  // not make it runnable: the caller must pass it as the successor of a
  // BlockLocked before releasing the lock. Null when there is none.
  Thread* TakeFirstLocked(Status result = Status::kOk) VOS_REQUIRES(lock());
  // Wakes every waiter; returns how many.
  size_t WakeAllLocked(Status result = Status::kOk) VOS_REQUIRES(lock());

  // The waiter the next WakeOneLocked wakes, or null.
  Thread* FirstLocked() const VOS_REQUIRES(lock()) { return waiters_.front(); }
  bool EmptyLocked() const VOS_REQUIRES(lock()) { return waiters_.empty(); }
  size_t SizeLocked() const VOS_REQUIRES(lock()) { return size_; }

  // Re-sorts `thread` (a waiter) after its effective priority changed.
  void RequeueLocked(Thread* thread) VOS_REQUIRES(lock());

 private:
  friend class Scheduler;

  void InsertLocked(Thread* thread) VOS_REQUIRES(lock());
  void RemoveLocked(Thread* thread) VOS_REQUIRES(lock());
  // Takes `thread` off the queue as woken with `result`; WakeLocked also
  // makes it runnable.
  void TakeLocked(Thread* thread, Status result) VOS_REQUIRES(lock());
  void WakeLocked(Thread* thread, Status result) VOS_REQUIRES(lock());
  // Timer callback of a waiter's deadline.
  static void OnTimeout(Timer* timer);
  // Returns once no Interrupt of `self` can still touch the queue it
  // waited on. No lock held.
  static void WaitOutInterrupters(Thread* self);

  SpinLock own_lock_;
  SpinLock* const lock_;
  ThreadList waiters_ VOS_GUARDED_BY(lock());
  size_t size_ VOS_GUARDED_BY(lock()) = 0;
};

}  // namespace vos

#endif  // VERIDIAN_SRC_SCHED_WAIT_QUEUE_H_
