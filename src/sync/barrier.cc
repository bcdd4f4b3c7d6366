#include "src/sync/barrier.h"

#include "src/lib/assert.h"
#include "src/lib/spinlock.h"

namespace vos {

bool Barrier::ArriveAndWait() {
  IrqSpinLockGuard guard(waiters_.lock());
  VOS_ASSERT_MSG(arrived_ < parties_, "more threads at a barrier than its parties");
  if (++arrived_ == parties_) {
    arrived_ = 0;
    ++phase_;
    waiters_.WakeAllLocked();
    return true;
  }
  const uint64_t phase = phase_;
  while (phase_ == phase) {
    const Status woken = waiters_.BlockInterruptiblyLocked();
    if (woken == Status::kInterrupted) return false;
    VOS_ASSERT(woken == Status::kOk);
  }
  return false;
}

}  // namespace vos
