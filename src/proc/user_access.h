// Kernel access to a process's memory: its address space is made the CPU's
// user space for the scope, and preemption is held off so the copy cannot
// migrate to a CPU where another space is active. Interrupts stay as they
// are (enabled: a fault resolver may wait for a TLB shootdown).
#ifndef VERIDIAN_SRC_PROC_USER_ACCESS_H_
#define VERIDIAN_SRC_PROC_USER_ACCESS_H_

#include <cstddef>

#include "src/hal/types.h"
#include "src/hal/user_memory.h"
#include "src/lib/preemption.h"
#include "src/mm/address_space.h"

namespace vos {

class ScopedUserAccess {
 public:
  explicit ScopedUserAccess(AddressSpace& space) { space.Activate(); }
  // No space stays active behind a thread that may block or migrate, so the
  // last thread of a process can destroy its space.
  ~ScopedUserAccess() { AddressSpace::DeactivateCurrent(); }
  ScopedUserAccess(const ScopedUserAccess&) = delete;
  ScopedUserAccess& operator=(const ScopedUserAccess&) = delete;

  [[nodiscard]] bool CopyIn(void* destination, hal::VirtAddr source, size_t size) {
    return hal::CopyFromUser(destination, source, size);
  }
  [[nodiscard]] bool CopyOut(hal::VirtAddr destination, const void* source, size_t size) {
    return hal::CopyToUser(destination, source, size);
  }

 private:
  PreemptionGuard guard_;
};

}  // namespace vos

#endif  // VERIDIAN_SRC_PROC_USER_ACCESS_H_
