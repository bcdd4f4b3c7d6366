// Kernel stacks: every thread runs on its own, obtained from a
// KernelStackSource. Stacks are kKernelStackSize bytes aligned to their size,
// so the running thread is found from its stack pointer alone (no per-CPU
// read that a migration could tear), and a canary at the lowest address
// catches overflows when the thread is switched out.
#ifndef VERIDIAN_SRC_SCHED_KERNEL_STACK_H_
#define VERIDIAN_SRC_SCHED_KERNEL_STACK_H_

#include <cstddef>
#include <cstdint>

#include "src/lib/status.h"

namespace vos {

class Thread;

// 32 KiB: the simulator runs host code (trap delivery, tracing, gtest
// assertions in test threads) on these stacks, in unoptimised builds too.
inline constexpr size_t kKernelStackSize = 32 * 1024;
static_assert((kKernelStackSize & (kKernelStackSize - 1)) == 0, "a power of two");

// At the base (lowest address) of every kernel stack.
struct StackHeader {
  static constexpr uint64_t kCanary = 0x5354'4143'4b21'2121ull;  // "STACK!!!"
  Thread* owner;
  uint64_t canary;
};

// Where kernel stacks come from. The heap and frame allocator (src/mm) plug
// in here once they exist; until then StackPool carves stacks out of one
// region. Called from any CPU, with interrupts enabled or not, never from a
// trap handler; not on the context-switch path.
class KernelStackSource {
 public:
  // kKernelStackSize bytes aligned to kKernelStackSize; kNoMemory if none.
  virtual Result<void*> AllocateStack() = 0;
  // Gives back a stack AllocateStack returned; nothing runs on it any more.
  virtual void FreeStack(void* stack) = 0;

 protected:
  ~KernelStackSource() = default;
};

inline StackHeader* StackHeaderOf(void* stack_base) {
  return static_cast<StackHeader*>(stack_base);
}

// The header of the stack the caller runs on.
inline StackHeader* CurrentStackHeader() {
  const uintptr_t frame = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
  return reinterpret_cast<StackHeader*>(frame & ~(uintptr_t{kKernelStackSize} - 1));
}

}  // namespace vos

#endif  // VERIDIAN_SRC_SCHED_KERNEL_STACK_H_
