// A CPU's pending timeouts, in deadline order (ties in arming order), so
// they fire in simulated-time order. The scheduler keeps one per CPU and
// programs the CPU's one-shot timer for the earliest deadline.
#ifndef VERIDIAN_SRC_SCHED_TIMER_QUEUE_H_
#define VERIDIAN_SRC_SCHED_TIMER_QUEUE_H_

#include <atomic>
#include <cstdint>

#include "src/hal/types.h"
#include "src/lib/spinlock.h"
#include "src/lib/thread_annotations.h"

namespace vos {

class TimerQueue;

inline constexpr hal::Nanoseconds kNoDeadline = ~hal::Nanoseconds{0};

// One pending timeout, embedded in whatever it belongs to (a thread's wait).
struct Timer {
  using Callback = void (*)(Timer* timer);
  hal::Nanoseconds deadline = kNoDeadline;
  Callback callback = nullptr;
  void* owner = nullptr;  // For the callback.
  // The queue it is armed on, or that is running its callback; else null.
  TimerQueue* queue = nullptr;
  bool running = false;  // The callback is executing (guarded by queue->lock_).
  Timer* next = nullptr;
  Timer* prev = nullptr;
};

class TimerQueue {
 public:
  constexpr TimerQueue() = default;
  TimerQueue(const TimerQueue&) = delete;
  TimerQueue& operator=(const TimerQueue&) = delete;

  // Queues `timer` (not armed anywhere) to call its callback at `deadline`.
  // Interrupts must be disabled.
  void Arm(Timer* timer, hal::Nanoseconds deadline) VOS_EXCLUDES(lock_);

  // Makes sure the callback of a timer armed with Arm has run or never will:
  // dequeues it, or waits until its running callback returns. Returns true
  // when it dequeued it (the callback will never run). Interrupts disabled;
  // never from inside the timer's own callback.
  static bool Cancel(Timer* timer);

  // Runs the callbacks of every timer due at `now`, earliest first, with no
  // lock held. Called from the timer trap on the queue's CPU.
  void RunExpired(hal::Nanoseconds now) VOS_EXCLUDES(lock_);

  // The earliest deadline, kNoDeadline if none. Lock-free: it is read on
  // every context switch.
  hal::Nanoseconds NextDeadline() const {
    return next_deadline_.load(std::memory_order_acquire);
  }

 private:
  mutable SpinLock lock_;
  Timer* head_ VOS_GUARDED_BY(lock_) = nullptr;
  Timer* tail_ VOS_GUARDED_BY(lock_) = nullptr;

  void UnlinkLocked(Timer* timer) VOS_REQUIRES(lock_);
  void UpdateNextDeadlineLocked() VOS_REQUIRES(lock_) {
    next_deadline_.store(head_ != nullptr ? head_->deadline : kNoDeadline,
                         std::memory_order_release);
  }

  // head_'s deadline, published for NextDeadline.
  std::atomic<hal::Nanoseconds> next_deadline_{kNoDeadline};
};

}  // namespace vos

#endif  // VERIDIAN_SRC_SCHED_TIMER_QUEUE_H_
