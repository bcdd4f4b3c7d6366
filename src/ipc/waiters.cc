#include "src/ipc/waiters.h"

namespace vos {

void ChannelWaiters::Notify() {
  hal::MemoryBarrier();  // Pairs with the one in Wait (see the header).
  if (waiting_.Load() == 0) return;
  IrqSpinLockGuard guard(queue_.lock());
  queue_.WakeOneLocked();
}

void ChannelWaiters::WakeAll(Status result) {
  IrqSpinLockGuard guard(queue_.lock());
  queue_.WakeAllLocked(result);
}

}  // namespace vos
