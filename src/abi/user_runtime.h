// What a user program may do besides syscalls: the user-side runtime, one
// implementation per backend (the simulator's is sim/user_runtime.cc). User
// programs include this and src/abi/user_syscalls.h, nothing of the kernel.
#ifndef VERIDIAN_SRC_ABI_USER_RUNTIME_H_
#define VERIDIAN_SRC_ABI_USER_RUNTIME_H_

#include <cstddef>
#include <cstdint>

#include "src/abi/syscall.h"

namespace vos::user {

// A user entry point: a program's (args address, args length) or a thread's
// (arg, 0). It must not return: end it with Exit or ThreadExit (the
// ProgramEntry / ThreadEntry templates in user_syscalls.h do).
using Entry = void (*)(uint64_t arg0, uint64_t arg1);

// Traps into the kernel with `number` and six arguments; returns the result
// register (>= 0 success, < 0 a vos::Status).
int64_t Syscall(abi::Syscall number, uint64_t a0 = 0, uint64_t a1 = 0, uint64_t a2 = 0,
                uint64_t a3 = 0, uint64_t a4 = 0, uint64_t a5 = 0);

// Loads and stores of the program's own memory, through the MMU at user
// privilege. A fault the kernel resolves (demand paging, copy-on-write) is
// retried; one it cannot resolve ends the process, so these only return
// after the whole access succeeded.
void Load(uint64_t address, void* destination, size_t size);
void Store(uint64_t address, const void* source, size_t size);

// The calling thread's message registers (abi::kMessageRegisters words,
// abi::kMaxRegisterIpc bytes), which the register IPC syscalls send from and
// receive into; bytes beyond kMaxRegisterIpc are ignored. Writing them does
// not touch memory: on hardware they are registers, in the simulator fields
// of the thread's saved user context.
void WriteMessageRegisters(const void* source, size_t size);
void ReadMessageRegisters(void* destination, size_t size);
// The second and third result registers of the last syscall, for the
// syscalls that set them.
struct ExtraResults {
  uint64_t second;
  uint64_t third;
};
ExtraResults LastExtraResults();

// `steps` units of computation; each is a point where a timer interrupt may
// preempt the program.
void Compute(uint64_t steps);

// The user code address of `entry`, to pass to thread_create.
uint64_t CodeAddress(Entry entry);

}  // namespace vos::user

#endif  // VERIDIAN_SRC_ABI_USER_RUNTIME_H_
