// Threads that contend for a mutex, shared by the tests of waits that end
// without the lock (timeouts, interrupts): a holder at normal priority and
// lockers that lend it their priority while they wait. Inside a run.
#ifndef VERIDIAN_TESTS_SYNC_MUTEX_THREADS_H_
#define VERIDIAN_TESTS_SYNC_MUTEX_THREADS_H_

#include <atomic>

#include "src/hal/time.h"
#include "src/lib/status.h"
#include "src/sched/thread.h"
#include "src/sync/mutex.h"

namespace testing_support {

vos::ThreadOptions WithPriority(vos::Priority priority);

// Holds `mutex` until `release` is set. Outlives its thread.
struct MutexHolder {
  vos::Mutex* mutex = nullptr;
  std::atomic<bool> holds{false};
  std::atomic<bool> release{false};
};
// Starts `holder`'s thread at normal priority 1 and returns once it holds
// the mutex.
vos::Thread* StartHolder(MutexHolder& holder);

// Locks `mutex` with LockUntil (now + `timeout`, or no deadline for
// kNoTimeout) and unlocks it at once if that worked. Outlives its thread.
struct TimedLocker {
  static constexpr hal::Nanoseconds kNoTimeout = 0;
  vos::Mutex* mutex = nullptr;
  hal::Nanoseconds timeout = kNoTimeout;
  vos::Status result = vos::Status::kOk;  // What LockUntil returned.
};
vos::Thread* StartLocker(TimedLocker& locker, vos::Priority priority);

}  // namespace testing_support

#endif  // VERIDIAN_TESTS_SYNC_MUTEX_THREADS_H_
