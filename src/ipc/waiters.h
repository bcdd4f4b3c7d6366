// The sleepers on one side of a lock-free channel (its receivers, or its
// senders), and the lost-wake-up protocol between them and the other side.
//
// A sleeper counts itself in `waiting_`, then re-checks its condition; the
// other side changes the condition, then reads `waiting_`. A full barrier
// on each side between the write and the read means at least one of them
// sees the other's write (store-buffering order), so either the sleeper does
// not sleep or the notifier takes the lock and wakes it. Notify costs one
// load when nobody sleeps, which keeps the ring's fast path lock-free.
#ifndef VERIDIAN_SRC_IPC_WAITERS_H_
#define VERIDIAN_SRC_IPC_WAITERS_H_

#include <cstdint>

#include "src/hal/atomic.h"
#include "src/hal/types.h"
#include "src/lib/spinlock.h"
#include "src/lib/status.h"
#include "src/sched/timer_queue.h"
#include "src/sched/wait_queue.h"

namespace vos {

class ChannelWaiters {
 public:
  ChannelWaiters() = default;
  ChannelWaiters(const ChannelWaiters&) = delete;
  ChannelWaiters& operator=(const ChannelWaiters&) = delete;

  // Sleeps until Notify, WakeAll or `deadline` (kTimedOut) unless `ready()`
  // holds once this thread is counted; returns the waker's status. kOk says
  // "try again", not that the condition still holds: another thread may
  // have got there first. kInterrupted: the thread's process is dying
  // (WaitQueue::Interrupt).
  template <typename Ready>
  Status Wait(hal::Nanoseconds deadline, Ready ready) {
    IrqSpinLockGuard guard(queue_.lock());
    waiting_.FetchAdd(1);
    hal::MemoryBarrier();
    const Status status = ready() ? Status::kOk : queue_.BlockInterruptiblyLocked(deadline);
    waiting_.FetchSub(1);
    return status;
  }

  // Wakes one sleeper, if any; call after changing the condition.
  void Notify();
  // Wakes every sleeper with `result`, for a change that ends all waits
  // (the channel closing). Takes the lock even when nobody is counted.
  void WakeAll(Status result);

  // Sleepers counted now (for tests and statistics).
  uint32_t WaitingApprox() const { return waiting_.Load(std::memory_order_relaxed); }

 private:
  WaitQueue queue_;
  hal::Atomic<uint32_t> waiting_{0};
};

}  // namespace vos

#endif  // VERIDIAN_SRC_IPC_WAITERS_H_
