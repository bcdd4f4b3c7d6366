// The usable RAM of each NUMA node as one range of direct-map addresses
// (hal::PhysToVirt), for page sources that hand out frames through the
// direct map: a node's RAM is contiguous there, on hardware and in the
// simulator (one host mapping per node) alike.
#ifndef VERIDIAN_SRC_MM_DIRECT_MAP_RANGES_H_
#define VERIDIAN_SRC_MM_DIRECT_MAP_RANGES_H_

#include <cstddef>
#include <span>

#include "src/hal/memory_map.h"
#include "src/mm/page_source.h"

namespace vos {

// Fills `ranges` with the first nodes' ranges (nodes without usable RAM
// have none) and returns how many; the RAM of further nodes is left out.
size_t DirectMapRanges(const hal::MemoryMap& map,
                       std::span<AddressRange, PageSource::kMaxRanges> ranges);

}  // namespace vos

#endif  // VERIDIAN_SRC_MM_DIRECT_MAP_RANGES_H_
