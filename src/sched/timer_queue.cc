#include "src/sched/timer_queue.h"

#include "src/hal/cpu.h"
#include "src/lib/assert.h"

namespace vos {

void TimerQueue::Arm(Timer* timer, hal::Nanoseconds deadline) {
  SpinLockGuard guard(lock_);
  VOS_ASSERT_MSG(timer->queue == nullptr, "timer armed twice");
  timer->deadline = deadline;
  timer->queue = this;
  timer->running = false;
  // Scan from the tail: most timeouts are later than those already queued.
  // Equal deadlines keep arming order.
  Timer* after = tail_;
  while (after != nullptr && after->deadline > deadline) after = after->prev;
  timer->prev = after;
  timer->next = after != nullptr ? after->next : head_;
  if (timer->next != nullptr) {
    timer->next->prev = timer;
  } else {
    tail_ = timer;
  }
  if (after != nullptr) {
    after->next = timer;
  } else {
    head_ = timer;
  }
  UpdateNextDeadlineLocked();
}

void TimerQueue::UnlinkLocked(Timer* timer) {
  if (timer->prev != nullptr) {
    timer->prev->next = timer->next;
  } else {
    head_ = timer->next;
  }
  if (timer->next != nullptr) {
    timer->next->prev = timer->prev;
  } else {
    tail_ = timer->prev;
  }
  timer->next = nullptr;
  timer->prev = nullptr;
  UpdateNextDeadlineLocked();
}

bool TimerQueue::Cancel(Timer* timer) {
  for (;;) {
    // `queue` only changes under the lock of the queue it names, so read it,
    // lock that queue, and check it still names it.
    TimerQueue* queue = __atomic_load_n(&timer->queue, __ATOMIC_ACQUIRE);
    if (queue == nullptr) return false;
    queue->lock_.Acquire();
    if (timer->queue != queue) {
      queue->lock_.Release();
      continue;
    }
    if (!timer->running) {
      queue->UnlinkLocked(timer);
      __atomic_store_n(&timer->queue, nullptr, __ATOMIC_RELEASE);
      queue->lock_.Release();
      return true;
    }
    // Its callback runs on the queue's CPU right now: wait for it to finish.
    queue->lock_.Release();
    hal::CpuRelax();
  }
}

void TimerQueue::RunExpired(hal::Nanoseconds now) {
  for (;;) {
    Timer* timer;
    {
      SpinLockGuard guard(lock_);
      timer = head_;
      if (timer == nullptr || timer->deadline > now) return;
      UnlinkLocked(timer);
      timer->running = true;
    }
    timer->callback(timer);
    SpinLockGuard guard(lock_);
    timer->running = false;
    __atomic_store_n(&timer->queue, nullptr, __ATOMIC_RELEASE);
  }
}

}  // namespace vos
