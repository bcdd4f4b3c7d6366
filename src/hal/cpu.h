// Per-CPU identity and bring-up.
#ifndef VERIDIAN_SRC_HAL_CPU_H_
#define VERIDIAN_SRC_HAL_CPU_H_

#include "src/hal/types.h"

namespace hal {

// Index of the CPU executing the caller. Stable while interrupts are disabled
// (a thread may migrate between two calls otherwise).
#if VOS_HAL_INLINE_CURRENT_CPU
// The simulator keeps the running CPU's index in one variable; reading it
// inline keeps per-CPU fast paths (heap magazines, frame caches) free of a
// call, as a segment-relative load does on hardware.
namespace internal {
extern CpuId current_cpu;
}  // namespace internal
inline CpuId CurrentCpu() { return internal::current_cpu; }
#else
CpuId CurrentCpu();
#endif

// Number of CPUs the machine has (started or not).
uint32_t CpuCount();

// Entry point of a secondary CPU; runs on a boot stack the HAL provides and
// must not return.
using SecondaryEntry = void (*)(CpuId cpu);

// Starts `cpu` at `entry` (INIT-SIPI, PSCI CPU_ON, SBI HSM, or a new fiber).
// Returns false when the CPU does not exist or does not answer.
bool StartCpu(CpuId cpu, SecondaryEntry entry);

// Hint inside spin-wait loops (pause / yield / a scheduling point in the sim).
void CpuRelax();

}  // namespace hal

#endif  // VERIDIAN_SRC_HAL_CPU_H_
