// Physical memory discovery: the memory map the firmware or bootloader gave
// (E820/Multiboot, device tree, or the simulator's regions), with NUMA nodes.
#ifndef VERIDIAN_SRC_HAL_MEMORY_MAP_H_
#define VERIDIAN_SRC_HAL_MEMORY_MAP_H_

#include "src/hal/types.h"

namespace hal {

enum class MemoryType : uint8_t {
  kUsable,
  kReserved,     // Firmware, MMIO holes, the kernel image: never handed out.
  kAcpiReclaim,  // ACPI tables: never handed out before they are parsed.
  kAcpiNvs,
  kBad,
};

struct MemoryRegion {
  PhysAddr base;
  uint64_t size;
  MemoryType type;
  uint8_t numa_node;
};

struct MemoryMap {
  const MemoryRegion* regions;
  size_t count;
  uint32_t numa_node_count;
  // distance[a * numa_node_count + b], ACPI SLIT style (10 = local).
  const uint8_t* numa_distance;
};

const MemoryMap& GetMemoryMap();
const char* MemoryTypeName(MemoryType type);

}  // namespace hal

#endif  // VERIDIAN_SRC_HAL_MEMORY_MAP_H_
