// MMU hooks. The direct map is, for now, boot.S's identity map of the first
// 4 GiB (kDirectMapLimit): physical address = kernel virtual address.
#include "src/hal/mmu.h"

#include "backends/x86_64/x86.h"

namespace hal {

PageTableFormat ActivePageTableFormat() { return PageTableFormat::kX86_64; }

// PCIDs are not enabled, so `asid` tags nothing: every CR3 write flushes.
void ActivateAddressSpace(PhysAddr root, uint16_t) { x86::WriteCr3(root); }

void InvalidateTlbPage(VirtAddr address, uint16_t) { x86::Invlpg(address); }

// No page is global (CR4.PGE is off), so reloading CR3 flushes everything.
void InvalidateTlbAll() { x86::WriteCr3(x86::ReadCr3()); }

void* PhysToVirt(PhysAddr address) { return reinterpret_cast<void*>(address); }

PhysAddr VirtToPhys(const void* address) { return reinterpret_cast<PhysAddr>(address); }

}  // namespace hal
