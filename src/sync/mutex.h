// A blocking kernel mutex with priority inheritance.
//
// Uncontended Lock/Unlock are one compare-and-swap each on the owner word.
// Contended, the locker sleeps on the mutex's wait queue (highest priority
// first) and lends its priority to the owner, and through the owner to
// whatever the owner itself waits for, so a low-priority owner preempted by
// medium-priority work still runs its critical section at the waiter's
// priority. Unlock hands the mutex directly to the best waiter.
//
// Every mutex's waiters and every thread's inheritance state are guarded by
// one global inheritance lock, taken only on contended paths.
#ifndef VERIDIAN_SRC_SYNC_MUTEX_H_
#define VERIDIAN_SRC_SYNC_MUTEX_H_

#include <cstdint>

#include "src/hal/atomic.h"
#include "src/hal/types.h"
#include "src/lib/status.h"
#include "src/lib/thread_annotations.h"
#include "src/sched/thread.h"
#include "src/sched/wait_queue.h"

namespace vos {

class VOS_CAPABILITY("mutex") Mutex {
 public:
  enum class Inheritance : uint8_t { kEnabled, kDisabled };

  Mutex();
  // kDisabled: a plain sleeping mutex (the control case in tests).
  explicit Mutex(Inheritance inheritance);
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  // From thread context only (interrupts may be on or off, no spinlock held
  // unless it is a wait queue's, as ConditionVariable does).
  void Lock() VOS_ACQUIRE();
  // As Lock, or kTimedOut at `deadline` (hal::Now() time), or kInterrupted
  // when the waiting thread is interrupted (WaitQueue::Interrupt: its
  // process is dying). A waiter that gives up withdraws the priority it
  // lent, from the owner and from every owner down the chain it was passed
  // on to. Lock itself is never interrupted.
  [[nodiscard]] Status LockUntil(hal::Nanoseconds deadline);
  [[nodiscard]] bool TryLock() VOS_TRY_ACQUIRE(true);
  void Unlock() VOS_RELEASE();

  bool IsHeldByCurrentThread() const;
  Thread* owner() const;

 private:
  static constexpr uintptr_t kHasWaiters = 1;

  Status LockSlow(Thread* self, hal::Nanoseconds deadline, Interruptible interruptible);
  // A timed-out or interrupted waiter's exit from the queue; under the
  // inheritance lock.
  void GiveUpLocked(Thread* self);
  // Step 4 of an unlock: `self` drops what it borrowed through this mutex.
  static void RestoreAfterUnlockLocked(Thread* self);
  void UnlockSlow(Thread* self, uintptr_t state);
  // Inheritance bookkeeping; all under the inheritance lock.
  void ListAsContended(Thread* owner);
  void UnlistAsContended(Thread* owner);
  // Sets `thread`'s effective priority to target(thread), then that of the
  // owner of the mutex it waits for, and on down the chain, until one is
  // unchanged; each waiter's place in its queue follows.
  template <typename Target>
  static void SetAlongChain(Thread* thread, Target target);
  // Raises `owner`, and the owners of what it waits for, to `priority`.
  static void Lend(Thread* owner, Priority priority);
  // Lend undone, once `thread` may have lost a lender: it and the owners of
  // what it waits for fall back to what their contended mutexes still give.
  static void Withdraw(Thread* thread);
  // `thread`'s base priority, or the best of its contended mutexes' waiters.
  static Priority InheritedPriority(const Thread* thread);

  // Owner word: the owning Thread*, with kHasWaiters set while threads wait
  // (set under the inheritance lock, so the fast unlock fails and hands off).
  hal::Atomic<uintptr_t> state_{0};
  const bool inherit_;
  // Guarded by the inheritance lock.
  WaitQueue waiters_;
  // On the owner's list of contended mutexes (Thread::contended_mutexes_).
  Mutex* next_contended_ = nullptr;
  Mutex* prev_contended_ = nullptr;
  bool contended_listed_ = false;
};

class VOS_SCOPED_CAPABILITY MutexGuard {
 public:
  explicit MutexGuard(Mutex& mutex) VOS_ACQUIRE(mutex) : mutex_(mutex) { mutex_.Lock(); }
  ~MutexGuard() VOS_RELEASE() { mutex_.Unlock(); }
  MutexGuard(const MutexGuard&) = delete;
  MutexGuard& operator=(const MutexGuard&) = delete;

 private:
  Mutex& mutex_;
};

}  // namespace vos

#endif  // VERIDIAN_SRC_SYNC_MUTEX_H_
