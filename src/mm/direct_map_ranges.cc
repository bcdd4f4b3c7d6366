#include "src/mm/direct_map_ranges.h"

#include "src/hal/mmu.h"

namespace vos {

size_t DirectMapRanges(const hal::MemoryMap& map,
                       std::span<AddressRange, PageSource::kMaxRanges> ranges) {
  size_t count = 0;
  for (uint32_t node = 0; node < map.numa_node_count && count < ranges.size(); ++node) {
    hal::PhysAddr low = ~hal::PhysAddr{0};
    hal::PhysAddr high = 0;
    for (size_t i = 0; i < map.count; ++i) {
      const hal::MemoryRegion& region = map.regions[i];
      if (region.type != hal::MemoryType::kUsable || region.numa_node != node) continue;
      if (region.size == 0) continue;
      if (region.base < low) low = region.base;
      if (region.base + region.size > high) high = region.base + region.size;
    }
    if (high == 0) continue;
    // The last byte, not the end: the end may lie outside RAM.
    ranges[count++] = AddressRange{
        .base = reinterpret_cast<uintptr_t>(hal::PhysToVirt(low)),
        .end = reinterpret_cast<uintptr_t>(hal::PhysToVirt(high - 1)) + 1,
    };
  }
  return count;
}

}  // namespace vos
