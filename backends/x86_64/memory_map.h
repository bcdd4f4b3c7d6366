// Builds hal::GetMemoryMap() from the Multiboot memory map.
#ifndef VERIDIAN_BACKENDS_X86_64_MEMORY_MAP_H_
#define VERIDIAN_BACKENDS_X86_64_MEMORY_MAP_H_

#include "backends/x86_64/multiboot.h"
#include "src/hal/types.h"

namespace x86 {

// boot.S identity-maps this much, which is also the direct map
// (hal::PhysToVirt); usable RAM above it is reported reserved.
inline constexpr hal::PhysAddr kDirectMapLimit = hal::PhysAddr{4} << 30;

// Takes the firmware's regions as reported, then carves out, as reserved,
// everything no allocator may hand out: the low 1 MiB (page 0, BIOS data,
// EBDA, option ROMs, the AP start-up page), the kernel image, and memory
// beyond the direct map. Returns false when the loader gave no memory map.
bool InitMemoryMap(const multiboot::Info& info);

}  // namespace x86

#endif  // VERIDIAN_BACKENDS_X86_64_MEMORY_MAP_H_
