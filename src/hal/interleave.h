// Interleaving points: the places where the simulator may switch to another
// simulated CPU. Kernel code reaches them through the primitives below and
// through interrupt enabling, lock operations, IPI sends and CpuRelax(); on
// real hardware they compile to nothing or to a pause instruction.
#ifndef VERIDIAN_SRC_HAL_INTERLEAVE_H_
#define VERIDIAN_SRC_HAL_INTERLEAVE_H_

#include <cstdint>

namespace hal {

enum class InterleaveReason : uint8_t {
  kInterruptEnable,
  kLockAcquire,
  kLockRelease,
  kAtomicRmw,
  kIpiSend,
  kYield,
  kTimer,
  kCount,
};

// An explicit interleaving point. Backends other than the simulator define it
// as a no-op.
void InterleavingPoint(InterleaveReason reason);

}  // namespace hal

#endif  // VERIDIAN_SRC_HAL_INTERLEAVE_H_
