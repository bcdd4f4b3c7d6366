// Recovering from faults the kernel expects: code that may fault on purpose
// (hal::ProbeAccess, later the user-memory copies) arms a per-CPU record; a
// #PF or #GP taken while it is armed never reaches kernel::HandleTrap. The
// trap path writes the fault into the record, disarms it and resumes at the
// record's continuation, on the stack pointer saved with it.
#ifndef VERIDIAN_BACKENDS_X86_64_FAULT_RECOVERY_H_
#define VERIDIAN_BACKENDS_X86_64_FAULT_RECOVERY_H_

#include <cstddef>
#include <cstdint>

#include "backends/x86_64/interrupt.h"

namespace x86 {

struct FaultRecovery {
  // Set by the code that may fault (assembly: keep the offsets below).
  uint64_t resume_rip;
  uint64_t resume_rsp;
  // Set by the trap path when it resumed there.
  uint64_t vector;
  uint64_t error_code;
  uint64_t cr2;
};
// probe.S addresses the first two fields by these offsets.
static_assert(offsetof(FaultRecovery, resume_rip) == 0);
static_assert(offsetof(FaultRecovery, resume_rsp) == 8);

// Arms `recovery` on the calling CPU. The caller keeps interrupts disabled
// until DisarmFaultRecovery, so no interrupt handler's fault is taken for it.
void ArmFaultRecovery(FaultRecovery* recovery);
void DisarmFaultRecovery();

// Called by the trap path for every exception: true when an armed record
// took it (the frame now resumes at the continuation).
bool RecoverFromFault(TrapFrame& frame);

}  // namespace x86

#endif  // VERIDIAN_BACKENDS_X86_64_FAULT_RECOVERY_H_
