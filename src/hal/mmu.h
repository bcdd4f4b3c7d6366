// MMU hooks. Page tables are built by portable code (src/mm) in the format the
// machine reports; the HAL only activates them and invalidates TLB entries.
#ifndef VERIDIAN_SRC_HAL_MMU_H_
#define VERIDIAN_SRC_HAL_MMU_H_

#include <span>

#include "src/hal/types.h"

namespace hal {

enum class PageTableFormat : uint8_t {
  kX86_64,   // 4-level, 48-bit.
  kAarch64,  // 4 KiB granule, 4-level, 48-bit, TTBR0/TTBR1 halves.
  kSv39,
  kSv48,
};

const char* PageTableFormatName(PageTableFormat format);

// The page-table format this machine walks.
PageTableFormat ActivePageTableFormat();

// Makes `root` (physical address of the top-level table) the user address
// space of this CPU, tagged with `asid` where the hardware has tags. Root 0
// means none: the CPU goes back to the kernel's own tables.
void ActivateAddressSpace(PhysAddr root, uint16_t asid);

// A range the kernel runs through (image, stacks, direct map, devices).
struct KernelMapping {
  VirtAddr va;
  PhysAddr pa;
  uint64_t size;  // A multiple of 2 MiB; va and pa are 2 MiB-aligned.
};

// What every root given to ActivateAddressSpace must also map, read, write
// and execute, for the kernel to keep running on it: x86_64 keeps the kernel
// in the same root as user space. Empty where the kernel has its own root
// (AArch64 TTBR1) or does not run through the MMU (the simulator).
std::span<const KernelMapping> KernelMappings();

// Local TLB invalidation on the calling CPU only.
void InvalidateTlbPage(VirtAddr address, uint16_t asid);
void InvalidateTlbAll();

// Kernel access to physical memory through the direct map.
void* PhysToVirt(PhysAddr address);
PhysAddr VirtToPhys(const void* address);

}  // namespace hal

#endif  // VERIDIAN_SRC_HAL_MMU_H_
