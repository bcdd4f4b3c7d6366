// Probing accesses: one kernel-privilege load, store or instruction fetch
// through the calling CPU's active address space that may fault, with the
// fault handed back instead of reaching kernel::HandleTrap. For checking the
// MMU against the kernel's own page tables (the "mmu_check" self-test).
//
// Backends:
// - x86_64 runs the access in an assembly stub under a per-CPU fault-recovery
//   record (backends/x86_64/fault_recovery.h): a #PF or #GP taken inside it
//   resumes at the stub's continuation with the fault's details.
// - The simulator translates through the CPU's TLB model and MMU walker and
//   moves the bytes in simulated RAM; a fetch is translated, not executed.
#ifndef VERIDIAN_SRC_HAL_PROBE_H_
#define VERIDIAN_SRC_HAL_PROBE_H_

#include <cstdint>

#include "src/hal/trap.h"
#include "src/hal/types.h"

namespace hal {

enum class ProbeKind : uint8_t {
  kRead,     // Loads 8 bytes.
  kWrite,    // Stores 8 bytes.
  kExecute,  // Calls the address, which must hold ProbeReturnInstruction().
};

struct ProbeResult {
  bool faulted;
  // When faulted: true for a page fault (translation or permission), false
  // for another exception (x86_64 #GP on a non-canonical address).
  bool page_fault;
  // When faulted: the architecture's own report (x86_64: the vector and the
  // error code; AArch64: ESR_EL1.EC and ESR_EL1; RISC-V: scause twice).
  uint32_t vector;
  uint64_t code;
  // When page_fault: the normalised fault, as kernel::HandleTrap would see it.
  PageFaultInfo fault;
  // kRead without a fault: the 8 bytes loaded.
  uint64_t value;
};

// Performs one access of `kind` at `address` (8-byte aligned for loads and
// stores) with kernel privilege; kWrite stores `value`. Interrupts are
// disabled for its duration.
ProbeResult ProbeAccess(VirtAddr address, ProbeKind kind, uint64_t value = 0);

// The machine's "return to caller" instruction, little-endian in the low
// bytes (x86_64 ret = 0xC3). Place it where a kExecute probe lands.
uint32_t ProbeReturnInstruction();

}  // namespace hal

#endif  // VERIDIAN_SRC_HAL_PROBE_H_
