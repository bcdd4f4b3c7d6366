// MMU hooks. The direct map is, for now, boot.S's identity map of the first
// 4 GiB (kDirectMapLimit): physical address = kernel virtual address.
#include "src/hal/mmu.h"

#include <cstdint>

#include "backends/x86_64/memory_map.h"
#include "backends/x86_64/x86.h"

// boot.S: the kernel's own tables (the identity map), on every CPU at start.
extern "C" const uint8_t x86_boot_pml4[];

namespace hal {

PageTableFormat ActivePageTableFormat() { return PageTableFormat::kX86_64; }

// PCIDs are not enabled, so `asid` tags nothing: every CR3 write flushes.
void ActivateAddressSpace(PhysAddr root, uint16_t) {
  x86::WriteCr3(root != 0 ? root : VirtToPhys(x86_boot_pml4));
}

// The kernel image, stacks, LAPIC and every table live in the identity map.
std::span<const KernelMapping> KernelMappings() {
  static constexpr KernelMapping kIdentityMap[] = {{0, 0, x86::kDirectMapLimit}};
  return kIdentityMap;
}

void InvalidateTlbPage(VirtAddr address, uint16_t) { x86::Invlpg(address); }

// No page is global (CR4.PGE is off), so reloading CR3 flushes everything.
void InvalidateTlbAll() { x86::WriteCr3(x86::ReadCr3()); }

void* PhysToVirt(PhysAddr address) { return reinterpret_cast<void*>(address); }

PhysAddr VirtToPhys(const void* address) { return reinterpret_cast<PhysAddr>(address); }

}  // namespace hal
