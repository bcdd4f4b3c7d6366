// The global descriptor table: flat 64-bit kernel segments and one TSS per
// CPU (for the emergency interrupt stack). boot.S loads it; each CPU then
// loads its TSS.
#ifndef VERIDIAN_BACKENDS_X86_64_GDT_H_
#define VERIDIAN_BACKENDS_X86_64_GDT_H_

#include <cstdint>

#include "backends/x86_64/x86.h"
#include "src/hal/types.h"

namespace x86 {

// boot.S hardcodes these two.
inline constexpr uint16_t kKernelCodeSelector = 0x08;
inline constexpr uint16_t kKernelDataSelector = 0x10;

// The IST slot of faults that cannot trust the interrupted stack (#DF, NMI,
// #MC): they switch to the CPU's emergency stack.
inline constexpr uint8_t kEmergencyStackIst = 1;

// Installs the TSS of `cpu` in the GDT and loads the task register.
void LoadTss(hal::CpuId cpu);

}  // namespace x86

// boot.S loads the GDT through this (a 32-bit lgdt reads the low half of the
// base, which is below 4 GiB).
extern "C" const x86::DescriptorTablePointer x86_gdt_pointer;

#endif  // VERIDIAN_BACKENDS_X86_64_GDT_H_
