// Kernel execution contexts: a stack and the callee-saved state on it.
#ifndef VERIDIAN_SRC_HAL_CONTEXT_H_
#define VERIDIAN_SRC_HAL_CONTEXT_H_

#include "src/hal/types.h"

namespace hal {

// A suspended kernel context. Every backend saves callee-saved registers on
// the context's own stack, so the saved stack pointer is the whole state
// (in the simulator it is the fiber's saved context).
struct KernelContext {
  void* saved_sp = nullptr;
  // What a recorded trace calls this context when it is switched to (the
  // simulator records it; hardware backends ignore it): the kernel sets its
  // thread id, or kIdleTraceBit | cpu for a CPU's idle thread.
  uint64_t trace_id = 0;
};
inline constexpr uint64_t kIdleTraceBit = uint64_t{1} << 63;

using ContextEntry = void (*)(void* arg);

// Prepares `context` to start `entry(arg)` on [stack_base, stack_base+size)
// at its first ContextSwitch. `entry` must never return.
void ContextInit(KernelContext* context, void* stack_base, size_t stack_size,
                 ContextEntry entry, void* arg);

// Saves the running context into `from` and resumes `to`, on this CPU.
// Returns when something switches back to `from`.
void ContextSwitch(KernelContext* from, KernelContext* to);

}  // namespace hal

#endif  // VERIDIAN_SRC_HAL_CONTEXT_H_
