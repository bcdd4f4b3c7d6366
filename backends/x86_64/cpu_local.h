// Per-CPU data of the backend, reached through the GS base.
#ifndef VERIDIAN_BACKENDS_X86_64_CPU_LOCAL_H_
#define VERIDIAN_BACKENDS_X86_64_CPU_LOCAL_H_

#include <cstdint>

#include "backends/x86_64/interrupt.h"
#include "src/hal/types.h"

namespace x86 {

// CPUs beyond this are reported by CpuCount() but never started: their
// stacks and TSSs are static.
inline constexpr uint32_t kMaxSupportedCpus = 32;

struct FaultRecovery;

struct CpuLocal {
  CpuLocal* self;  // At offset 0, so ThisCpu() is one %gs-relative load.
  hal::CpuId id;
  // The exception kernel::HandleTrap is handling on this CPU, and its CR2;
  // PanicHalt prints them.
  const TrapFrame* exception_frame;
  uint64_t exception_cr2;
  // Armed while code that may fault on purpose runs (fault_recovery.h).
  FaultRecovery* fault_recovery;
  // The one-shot timer (time.cc): the deadline, valid while armed.
  hal::Nanoseconds timer_deadline;
  bool timer_armed;
};

// Points this CPU's GS base at the block of `cpu`. Each CPU calls it once,
// before anything reads ThisCpu().
void InstallCpuLocal(hal::CpuId cpu);

// Volatile: after a context switch the same code may run on another CPU.
inline CpuLocal& ThisCpu() {
  CpuLocal* cpu;
  asm volatile("mov %%gs:0, %0" : "=r"(cpu));
  return *cpu;
}

}  // namespace x86

#endif  // VERIDIAN_BACKENDS_X86_64_CPU_LOCAL_H_
