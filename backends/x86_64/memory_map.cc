#include "backends/x86_64/memory_map.h"

#include "backends/x86_64/console.h"
#include "src/hal/memory_map.h"

// From kernel.ld.
extern "C" char __kernel_start[];
extern "C" char __kernel_end[];

namespace x86 {
namespace {

constexpr size_t kMaxRegions = 128;
constexpr hal::PhysAddr kLowMemoryEnd = 1 << 20;
constexpr uint8_t kNumaDistance[1] = {10};

hal::MemoryRegion regions[kMaxRegions];
size_t region_count = 0;
hal::MemoryMap memory_map;

hal::MemoryType TypeFromMultiboot(uint32_t type) {
  switch (type) {
    case multiboot::kMemoryAvailable: return hal::MemoryType::kUsable;
    case multiboot::kMemoryAcpiReclaimable: return hal::MemoryType::kAcpiReclaim;
    case multiboot::kMemoryNvs: return hal::MemoryType::kAcpiNvs;
    case multiboot::kMemoryBad: return hal::MemoryType::kBad;
    default: return hal::MemoryType::kReserved;
  }
}

void Add(hal::PhysAddr base, hal::PhysAddr end, hal::MemoryType type) {
  if (base >= end) return;
  if (region_count == kMaxRegions) {
    // Dropping a region only ever hides memory, never exposes reserved memory.
    Print("x86_64: memory map full, dropping a region at ");
    PrintHex(base);
    Print("\n");
    return;
  }
  regions[region_count++] = {.base = base, .size = end - base, .type = type, .numa_node = 0};
}

// Removes [base, end) from every usable region; the removed parts become
// kReserved regions when `report` (they are not in the firmware's map yet).
void Carve(hal::PhysAddr base, hal::PhysAddr end, bool report) {
  const size_t count = region_count;  // Pieces added below need no carving.
  for (size_t i = 0; i < count; ++i) {
    hal::MemoryRegion& region = regions[i];
    if (region.type != hal::MemoryType::kUsable) continue;
    const hal::PhysAddr region_end = region.base + region.size;
    const hal::PhysAddr low = base > region.base ? base : region.base;
    const hal::PhysAddr high = end < region_end ? end : region_end;
    if (low >= high) continue;
    region.size = low - region.base;  // May become empty; dropped by Tidy.
    Add(high, region_end, hal::MemoryType::kUsable);
    if (report) Add(low, high, hal::MemoryType::kReserved);
  }
}

// Drops empty regions, sorts by base and merges touching regions of a type.
void Tidy() {
  size_t kept = 0;
  for (size_t i = 0; i < region_count; ++i) {
    if (regions[i].size != 0) regions[kept++] = regions[i];
  }
  region_count = kept;
  for (size_t i = 1; i < region_count; ++i) {
    const hal::MemoryRegion region = regions[i];
    size_t j = i;
    for (; j > 0 && regions[j - 1].base > region.base; --j) regions[j] = regions[j - 1];
    regions[j] = region;
  }
  kept = 0;
  for (size_t i = 0; i < region_count; ++i) {
    if (kept > 0) {
      hal::MemoryRegion& last = regions[kept - 1];
      if (last.type == regions[i].type && last.base + last.size == regions[i].base) {
        last.size += regions[i].size;
        continue;
      }
    }
    regions[kept++] = regions[i];
  }
  region_count = kept;
}

hal::PhysAddr PageDown(hal::PhysAddr address) { return address & ~(hal::kPageSize - 1); }
hal::PhysAddr PageUp(hal::PhysAddr address) { return PageDown(address + hal::kPageSize - 1); }

}  // namespace

bool InitMemoryMap(const multiboot::Info& info) {
  if ((info.flags & multiboot::kInfoMemoryMap) == 0) return false;
  const uint64_t first = info.memory_map_address;
  const uint64_t last = first + info.memory_map_length;
  for (uint64_t at = first; at < last;) {
    const auto* entry = reinterpret_cast<const multiboot::MemoryMapEntry*>(at);
    Add(entry->base, entry->base + entry->length, TypeFromMultiboot(entry->type));
    at += entry->size + sizeof(entry->size);
  }
  // Where the firmware's entries overlap, the reservation wins.
  const size_t firmware_regions = region_count;
  for (size_t i = 0; i < firmware_regions; ++i) {
    if (regions[i].type != hal::MemoryType::kUsable) {
      Carve(regions[i].base, regions[i].base + regions[i].size, /*report=*/false);
    }
  }
  Carve(0, kLowMemoryEnd, /*report=*/true);
  Carve(PageDown(reinterpret_cast<hal::PhysAddr>(__kernel_start)),
        PageUp(reinterpret_cast<hal::PhysAddr>(__kernel_end)), /*report=*/true);
  Carve(kDirectMapLimit, ~hal::PhysAddr{0}, /*report=*/true);
  Tidy();
  memory_map = {
      .regions = regions,
      .count = region_count,
      .numa_node_count = 1,
      .numa_distance = kNumaDistance,
  };
  return true;
}

}  // namespace x86

namespace hal {

const MemoryMap& GetMemoryMap() { return x86::memory_map; }

}  // namespace hal
