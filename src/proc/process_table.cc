#include "src/proc/process_table.h"

#include "src/lib/assert.h"

namespace vos {

SpinLock& ProcessTreeLock() {
  static SpinLock lock;
  return lock;
}

void ProcessTable::Init(std::span<Process> slots) {
  slots_ = slots;
  free_ = nullptr;
  live_ = 0;
  // Slot 0 first: init gets the first id (abi::kInitPid).
  for (size_t i = slots.size(); i-- > 0;) {
    Process& slot = slots[i];
    slot.state_ = ProcessState::kFree;
    slot.generation_ = 0;
    slot.id_ = ProcessId{};
    slot.next_free_ = free_;
    free_ = &slot;
  }
}

Result<Process*> ProcessTable::AllocateLocked() {
  Process* process = free_;
  if (process == nullptr) return Status::kNoMemory;
  free_ = process->next_free_;
  process->next_free_ = nullptr;
  // Generation 0 is never used, also after wrapping.
  if (++process->generation_ == 0) process->generation_ = 1;
  process->id_ = ProcessId::Make(static_cast<uint32_t>(process - slots_.data()),
                                 process->generation_);
  ++live_;
  return process;
}

void ProcessTable::FreeLocked(Process* process) {
  VOS_ASSERT_MSG(process->state_ == ProcessState::kZombie || process->state_ == ProcessState::kFree,
                 "freeing process %lu in state %u", process->id_.value,
                 static_cast<unsigned>(process->state_));
  process->state_ = ProcessState::kFree;
  process->id_ = ProcessId{};
  process->next_free_ = free_;
  free_ = process;
  --live_;
}

Process* ProcessTable::LookupLocked(ProcessId id) const {
  if (!id.valid() || id.index() >= slots_.size()) return nullptr;
  Process* process = const_cast<Process*>(&slots_[id.index()]);
  if (process->state_ == ProcessState::kFree || process->id_ != id) return nullptr;
  return process;
}

}  // namespace vos
