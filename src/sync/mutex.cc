#include "src/sync/mutex.h"

#include <algorithm>

#include "src/hal/interrupts.h"
#include "src/lib/assert.h"
#include "src/lib/spinlock.h"
#include "src/sched/scheduler.h"

namespace vos {
namespace {

// Guards every mutex's waiters and inheritance links. Lock order: a
// condition variable's queue lock, then this, then scheduler locks.
SpinLock& InheritanceLock() {
  static SpinLock lock;
  return lock;
}

// Ownership chains longer than this are a deadlock or a bug.
constexpr int kMaxChain = 64;

Thread* OwnerOf(uintptr_t state) { return reinterpret_cast<Thread*>(state & ~uintptr_t{1}); }

}  // namespace

Mutex::Mutex() : Mutex(Inheritance::kEnabled) {}

Mutex::Mutex(Inheritance inheritance)
    : inherit_(inheritance == Inheritance::kEnabled), waiters_(InheritanceLock()) {}

Thread* Mutex::owner() const { return OwnerOf(state_.Load(std::memory_order_relaxed)); }

bool Mutex::IsHeldByCurrentThread() const { return owner() == Scheduler::Current(); }

void Mutex::Lock() VOS_NO_THREAD_SAFETY_ANALYSIS {
  Thread* self = Scheduler::Current();
  uintptr_t expected = 0;
  if (state_.CompareExchange(expected, reinterpret_cast<uintptr_t>(self),
                             std::memory_order_acquire)) [[likely]] {
    return;
  }
  (void)LockSlow(self, kNoDeadline, Interruptible::kNo);
}

Status Mutex::LockUntil(hal::Nanoseconds deadline) VOS_NO_THREAD_SAFETY_ANALYSIS {
  Thread* self = Scheduler::Current();
  uintptr_t expected = 0;
  if (state_.CompareExchange(expected, reinterpret_cast<uintptr_t>(self),
                             std::memory_order_acquire)) [[likely]] {
    return Status::kOk;
  }
  return LockSlow(self, deadline, Interruptible::kYes);
}

bool Mutex::TryLock() VOS_NO_THREAD_SAFETY_ANALYSIS {
  uintptr_t expected = 0;
  return state_.CompareExchange(expected, reinterpret_cast<uintptr_t>(Scheduler::Current()),
                                std::memory_order_acquire);
}

void Mutex::Unlock() VOS_NO_THREAD_SAFETY_ANALYSIS {
  Thread* self = Scheduler::Current();
  uintptr_t expected = reinterpret_cast<uintptr_t>(self);
  if (state_.CompareExchange(expected, 0, std::memory_order_release)) [[likely]] return;
  UnlockSlow(self, expected);
}

void Mutex::ListAsContended(Thread* owner) {
  if (contended_listed_) return;
  contended_listed_ = true;
  prev_contended_ = nullptr;
  next_contended_ = owner->contended_mutexes_;
  if (next_contended_ != nullptr) next_contended_->prev_contended_ = this;
  owner->contended_mutexes_ = this;
}

void Mutex::UnlistAsContended(Thread* owner) {
  if (!contended_listed_) return;
  contended_listed_ = false;
  if (prev_contended_ != nullptr) {
    prev_contended_->next_contended_ = next_contended_;
  } else {
    owner->contended_mutexes_ = next_contended_;
  }
  if (next_contended_ != nullptr) next_contended_->prev_contended_ = prev_contended_;
  next_contended_ = nullptr;
  prev_contended_ = nullptr;
}

Priority Mutex::InheritedPriority(const Thread* thread) VOS_NO_THREAD_SAFETY_ANALYSIS {
  Priority priority = thread->base_priority_;
  for (const Mutex* mutex = thread->contended_mutexes_; mutex != nullptr;
       mutex = mutex->next_contended_) {
    const Thread* top = mutex->waiters_.FirstLocked();
    if (mutex->inherit_ && top != nullptr) {
      priority = std::max(priority, top->effective_priority());
    }
  }
  return priority;
}

template <typename Target>
void Mutex::SetAlongChain(Thread* thread, Target target) VOS_NO_THREAD_SAFETY_ANALYSIS {
  for (int depth = 0; thread != nullptr; ++depth) {
    VOS_ASSERT_MSG(depth < kMaxChain, "mutex ownership chain too long (deadlock?)");
    const Priority priority = target(thread);
    if (priority == thread->effective_priority()) return;
    Scheduler::SetEffectivePriority(thread, priority);
    Mutex* next = thread->waiting_for_;
    if (next == nullptr || !next->inherit_) return;
    next->waiters_.RequeueLocked(thread);  // Its place in line moved too.
    thread = next->owner();
  }
}

void Mutex::Lend(Thread* owner, Priority priority) {
  SetAlongChain(owner, [priority](const Thread* member) {
    return std::max(member->effective_priority(), priority);
  });
}

void Mutex::Withdraw(Thread* thread) {
  SetAlongChain(thread, [](const Thread* member) {
    return std::min(member->effective_priority(), InheritedPriority(member));
  });
}

Status Mutex::LockSlow(Thread* self, hal::Nanoseconds deadline, Interruptible interruptible)
    VOS_NO_THREAD_SAFETY_ANALYSIS {
  IrqSpinLockGuard guard(waiters_.lock());
  for (;;) {
    uintptr_t state = state_.Load(std::memory_order_relaxed);
    if (state == 0) {
      // Released by the fast path meanwhile (it had no waiters then).
      if (state_.CompareExchange(state, reinterpret_cast<uintptr_t>(self),
                                 std::memory_order_acquire)) {
        return Status::kOk;
      }
      continue;
    }
    VOS_ASSERT_MSG(OwnerOf(state) != self, "thread %s locks a mutex it holds", self->name());
    if ((state & kHasWaiters) == 0 &&
        !state_.CompareExchange(state, state | kHasWaiters, std::memory_order_relaxed)) {
      continue;
    }
    // 1. Queue up, lend the owner our priority, and sleep. The owner cannot
    // release without the inheritance lock, which we hold until we sleep.
    Thread* owner = OwnerOf(state);
    ListAsContended(owner);
    self->waiting_for_ = this;
    if (inherit_) Lend(owner, self->effective_priority());
    const Status woken =
        waiters_.BlockLocked(deadline, ThreadState::kBlocked, nullptr, interruptible);
    if (woken == Status::kTimedOut || woken == Status::kInterrupted) {
      GiveUpLocked(self);
      return woken;
    }
    // 2. Woken by UnlockSlow, which handed us the mutex (step 3).
    VOS_ASSERT(woken == Status::kOk && OwnerOf(state_.Load()) == self);
    return Status::kOk;
  }
}

void Mutex::GiveUpLocked(Thread* self) VOS_NO_THREAD_SAFETY_ANALYSIS {
  // The timeout or interrupt took us off the queue (or never queued us); no
  // unlock handed us the mutex.
  self->waiting_for_ = nullptr;
  uintptr_t state = state_.Load(std::memory_order_relaxed);
  if ((state & kHasWaiters) == 0) return;  // Released meanwhile (step 3').
  // With the flag set the owner cannot change without this lock.
  Thread* owner = OwnerOf(state);
  if (waiters_.EmptyLocked()) {
    state_.Store(state & ~kHasWaiters, std::memory_order_relaxed);
    UnlistAsContended(owner);
  }
  if (inherit_) Withdraw(owner);
}

void Mutex::UnlockSlow(Thread* self, uintptr_t state) VOS_NO_THREAD_SAFETY_ANALYSIS {
  VOS_ASSERT_MSG(OwnerOf(state) == self, "thread %s unlocks a mutex held by %s", self->name(),
                 OwnerOf(state) != nullptr ? OwnerOf(state)->name() : "nobody");
  IrqSpinLockGuard guard(waiters_.lock());
  UnlistAsContended(self);
  // 3'. The last waiter timed out and has yet to clear the flag.
  Thread* next = waiters_.FirstLocked();
  if (next == nullptr) {
    state_.Store(0, std::memory_order_release);
    if (inherit_) RestoreAfterUnlockLocked(self);
    return;
  }
  // 3. Hand the mutex to the best waiter: ownership first, then the wake-up.
  next->waiting_for_ = nullptr;
  const bool more = waiters_.SizeLocked() > 1;
  state_.Store(reinterpret_cast<uintptr_t>(next) | (more ? kHasWaiters : 0),
               std::memory_order_release);
  waiters_.WakeOneLocked();
  if (more) {
    ListAsContended(next);
    if (inherit_) Lend(next, waiters_.FirstLocked()->effective_priority());
  }
  // 4. Give back what we borrowed (keeping boosts from other mutexes).
  if (inherit_) RestoreAfterUnlockLocked(self);
}

void Mutex::RestoreAfterUnlockLocked(Thread* self) VOS_NO_THREAD_SAFETY_ANALYSIS {
  const Priority restored = InheritedPriority(self);
  if (restored != self->effective_priority()) Scheduler::SetEffectivePriority(self, restored);
}

}  // namespace vos
