#include "src/sync/semaphore.h"

#include "src/lib/spinlock.h"

namespace vos {

Status Semaphore::Acquire(hal::Nanoseconds deadline) {
  IrqSpinLockGuard guard(waiters_.lock());
  if (count_ > 0) {
    --count_;
    return Status::kOk;
  }
  // kOk means Release handed us a unit; the count never saw it.
  return waiters_.BlockInterruptiblyLocked(deadline);
}

bool Semaphore::TryAcquire() {
  IrqSpinLockGuard guard(waiters_.lock());
  if (count_ == 0) return false;
  --count_;
  return true;
}

void Semaphore::Release(uint64_t units) {
  IrqSpinLockGuard guard(waiters_.lock());
  while (units > 0 && waiters_.WakeOneLocked()) --units;
  count_ += units;
}

uint64_t Semaphore::count() const {
  IrqSpinLockGuard guard(waiters_.lock());
  return count_;
}

}  // namespace vos
