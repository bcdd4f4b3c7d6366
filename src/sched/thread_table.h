// Every thread's storage: a fixed array of slots given at boot, a free list,
// and a generation per slot, so a ThreadId of an exited thread never finds
// the slot's next occupant. O(1) allocation, free and lookup.
#ifndef VERIDIAN_SRC_SCHED_THREAD_TABLE_H_
#define VERIDIAN_SRC_SCHED_THREAD_TABLE_H_

#include <cstddef>
#include <span>

#include "src/lib/spinlock.h"
#include "src/lib/status.h"
#include "src/lib/thread_annotations.h"
#include "src/sched/thread.h"
#include "src/sched/wait_queue.h"

namespace vos {

struct ThreadSlot {
  Thread thread;
  WaitQueue joiners;  // Threads in Join, woken when this one is reaped.
};

class ThreadTable {
 public:
  constexpr ThreadTable() = default;
  ThreadTable(const ThreadTable&) = delete;
  ThreadTable& operator=(const ThreadTable&) = delete;

  // Takes over `slots` (constructing them); forgets any previous storage.
  void Init(std::span<ThreadSlot> slots);

  // A free slot, with a fresh id, in state kFree; kNoMemory when full.
  Result<Thread*> Allocate() VOS_EXCLUDES(lock_);
  // Returns `thread`'s slot to the free list; its id stops working.
  void Free(Thread* thread) VOS_EXCLUDES(lock_);
  // Claims the right to Join `id` (once): the thread, or kNotFound for an id
  // naming no live thread, kInvalidArgument for a detached or already joined
  // one.
  Result<Thread*> ClaimForJoin(ThreadId id) VOS_EXCLUDES(lock_);
  void UnclaimJoin(Thread* thread) VOS_EXCLUDES(lock_);
  // The live thread `id` names, or null. The pointer stays valid only while
  // something keeps the thread alive (it is the caller, or not yet joined).
  Thread* Lookup(ThreadId id) const VOS_EXCLUDES(lock_);

  size_t capacity() const { return slots_.size(); }
  size_t live() const VOS_EXCLUDES(lock_);

 private:
  Thread* SlotLocked(ThreadId id) const VOS_REQUIRES(lock_);

  mutable SpinLock lock_;
  std::span<ThreadSlot> slots_;
  Thread* free_ VOS_GUARDED_BY(lock_) = nullptr;
  size_t live_ VOS_GUARDED_BY(lock_) = 0;
};

}  // namespace vos

#endif  // VERIDIAN_SRC_SCHED_THREAD_TABLE_H_
