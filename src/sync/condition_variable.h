// A condition variable for vos::Mutex. Wait releases the mutex and sleeps
// atomically (a Signal after the release cannot be missed), and holds the
// mutex again on return. Wake-ups may be spurious only through timeouts:
// callers re-check their condition in a loop, as always.
#ifndef VERIDIAN_SRC_SYNC_CONDITION_VARIABLE_H_
#define VERIDIAN_SRC_SYNC_CONDITION_VARIABLE_H_

#include "src/hal/types.h"
#include "src/lib/status.h"
#include "src/sched/timer_queue.h"
#include "src/sched/wait_queue.h"
#include "src/sync/mutex.h"

namespace vos {

class ConditionVariable {
 public:
  ConditionVariable() = default;
  ConditionVariable(const ConditionVariable&) = delete;
  ConditionVariable& operator=(const ConditionVariable&) = delete;

  // kOk when signalled, kTimedOut at `deadline`; `mutex` is held either way.
  Status Wait(Mutex& mutex, hal::Nanoseconds deadline = kNoDeadline) VOS_REQUIRES(mutex);
  void Signal();
  void Broadcast();

 private:
  WaitQueue waiters_;
};

}  // namespace vos

#endif  // VERIDIAN_SRC_SYNC_CONDITION_VARIABLE_H_
