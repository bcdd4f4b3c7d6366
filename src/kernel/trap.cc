// The kernel's single trap entry: every backend calls HandleTrap.
#include "src/hal/trap.h"

#include "src/kernel/percpu.h"
#include "src/lib/panic.h"
#include "src/mm/tlb_shootdown.h"

namespace kernel {

namespace {

void ExitInterrupt(PerCpu& cpu) {
  if (cpu.on_interrupt_exit != nullptr) cpu.on_interrupt_exit();
}

}  // namespace

void HandleTrap(hal::Trap& trap) {
  PerCpu& cpu = ThisCpu();
  switch (trap.kind) {
    case hal::TrapKind::kTimer:
      cpu.timer_interrupts.fetch_add(1, std::memory_order_relaxed);
      if (cpu.on_timer != nullptr) cpu.on_timer();
      ExitInterrupt(cpu);
      return;
    case hal::TrapKind::kIpi:
      cpu.ipis_received.fetch_add(1, std::memory_order_relaxed);
      vos::ServeTlbShootdowns();  // IPIs coalesce: every handler checks its own inbox.
      if (cpu.on_ipi != nullptr) cpu.on_ipi();
      ExitInterrupt(cpu);
      return;
    case hal::TrapKind::kDevice:
      // No drivers yet: count it, so injected spurious interrupts are visible.
      cpu.device_interrupts.fetch_add(1, std::memory_order_relaxed);
      ExitInterrupt(cpu);
      return;
    case hal::TrapKind::kPageFault:
      // No address spaces yet, so every page fault is a kernel bug.
      vos::Panic("page fault at %p (%s, %s, %s mode) pc %p",
                 reinterpret_cast<void*>(trap.fault.address),
                 trap.fault.present ? "protection" : "not present",
                 trap.fault.fetch ? "fetch" : (trap.fault.write ? "write" : "read"),
                 trap.fault.user ? "user" : "kernel", reinterpret_cast<void*>(trap.pc));
    case hal::TrapKind::kSyscall:
      vos::Panic("syscall %lu trapped, but no user mode exists yet", trap.syscall.number);
    case hal::TrapKind::kException:
      vos::Panic("unhandled exception, vector %u at pc %p", trap.vector,
                 reinterpret_cast<void*>(trap.pc));
  }
  vos::Panic("trap of unknown kind %u", static_cast<unsigned>(trap.kind));
}

}  // namespace kernel
