// Per-CPU identity and bring-up.
#ifndef VERIDIAN_SRC_HAL_CPU_H_
#define VERIDIAN_SRC_HAL_CPU_H_

#include "src/hal/types.h"

namespace hal {

// Index of the CPU executing the caller. Stable while interrupts are disabled
// (a thread may migrate between two calls otherwise).
CpuId CurrentCpu();

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
