#include "src/sched/thread_table.h"

#include <new>

#include "src/lib/assert.h"

namespace vos {

void ThreadTable::Init(std::span<ThreadSlot> slots) VOS_NO_THREAD_SAFETY_ANALYSIS {
  // Boot, before any other CPU runs: no lock needed (nor possible yet).
  slots_ = slots;
  free_ = nullptr;
  live_ = 0;
  for (size_t i = slots.size(); i-- > 0;) {
    ThreadSlot* slot = new (&slots[i]) ThreadSlot();
    Thread& thread = slot->thread;
    thread.generation_ = 1;
    thread.id_ = ThreadId::Make(static_cast<uint32_t>(i), 1);
    thread.joiners_ = &slot->joiners;
    thread.next_free_ = free_;
    free_ = &thread;
  }
}

Result<Thread*> ThreadTable::Allocate() {
  IrqSpinLockGuard guard(lock_);
  Thread* thread = free_;
  if (thread == nullptr) return Status::kNoMemory;
  free_ = thread->next_free_;
  thread->next_free_ = nullptr;
  ++live_;
  return thread;
}

void ThreadTable::Free(Thread* thread) {
  IrqSpinLockGuard guard(lock_);
  VOS_ASSERT_MSG(thread->state() == ThreadState::kExited || thread->state() == ThreadState::kFree,
                 "freeing thread %s in state %s", thread->name(),
                 ThreadStateName(thread->state()));
  // Skip generation 0 on wrap-around: it marks an invalid id.
  if (++thread->generation_ == 0) thread->generation_ = 1;
  thread->id_ = ThreadId::Make(thread->id_.index(), thread->generation_);
  thread->state_.store(ThreadState::kFree, std::memory_order_release);
  thread->next_free_ = free_;
  free_ = thread;
  --live_;
}

Thread* ThreadTable::SlotLocked(ThreadId id) const {
  if (id.index() >= slots_.size()) return nullptr;
  Thread* thread = &slots_[id.index()].thread;
  if (thread->id_ != id || thread->state() == ThreadState::kFree) return nullptr;
  return thread;
}

Result<Thread*> ThreadTable::ClaimForJoin(ThreadId id) {
  IrqSpinLockGuard guard(lock_);
  Thread* thread = SlotLocked(id);
  if (thread == nullptr) return Status::kNotFound;
  if (thread->detached_ || thread->joined_) return Status::kInvalidArgument;
  thread->joined_ = true;
  return thread;
}

void ThreadTable::UnclaimJoin(Thread* thread) {
  IrqSpinLockGuard guard(lock_);
  thread->joined_ = false;
}

Thread* ThreadTable::Lookup(ThreadId id) const {
  IrqSpinLockGuard guard(lock_);
  return SlotLocked(id);
}

size_t ThreadTable::live() const {
  IrqSpinLockGuard guard(lock_);
  return live_;
}

}  // namespace vos
