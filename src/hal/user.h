// Entry into user mode. The kernel runs a user thread as a call that returns
// at the thread's next trap (the "run until trap" model of a VMM's vCPU loop):
// the thread's kernel stack stays the caller's stack, and the trap is handled
// in ordinary kernel code before the kernel decides whether to resume.
//
// Status: declared for the process issue; no backend defines it yet, so any
// use is a link error rather than a silent stub.
#ifndef VERIDIAN_SRC_HAL_USER_H_
#define VERIDIAN_SRC_HAL_USER_H_

#include "src/hal/trap.h"
#include "src/hal/types.h"

namespace hal {

// Saved user register state: program counter, stack pointer, the syscall
// result register, and a backend-owned area for the rest.
struct UserContext {
  VirtAddr pc;
  VirtAddr sp;
  uint64_t return_value;
  alignas(16) uint8_t arch_state[512];
};

// Runs user code from `context` until it traps; returns the trap with the
// user state saved back into `context`.
Trap RunUser(UserContext* context);

}  // namespace hal

#endif  // VERIDIAN_SRC_HAL_USER_H_
