// Per-CPU preemption control. While a CPU's count is non-zero the scheduler
// must not switch threads on it, so code may use that CPU's private state
// (per-CPU caches of the frame allocator and heap) without a lock. Cheaper
// than masking interrupts: it touches no hardware and is not an interleaving
// point in the simulator. Interrupt handlers must not use such state.
#ifndef VERIDIAN_SRC_LIB_PREEMPTION_H_
#define VERIDIAN_SRC_LIB_PREEMPTION_H_

#include <cstdint>

#include "src/hal/cpu.h"
#include "src/hal/types.h"

namespace vos {

namespace internal {
struct alignas(64) PreemptionCount {
  uint32_t value;
  // The scheduler wanted to switch while `value` was non-zero: the switch
  // happens when the last guard goes away.
  bool switch_deferred;
};
inline PreemptionCount preemption_counts[hal::kMaxCpus];
// Installed by the scheduler: switches now if a switch is still wanted.
inline void (*deferred_preemption_hook)() = nullptr;
}  // namespace internal

// How many PreemptionGuards and held spinlocks disable preemption on `cpu`.
inline uint32_t PreemptionDisabledDepth(hal::CpuId cpu) {
  return internal::preemption_counts[cpu].value;
}

inline bool PreemptionEnabled(hal::CpuId cpu) { return PreemptionDisabledDepth(cpu) == 0; }

// Called by the scheduler, on `cpu`, instead of switching while the count
// is non-zero.
inline void DeferPreemption(hal::CpuId cpu) {
  internal::preemption_counts[cpu].switch_deferred = true;
}

// Disables preemption on `cpu`, the current CPU, until the matching
// EnablePreemption on it; nests.
inline void DisablePreemption(hal::CpuId cpu) { ++internal::preemption_counts[cpu].value; }

// Ends a DisablePreemption on `cpu`; the last one makes a deferred switch.
inline void EnablePreemption(hal::CpuId cpu) {
  internal::PreemptionCount& count = internal::preemption_counts[cpu];
  if (--count.value == 0 && count.switch_deferred) [[unlikely]] {
    count.switch_deferred = false;
    if (internal::deferred_preemption_hook != nullptr) internal::deferred_preemption_hook();
  }
}

// Disables preemption on the current CPU for its scope and names that CPU.
class PreemptionGuard {
 public:
  PreemptionGuard() : cpu_(hal::CurrentCpu()) { DisablePreemption(cpu_); }
  ~PreemptionGuard() { EnablePreemption(cpu_); }
  PreemptionGuard(const PreemptionGuard&) = delete;
  PreemptionGuard& operator=(const PreemptionGuard&) = delete;

  hal::CpuId cpu() const { return cpu_; }

 private:
  hal::CpuId cpu_;
};

}  // namespace vos

#endif  // VERIDIAN_SRC_LIB_PREEMPTION_H_
