// hal::ContextInit; hal::ContextSwitch is in context_switch.S.
#include "src/hal/context.h"

#include <cstdint>

// context_switch.S: calls entry (r12) with arg (r13).
extern "C" void x86_context_start();

namespace hal {

void ContextInit(KernelContext* context, void* stack_base, size_t stack_size,
                 ContextEntry entry, void* arg) {
  // The frame ContextSwitch pops: r15 r14 r13 r12 rbx rbp, then the return
  // address. After that ret, RSP must be 16-byte aligned so the call in
  // x86_context_start follows the ABI; the slot above stays 0 as the
  // outermost return address for debuggers.
  const uintptr_t top = (reinterpret_cast<uintptr_t>(stack_base) + stack_size) & ~uintptr_t{15};
  auto* frame = reinterpret_cast<uint64_t*>(top - 16 - 7 * sizeof(uint64_t));
  frame[0] = 0;                                            // r15
  frame[1] = 0;                                            // r14
  frame[2] = reinterpret_cast<uint64_t>(arg);              // r13
  frame[3] = reinterpret_cast<uint64_t>(entry);            // r12
  frame[4] = 0;                                            // rbx
  frame[5] = 0;                                            // rbp
  frame[6] = reinterpret_cast<uint64_t>(x86_context_start);  // return address
  frame[7] = 0;
  context->saved_sp = frame;
}

}  // namespace hal
