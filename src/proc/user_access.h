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
#include "src/proc/process.h"

namespace vos {

class ScopedUserAccess {
 public:
  // The calling thread's own memory, from its syscall: the space stays
  // active after the scope, as the trap left it, for the next copy and the
  // return to user mode. The scheduler drops it when the thread switches
  // out (ProcessManager::Init installs the hook), so no space stays active
  // behind a thread that blocks or migrates, and the last thread of a
  // process can destroy its space.
  explicit ScopedUserAccess(UserThread& self) : previous_(nullptr), keep_(true) {
    self.process().space().Activate();
  }
  // Any other space (a child's, while spawning it): the CPU's previous user
  // space comes back at the end of the scope.
  explicit ScopedUserAccess(AddressSpace& space)
      : previous_(AddressSpace::Current()), keep_(false) {
    space.Activate();
  }
  ~ScopedUserAccess() {
    if (keep_) return;
    if (previous_ != nullptr) {
      previous_->Activate();
    } else {
      AddressSpace::DeactivateCurrent();
    }
  }
  ScopedUserAccess(const ScopedUserAccess&) = delete;
  ScopedUserAccess& operator=(const ScopedUserAccess&) = delete;

  [[nodiscard]] bool CopyIn(void* destination, hal::VirtAddr source, size_t size) {
    return hal::CopyFromUser(destination, source, size);
  }
  [[nodiscard]] bool CopyOut(hal::VirtAddr destination, const void* source, size_t size) {
    return hal::CopyToUser(destination, source, size);
  }

 private:
  PreemptionGuard guard_;  // First: taken before the current space is read.
  AddressSpace* previous_;
  bool keep_;
};

}  // namespace vos

#endif  // VERIDIAN_SRC_PROC_USER_ACCESS_H_
