// A counting semaphore. Release hands a unit straight to the first waiter
// (highest priority, then FIFO), so waiters are served in order and a
// thread arriving later cannot take the unit meant for one already asleep.
#ifndef VERIDIAN_SRC_SYNC_SEMAPHORE_H_
#define VERIDIAN_SRC_SYNC_SEMAPHORE_H_

#include <cstdint>

#include "src/hal/types.h"
#include "src/lib/status.h"
#include "src/lib/thread_annotations.h"
#include "src/sched/timer_queue.h"
#include "src/sched/wait_queue.h"

namespace vos {

class Semaphore {
 public:
  explicit Semaphore(uint64_t initial) : count_(initial) {}
  Semaphore(const Semaphore&) = delete;
  Semaphore& operator=(const Semaphore&) = delete;

  // Takes a unit, sleeping until one is released or `deadline` (kTimedOut),
  // or until the thread is interrupted (kInterrupted: no unit taken).
  Status Acquire(hal::Nanoseconds deadline = kNoDeadline);
  [[nodiscard]] bool TryAcquire();
  void Release(uint64_t units = 1);

  uint64_t count() const;

 private:
  mutable WaitQueue waiters_;
  uint64_t count_ VOS_GUARDED_BY(waiters_.lock());
};

}  // namespace vos

#endif  // VERIDIAN_SRC_SYNC_SEMAPHORE_H_
