// Kernel access to user memory: copies between a kernel buffer and the
// calling CPU's active user address space (the one hal::ActivateAddressSpace
// made current).
//
// Every access is checked with user permissions, as AArch64 LDTR/STTR do: a
// page the user could not read (or write) faults even though the kernel runs
// privileged. On a fault the kernel's page-fault resolver gets the hardware's
// hal::PageFaultInfo (user = true) and may fix the mapping (demand paging,
// copy-on-write); the access is then retried. If the resolver cannot fix it,
// the copy stops and returns false; bytes before the faulting page may
// already have been copied.
//
// Backends:
// - The simulator translates page by page through the CPU's TLB model and the
//   MMU walker; its resolver is sim::MachineConfig::page_fault_handler.
// - Hardware backends will implement these as copy loops whose faulting
//   instructions are listed in an exception-fixup table: the page-fault trap
//   handler calls the same resolver, returns to the faulting instruction on
//   success, or to the loop's fixup path (which returns false) otherwise.
//   None defines them yet, so nothing in src/ may call them until then: a use
//   is a link error on bare metal, not a silent stub.
#ifndef VERIDIAN_SRC_HAL_USER_MEMORY_H_
#define VERIDIAN_SRC_HAL_USER_MEMORY_H_

#include <cstddef>

#include "src/hal/types.h"

namespace hal {

// Copies `size` bytes from user address `source` into `destination`.
[[nodiscard]] bool CopyFromUser(void* destination, VirtAddr source, size_t size);

// As CopyFromUser, but a page that would fault stops the copy (false)
// without calling the resolver: for a copy under a spinlock, whose caller
// falls back to CopyFromUser outside it. Hardware backends: the same copy
// loop with a fixup path taken before the resolver.
[[nodiscard]] bool CopyFromUserNoFault(void* destination, VirtAddr source, size_t size);

// Copies `size` bytes from `source` to user address `destination`.
[[nodiscard]] bool CopyToUser(VirtAddr destination, const void* source, size_t size);

}  // namespace hal

#endif  // VERIDIAN_SRC_HAL_USER_MEMORY_H_
