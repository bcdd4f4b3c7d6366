#include "src/sync/condition_variable.h"

#include "src/lib/spinlock.h"

namespace vos {

Status ConditionVariable::Wait(Mutex& mutex, hal::Nanoseconds deadline) {
  Status status;
  {
    // Queue lock first: a signaller between Unlock and the sleep must
    // take it, and so finds us queued.
    IrqSpinLockGuard guard(waiters_.lock());
    mutex.Unlock();
    status = waiters_.BlockLocked(deadline);
  }
  mutex.Lock();
  return status;
}

void ConditionVariable::Signal() {
  IrqSpinLockGuard guard(waiters_.lock());
  waiters_.WakeOneLocked();
}

void ConditionVariable::Broadcast() {
  IrqSpinLockGuard guard(waiters_.lock());
  waiters_.WakeAllLocked();
}

}  // namespace vos
