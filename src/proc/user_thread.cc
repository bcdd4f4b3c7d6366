// The kernel side of a user thread: the run-until-trap loop.
#include "src/hal/atomic.h"
#include "src/hal/interrupts.h"
#include "src/hal/trace.h"
#include "src/hal/trap.h"
#include "src/hal/user.h"
#include "src/mm/address_space.h"
#include "src/proc/process.h"
#include "src/proc/process_manager.h"
#include "src/sched/scheduler.h"

namespace vos {

void UserThreadMain(void* arg) {
  auto* self = static_cast<UserThread*>(arg);
  // Its creator publishes the id before this thread may run user code.
  while (!self->published_.load(std::memory_order_acquire)) Scheduler::Yield();
  Process& process = *self->process_;
  for (;;) {
    hal::InterruptsDisable();
    if (process.exiting() || self->exit_requested_) break;
    // Already active unless the thread switched out since its last trap
    // (the scheduler's switch-out hook drops it: a space stays active only
    // under a thread of its own that runs, so none outlives its threads).
    process.space().Activate();
    hal::Trap trap = hal::RunUser(&self->context_);
    switch (trap.kind) {
      case hal::TrapKind::kTimer:
      case hal::TrapKind::kIpi:
      case hal::TrapKind::kDevice:
        // Taken from user mode: the kernel's interrupt path, preemption
        // included, on this thread's kernel stack.
        kernel::HandleTrap(trap);
        hal::InterruptsEnable();
        break;
      case hal::TrapKind::kSyscall:
        hal::InterruptsEnable();
        hal::AddToCounter(process.stats().syscalls, 1);
        hal::TraceEvent(hal::TraceKind::kSyscall, trap.syscall.number, process.id().value);
        self->context_.return_value =
            static_cast<uint64_t>(DispatchSyscall(*self, trap.syscall));
        break;
      case hal::TrapKind::kPageFault:
        hal::InterruptsEnable();
        hal::AddToCounter(process.stats().page_faults, 1);
        hal::TraceEvent(hal::TraceKind::kPageFault, trap.fault.address, process.id().value);
        if (!process.space().HandleFault(trap.fault)) {
          ProcessManager::Exit(&process,
                               abi::ExitStatus{static_cast<int64_t>(trap.fault.address),
                                               abi::ExitReason::kFaulted, 0});
        }
        break;
      case hal::TrapKind::kException:
        hal::InterruptsEnable();
        ProcessManager::Exit(&process, abi::ExitStatus{static_cast<int64_t>(trap.vector),
                                                       abi::ExitReason::kFaulted, 0});
        break;
    }
  }
  // The last thread out destroys the space, which must be active nowhere.
  AddressSpace::DeactivateCurrent();
  hal::InterruptsEnable();
  // What it still holds would otherwise stay locked for good.
  ReleaseHeldLocks(*self);
  ProcessManager::FinishThread(self);
}

}  // namespace vos
