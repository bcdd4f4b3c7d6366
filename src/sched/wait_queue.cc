#include "src/sched/wait_queue.h"

#include "src/hal/atomic.h"
#include "src/hal/cpu.h"
#include "src/hal/interrupts.h"
#include "src/hal/time.h"
#include "src/lib/assert.h"
#include "src/lib/preemption.h"
#include "src/sched/scheduler.h"

namespace vos {

void WaitQueue::InsertLocked(Thread* thread) {
  // Behind every waiter of the same or higher priority.
  const Priority priority = thread->effective_priority();
  Thread* position = waiters_.front();
  while (position != nullptr && position->effective_priority() >= priority) {
    position = ThreadList::Next(position);
  }
  waiters_.InsertBefore(position, thread);
  ++size_;
}

void WaitQueue::RemoveLocked(Thread* thread) {
  waiters_.Remove(thread);
  --size_;
}

void WaitQueue::RequeueLocked(Thread* thread) {
  VOS_ASSERT(thread->blocked_on_ == this);
  RemoveLocked(thread);
  InsertLocked(thread);
}

Status WaitQueue::BlockLocked(hal::Nanoseconds deadline, ThreadState state, Thread* successor,
                              Interruptible interruptible) VOS_NO_THREAD_SAFETY_ANALYSIS {
  VOS_ASSERT_MSG(!hal::InterruptsEnabled(), "blocking with interrupts enabled");
  // The queue's lock is held, and nothing else: no other spinlock, no
  // PreemptionGuard.
  VOS_ASSERT_MSG(PreemptionDisabledDepth(hal::CurrentCpu()) == 1,
                 "blocking with preemption disabled beyond the wait queue's lock (depth %u)",
                 PreemptionDisabledDepth(hal::CurrentCpu()));
  Thread* self = Scheduler::Current();
  if (deadline != kNoDeadline && deadline <= hal::Now()) {
    if (successor != nullptr) Scheduler::MakeRunnable(successor, /*new_thread=*/false);
    return Status::kTimedOut;
  }
  // 1. Become a waiter, under the lock the waker takes.
  __atomic_store_n(&self->blocked_on_, this, __ATOMIC_RELAXED);
  self->wait_result_ = Status::kOk;
  const bool interruptible_wait = interruptible == Interruptible::kYes;
  // Read without the lock by Interrupt, as blocked_on_ is.
  __atomic_store_n(&self->interruptible_, interruptible_wait, __ATOMIC_RELAXED);
  if (interruptible_wait) {
    // Pairs with the barrier in Interrupt: either it sees blocked_on_ (and
    // takes our lock, so it finds us queued), or we see interrupted_.
    hal::MemoryBarrier();
    if (self->interrupted_.load(std::memory_order_relaxed)) [[unlikely]] {
      __atomic_store_n(&self->blocked_on_, nullptr, __ATOMIC_RELAXED);
      if (successor != nullptr) Scheduler::MakeRunnable(successor, /*new_thread=*/false);
      lock_->Release();
      WaitOutInterrupters(self);
      lock_->Acquire();
      return Status::kInterrupted;
    }
  }
  InsertLocked(self);
  self->state_.store(state, std::memory_order_relaxed);
  ++self->stats_.blocks;
  // 2. Arm the deadline on this CPU; OnTimeout takes the same lock.
  if (deadline != kNoDeadline) {
    self->timeout_.callback = &WaitQueue::OnTimeout;
    self->timeout_.owner = self;
    Scheduler::LocalTimers().Arm(&self->timeout_, deadline);
  }
  // 3. Sleep. A waker may make us runnable as soon as the lock is released;
  // it waits for this CPU to finish switching away (Thread::on_cpu_). A
  // hand-off keeps the lock for the successor, which takes it on waking.
  if (successor != nullptr) {
    Scheduler::HandOff(successor, lock_);
  } else {
    lock_->Release();
    Scheduler::Reschedule();
  }
  // 4. Woken: make sure the timeout cannot fire any more (its callback may
  // be waiting for the lock: cancel without it), and that no Interrupt is
  // about to take the lock (it may be waiting for it too), then report.
  SpinLock* inherited = Scheduler::TakeHandedLock();
  bool settled = true;
  if (interruptible_wait) {
    hal::MemoryBarrier();  // Pairs with Interrupt's, as in WaitOutInterrupters.
    settled = self->interrupters_.Load(std::memory_order_relaxed) == 0;
  }
  if (inherited == lock_ && deadline == kNoDeadline && settled) return self->wait_result_;
  if (inherited != nullptr) inherited->Release();
  if (deadline != kNoDeadline) TimerQueue::Cancel(&self->timeout_);
  if (!settled) WaitOutInterrupters(self);
  lock_->Acquire();
  return self->wait_result_;
}

void WaitQueue::WaitOutInterrupters(Thread* self) {
  // blocked_on_ no longer names the queue (whoever woke us cleared it
  // first): an Interrupt that starts now cannot reach it, and one that
  // read it earlier is counted.
  hal::MemoryBarrier();
  while (self->interrupters_.Load(std::memory_order_acquire) != 0) hal::CpuRelax();
}

void WaitQueue::Interrupt(Thread* thread) VOS_NO_THREAD_SAFETY_ANALYSIS {
  const hal::InterruptState saved = hal::InterruptsSaveAndDisable();
  thread->interrupted_.store(true, std::memory_order_relaxed);
  thread->interrupters_.FetchAdd(1);
  // Pairs with BlockLocked's barriers (see there and WaitOutInterrupters).
  hal::MemoryBarrier();
  WaitQueue* queue = __atomic_load_n(&thread->blocked_on_, __ATOMIC_RELAXED);
  // An uninterruptible wait's queue may be guarded by a lock the caller
  // holds (the process tree lock): never take it.
  if (queue != nullptr && __atomic_load_n(&thread->interruptible_, __ATOMIC_RELAXED)) {
    queue->lock_->Acquire();
    if (thread->blocked_on_ == queue && thread->interruptible_) {
      queue->WakeLocked(thread, Status::kInterrupted);
    }
    queue->lock_->Release();
  }
  thread->interrupters_.FetchSub(1, std::memory_order_release);
  hal::InterruptsRestore(saved);
}

void WaitQueue::TakeLocked(Thread* thread, Status result) {
  RemoveLocked(thread);
  __atomic_store_n(&thread->blocked_on_, nullptr, __ATOMIC_RELAXED);
  thread->wait_result_ = result;
  ++thread->stats_.wakeups;
}

void WaitQueue::WakeLocked(Thread* thread, Status result) {
  TakeLocked(thread, result);
  Scheduler::MakeRunnable(thread, /*new_thread=*/false);
}

Thread* WaitQueue::TakeFirstLocked(Status result) {
  Thread* thread = waiters_.front();
  if (thread != nullptr) TakeLocked(thread, result);
  return thread;
}

bool WaitQueue::WakeOneLocked(Status result) {
  Thread* thread = waiters_.front();
  if (thread == nullptr) return false;
  WakeLocked(thread, result);
  return true;
}

size_t WaitQueue::WakeAllLocked(Status result) {
  size_t woken = 0;
  while (Thread* thread = waiters_.front()) {
    WakeLocked(thread, result);
    ++woken;
  }
  return woken;
}

void WaitQueue::OnTimeout(Timer* timer) VOS_NO_THREAD_SAFETY_ANALYSIS {
  Thread* thread = static_cast<Thread*>(timer->owner);
  // The thread cannot start another wait before this callback returns
  // (its TimerQueue::Cancel waits for it), so blocked_on_ is this wait's
  // queue, or null if a waker came first.
  WaitQueue* queue = __atomic_load_n(&thread->blocked_on_, __ATOMIC_ACQUIRE);
  if (queue == nullptr) return;
  queue->lock_->Acquire();
  if (thread->blocked_on_ == queue) queue->WakeLocked(thread, Status::kTimedOut);
  queue->lock_->Release();
}

}  // namespace vos
