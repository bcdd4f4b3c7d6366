// Entry into user mode. The kernel runs a user thread as a call that returns
// at the thread's next trap (the "run until trap" model of a VMM's vCPU loop):
// the thread's kernel stack stays the caller's stack, and the trap is handled
// in ordinary kernel code before the kernel decides whether to resume.
//
// Implemented by the simulator (sim/machine_user.cc: user code runs on its
// own fiber); no bare-metal backend defines these yet, so a use there is a
// link error rather than a silent stub.
#ifndef VERIDIAN_SRC_HAL_USER_H_
#define VERIDIAN_SRC_HAL_USER_H_

#include "src/hal/trap.h"
#include "src/hal/types.h"

namespace hal {

// Message registers: what the register IPC syscalls (abi::Syscall's
// kIpcCallRegs, kIpcReplyWaitRegs) carry in both directions, 64 bytes, so a
// small message never goes through user memory (seL4's message registers).
// The backend saves them on every syscall trap and loads them on return:
//  - x86_64: xmm0..xmm3, two registers each, low quadword first (the kernel
//    is built without SSE, so only the trap path saves and loads them);
//  - AArch64: x9..x16;
//  - RISC-V 64: s2..s9 (the user syscall stub saves the caller's values).
// The simulator keeps them as fields of the context, which user code reads
// and writes through the user runtime (src/abi/user_runtime.h).
inline constexpr uint32_t kMessageRegisters = 8;

// Saved user register state: program counter, stack pointer, the syscall
// result registers, the message registers, and a backend-owned area for the
// rest.
struct UserContext {
  VirtAddr pc;
  VirtAddr sp;
  uint64_t return_value;
  // Second and third result registers (x86_64 rdi, rsi; AArch64 x1, x2;
  // RISC-V a1, a2): set only by syscalls that document them.
  uint64_t extra_results[2];
  uint64_t message[kMessageRegisters];
  alignas(16) uint8_t arch_state[512];
};

// Prepares `context` to start at user code address `entry` with stack
// pointer `stack_top` and two argument registers.
void UserContextInit(UserContext* context, VirtAddr entry, VirtAddr stack_top, uint64_t arg0,
                     uint64_t arg1);

// Gives back what the backend holds for a context that will never run again
// (it may have stopped anywhere: killed threads are not unwound).
void UserContextRelease(UserContext* context);

// Runs user code from `context` until it traps; returns the trap with the
// user state saved back into `context`. Called with interrupts disabled, the
// thread's address space active; user code runs with interrupts enabled, so
// a pending interrupt ends the run with an interrupt trap (kTimer, kIpi,
// kDevice) that the caller hands to kernel::HandleTrap. A kSyscall trap is
// resumed with its result in context->return_value.
Trap RunUser(UserContext* context);

}  // namespace hal

#endif  // VERIDIAN_SRC_HAL_USER_H_
