// The machine's CPUs: dense hal::CpuId indices mapped to local APIC ids.
#ifndef VERIDIAN_BACKENDS_X86_64_CPUS_H_
#define VERIDIAN_BACKENDS_X86_64_CPUS_H_

#include <cstdint>

#include "src/hal/types.h"

namespace x86 {

// Finds the CPUs in the ACPI MADT (one CPU, the caller, if there is none)
// with the calling boot CPU as CPU 0. Needs lapic::Init first.
void DiscoverCpus();

uint32_t ApicIdOf(hal::CpuId cpu);

}  // namespace x86

#endif  // VERIDIAN_BACKENDS_X86_64_CPUS_H_
