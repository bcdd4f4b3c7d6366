// Per-CPU kernel state, indexed by hal::CurrentCpu().
#ifndef VERIDIAN_SRC_KERNEL_PERCPU_H_
#define VERIDIAN_SRC_KERNEL_PERCPU_H_

#include <atomic>
#include <cstdint>

#include "src/hal/cpu.h"
#include "src/hal/types.h"

namespace kernel {

using TrapHook = void (*)();

struct alignas(64) PerCpu {
  // Counted by the trap dispatcher.
  std::atomic<uint64_t> timer_interrupts{0};
  std::atomic<uint64_t> ipis_received{0};
  std::atomic<uint64_t> device_interrupts{0};
  // Called from the trap dispatcher, interrupts disabled. Set by whichever
  // subsystem owns the CPU's timer / IPI mailbox (today: the self-tests).
  TrapHook on_timer = nullptr;
  TrapHook on_ipi = nullptr;
  // Last thing of every interrupt (timer, IPI, device): the scheduler's
  // preemption point, where it may switch to another thread.
  TrapHook on_interrupt_exit = nullptr;
};

PerCpu& CpuData(hal::CpuId cpu);
inline PerCpu& ThisCpu() { return CpuData(hal::CurrentCpu()); }

}  // namespace kernel

#endif  // VERIDIAN_SRC_KERNEL_PERCPU_H_
