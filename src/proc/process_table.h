// Every process's storage: a fixed array of slots given at boot, a free list
// and a generation per slot, so a stale ProcessId never finds the slot's
// next occupant. O(1) allocation, free and lookup; guarded by the process
// tree lock.
#ifndef VERIDIAN_SRC_PROC_PROCESS_TABLE_H_
#define VERIDIAN_SRC_PROC_PROCESS_TABLE_H_

#include <cstddef>
#include <span>

#include "src/lib/spinlock.h"
#include "src/lib/status.h"
#include "src/lib/thread_annotations.h"
#include "src/proc/process.h"

namespace vos {

// Guards the process table, every process's tree fields and the process
// wait queues. Taken with interrupts disabled; before any wait queue's own
// lock and any scheduler lock.
SpinLock& ProcessTreeLock();

class ProcessTable {
 public:
  constexpr ProcessTable() = default;
  ProcessTable(const ProcessTable&) = delete;
  ProcessTable& operator=(const ProcessTable&) = delete;

  // Takes over `slots` (already constructed); forgets any previous storage.
  void Init(std::span<Process> slots);

  // A free slot with a fresh id, in state kFree; kNoMemory when full.
  Result<Process*> AllocateLocked() VOS_REQUIRES(ProcessTreeLock());
  void FreeLocked(Process* process) VOS_REQUIRES(ProcessTreeLock());
  // The process `id` names (live or zombie), or null.
  Process* LookupLocked(ProcessId id) const VOS_REQUIRES(ProcessTreeLock());

  size_t capacity() const { return slots_.size(); }
  size_t LiveLocked() const VOS_REQUIRES(ProcessTreeLock()) { return live_; }

 private:
  std::span<Process> slots_;
  Process* free_ = nullptr;
  size_t live_ = 0;
};

}  // namespace vos

#endif  // VERIDIAN_SRC_PROC_PROCESS_TABLE_H_
