// Kernel events for the simulator's trace (and, later, a hardware trace
// buffer). Backends without tracing define TraceEvent as a no-op.
#ifndef VERIDIAN_SRC_HAL_TRACE_H_
#define VERIDIAN_SRC_HAL_TRACE_H_

#include <cstdint>

namespace hal {

enum class TraceKind : uint16_t {
  // Recorded by the HAL implementation itself.
  kCpuSwitch = 1,  // The simulator's scheduler moved to another CPU.
  kTrapEnter,      // a = TrapKind, b = vector.
  kIpiSend,        // a = target CPU.
  kTimerArm,       // a = deadline.
  kCpuStart,       // a = CPU started.
  kCpuHalt,
  kContextSwitch,  // a, b = the trace ids of the context switched to, from.
  kAddressSpace,   // a = root, b = asid.
  kTlbInvalidate,  // a = address (or ~0 for all), b = asid.
  // Recorded by the kernel.
  kLockContended = 64,  // a = lock id.
  kKernelMark,          // Free-form kernel event: a, b are the kernel's.
  kSyscall,
  kIpcSend,     // A message left its sender (an endpoint's: was delivered):
                //   a = the sender's id, b = bytes.
  kIpcReceive,  // A channel's message was taken: a = its sender's id, b = bytes.
  kPageFault,
};

void TraceEvent(TraceKind kind, uint64_t a = 0, uint64_t b = 0);

}  // namespace hal

#endif  // VERIDIAN_SRC_HAL_TRACE_H_
