// A process's shared-memory mappings (shm_map), each holding a reference to
// its object: a small fixed table, so a process cannot pin kernel memory
// without bound, and so the process's teardown can unmap them all (Clear)
// before its address space goes.
//
// Unmapping shoots TLBs down, which must not happen under a spinlock: the
// table's lock only moves mappings in and out, and they are unmapped (their
// destructors run) after it is released.
#ifndef VERIDIAN_SRC_PROC_SHARED_MAPPINGS_H_
#define VERIDIAN_SRC_PROC_SHARED_MAPPINGS_H_

#include <array>
#include <cstddef>

#include "src/abi/syscall.h"
#include "src/hal/types.h"
#include "src/ipc/shared_memory.h"
#include "src/lib/spinlock.h"
#include "src/lib/status.h"
#include "src/lib/thread_annotations.h"

namespace vos {

class SharedMappings {
 public:
  static constexpr size_t kCapacity = abi::kMaxSharedMappings;

  SharedMappings() = default;
  SharedMappings(const SharedMappings&) = delete;
  SharedMappings& operator=(const SharedMappings&) = delete;

  // Whether another mapping fits now (check before mapping, so a full
  // table costs no map and unmap).
  bool full();
  // Keeps `mapping`; kOutOfRange when full (then it is unmapped).
  Status Add(SharedMapping mapping);
  // Unmaps the mapping at `address`; kNotFound when there is none.
  Status Remove(hal::VirtAddr address);
  // Unmaps every mapping.
  void Clear();
  size_t size();

 private:
  SpinLock lock_;
  std::array<SharedMapping, kCapacity> entries_ VOS_GUARDED_BY(lock_);
};

}  // namespace vos

#endif  // VERIDIAN_SRC_PROC_SHARED_MAPPINGS_H_
