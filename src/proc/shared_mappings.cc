#include "src/proc/shared_mappings.h"

#include <utility>

namespace vos {

bool SharedMappings::full() { return size() == kCapacity; }

size_t SharedMappings::size() {
  SpinLockGuard guard(lock_);
  size_t used = 0;
  for (const SharedMapping& entry : entries_) used += entry.mapped() ? 1 : 0;
  return used;
}

Status SharedMappings::Add(SharedMapping mapping) {
  {
    SpinLockGuard guard(lock_);
    for (SharedMapping& entry : entries_) {
      if (!entry.mapped()) {
        entry = std::move(mapping);
        return Status::kOk;
      }
    }
  }
  return Status::kOutOfRange;  // `mapping` unmaps as it goes, unlocked.
}

Status SharedMappings::Remove(hal::VirtAddr address) {
  SharedMapping removed;
  {
    SpinLockGuard guard(lock_);
    for (SharedMapping& entry : entries_) {
      if (entry.mapped() && entry.address() == address) {
        removed = std::move(entry);
        break;
      }
    }
  }
  if (!removed.mapped()) return Status::kNotFound;
  removed.Unmap();
  return Status::kOk;
}

void SharedMappings::Clear() {
  for (;;) {
    SharedMapping removed;
    {
      SpinLockGuard guard(lock_);
      for (SharedMapping& entry : entries_) {
        if (entry.mapped()) {
          removed = std::move(entry);
          break;
        }
      }
    }
    if (!removed.mapped()) return;
    removed.Unmap();
  }
}

}  // namespace vos
