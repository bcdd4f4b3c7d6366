// The early (boot-time) physical page allocator: hands out pages from the
// usable regions of the memory map, in order, and never frees. It exists only
// until the frame allocator takes over the rest of memory.
#ifndef VERIDIAN_SRC_MM_BOOT_ALLOCATOR_H_
#define VERIDIAN_SRC_MM_BOOT_ALLOCATOR_H_

#include "src/hal/memory_map.h"
#include "src/lib/status.h"

namespace vos {

class BootAllocator {
 public:
  // Pages below this are left to firmware and legacy devices.
  static constexpr hal::PhysAddr kLowMemoryLimit = 1 << 20;

  // Takes the usable regions of `map` (whole pages above kLowMemoryLimit).
  void Init(const hal::MemoryMap& map);

  // `count` contiguous, zeroed pages; kNoMemory when no region has them.
  Result<hal::PhysAddr> AllocPages(size_t count);

  // Ends the boot allocator when the frame allocator takes over: writes the
  // page ranges never handed out to `out` (room for kMaxRegions) and returns
  // their number; AllocPages fails from then on.
  struct FreeRange {
    hal::PhysAddr begin;
    hal::PhysAddr end;
  };
  size_t HandOver(FreeRange* out);

  uint64_t usable_bytes() const { return usable_bytes_; }
  uint64_t allocated_bytes() const { return allocated_bytes_; }
  size_t region_count() const { return region_count_; }

  static constexpr size_t kMaxRegions = 64;

 private:
  struct Range {
    hal::PhysAddr next;
    hal::PhysAddr end;
  };
  Range ranges_[kMaxRegions] = {};
  size_t region_count_ = 0;
  uint64_t usable_bytes_ = 0;
  uint64_t allocated_bytes_ = 0;
};

}  // namespace vos

#endif  // VERIDIAN_SRC_MM_BOOT_ALLOCATOR_H_
