// The HAL for the simulator: every function forwards to the running Machine.
#include "sim/machine.h"
#include "src/hal/console.h"
#include "src/hal/context.h"
#include "src/hal/cpu.h"
#include "src/hal/interleave.h"
#include "src/hal/interrupts.h"
#include "src/hal/ipi.h"
#include "src/hal/memory_map.h"
#include "src/hal/mmu.h"
#include "src/hal/power.h"
#include "src/hal/time.h"
#include "src/hal/trace.h"
#include "src/hal/user_memory.h"

namespace hal {

using sim::Machine;

uint32_t CpuCount() { return Machine::Current().cpu_count(); }
bool StartCpu(CpuId cpu, SecondaryEntry entry) { return Machine::Current().StartCpu(cpu, entry); }
void CpuRelax() { Machine::Current().Interleave(InterleaveReason::kYield); }
void InterleavingPoint(InterleaveReason reason) { Machine::Current().Interleave(reason); }

void InterruptsEnable() { Machine::Current().SetInterruptsEnabled(true); }
void InterruptsDisable() { Machine::Current().SetInterruptsEnabled(false); }
bool InterruptsEnabled() { return Machine::Current().InterruptsEnabled(); }
InterruptState InterruptsSaveAndDisable() {
  Machine& machine = Machine::Current();
  InterruptState state{machine.InterruptsEnabled()};
  machine.SetInterruptsEnabled(false);
  return state;
}
void InterruptsRestore(InterruptState state) {
  Machine::Current().SetInterruptsEnabled(state.enabled);
}
void WaitForInterrupt() { Machine::Current().WaitForInterrupt(); }

void ContextInit(KernelContext* context, void* stack_base, size_t stack_size, ContextEntry entry,
                 void* arg) {
  context->saved_sp = sim::PrepareFiber(stack_base, stack_size, entry, arg);
}
void ContextSwitch(KernelContext* from, KernelContext* to) {
  Machine::Current().ContextSwitch(from, to);
}

PageTableFormat ActivePageTableFormat() {
  return Machine::Current().config().page_table_format;
}
void ActivateAddressSpace(PhysAddr root, uint16_t asid) {
  Machine::Current().ActivateAddressSpace(root, asid);
}
// Both act on the calling CPU's TLB model and are traced, so the kernel's
// shootdown protocol is visible in the trace.
void InvalidateTlbPage(VirtAddr address, uint16_t asid) {
  Machine::Current().InvalidateTlbPage(address, asid);
}
void InvalidateTlbAll() { Machine::Current().InvalidateTlbAll(); }

bool CopyFromUser(void* destination, VirtAddr source, size_t size) {
  return Machine::Current().CopyFromUser(destination, source, size);
}
bool CopyFromUserNoFault(void* destination, VirtAddr source, size_t size) {
  return Machine::Current().CopyFromUserNoFault(destination, source, size);
}
bool CopyToUser(VirtAddr destination, const void* source, size_t size) {
  return Machine::Current().CopyToUser(destination, source, size);
}

void* PhysToVirt(PhysAddr address) {
  void* host = Machine::Current().ram().HostAddress(address);
  if (host == nullptr) {
    Machine::Current().HostFault("PhysToVirt of an address outside simulated RAM");
  }
  return host;
}
PhysAddr VirtToPhys(const void* address) {
  return Machine::Current().ram().PhysicalAddress(address);
}

const MemoryMap& GetMemoryMap() { return Machine::Current().ram().memory_map(); }

Nanoseconds Now() { return Machine::Current().Now(); }
void TimerSetDeadline(Nanoseconds deadline) { Machine::Current().SetTimerDeadline(deadline); }
void TimerCancel() { Machine::Current().SetTimerDeadline(~Nanoseconds{0}); }

void SendIpi(CpuId target) { Machine::Current().SendIpi(target); }

void ConsoleWrite(const char* data, size_t length) {
  Machine::Current().ConsoleWrite(data, length);
}

void PowerOff(int exit_code) { Machine::Current().PowerOff(exit_code); }
void PanicHalt() { Machine::Current().PanicHalt(); }

void TraceEvent(TraceKind kind, uint64_t a, uint64_t b) {
  Machine::Current().TraceEvent(kind, a, b);
}

}  // namespace hal
