// Trap entry into the kernel. Every backend funnels timer, IPI, device,
// page-fault, syscall and exception entries into one kernel function,
// kernel::HandleTrap, called with interrupts disabled on the trapping CPU.
#ifndef VERIDIAN_SRC_HAL_TRAP_H_
#define VERIDIAN_SRC_HAL_TRAP_H_

#include "src/hal/types.h"

namespace hal {

enum class TrapKind : uint8_t {
  kTimer,      // The per-CPU one-shot timer reached its deadline.
  kIpi,        // An inter-processor interrupt.
  kDevice,     // A device interrupt; `vector` says which.
  kPageFault,  // `fault` is valid.
  kSyscall,    // `syscall` is valid.
  kException,  // Any other synchronous exception; `vector` is the arch code.
};

// Hardware error information of a page fault, normalised across formats.
struct PageFaultInfo {
  VirtAddr address;
  bool present;  // The translation existed: a protection fault.
  bool write;
  bool fetch;    // Instruction fetch.
  bool user;     // Raised by an access at user privilege.
};

// Syscall number and arguments as the ABI passes them in registers.
struct SyscallArgs {
  uint64_t number;
  uint64_t args[6];
};

struct Trap {
  TrapKind kind;
  uint32_t vector;  // Architecture-specific code (IDT vector, ESR.EC, scause).
  bool from_user;
  VirtAddr pc;
  union {
    PageFaultInfo fault;
    SyscallArgs syscall;
  };
};

const char* TrapKindName(TrapKind kind);

}  // namespace hal

namespace kernel {
// Defined by the kernel; the HAL calls it for every trap. A syscall's result
// is written back by the caller through the UserContext (see user.h).
void HandleTrap(hal::Trap& trap);
}  // namespace kernel

#endif  // VERIDIAN_SRC_HAL_TRAP_H_
