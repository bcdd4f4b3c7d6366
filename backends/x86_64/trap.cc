// Dispatch of every interrupt and exception vector to kernel::HandleTrap, and
// the fatal path for exceptions nobody may resume from.
#include "src/hal/trap.h"

#include "backends/x86_64/clock.h"
#include "backends/x86_64/console.h"
#include "backends/x86_64/cpu_local.h"
#include "backends/x86_64/fault_recovery.h"
#include "backends/x86_64/interrupt.h"
#include "backends/x86_64/lapic.h"
#include "backends/x86_64/power.h"
#include "backends/x86_64/x86.h"

namespace x86 {
namespace {

constexpr const char* kExceptionNames[kFirstExternalVector] = {
    "#DE divide error",    "#DB debug",          "NMI",
    "#BP breakpoint",      "#OF overflow",       "#BR bound range",
    "#UD invalid opcode",  "#NM no FPU",         "#DF double fault",
    "FPU segment overrun", "#TS invalid TSS",    "#NP segment not present",
    "#SS stack fault",     "#GP general protection", "#PF page fault",
    "reserved",            "#MF x87 error",      "#AC alignment check",
    "#MC machine check",   "#XM SIMD error",     "#VE virtualization",
    "#CP control protection", "reserved",        "reserved",
    "reserved",            "reserved",           "reserved",
    "reserved",            "#HV hypervisor injection", "#VC VMM communication",
    "#SX security",        "reserved",
};

// Page-fault error code bits.
constexpr uint64_t kFaultPresent = 1 << 0;
constexpr uint64_t kFaultWrite = 1 << 1;
constexpr uint64_t kFaultUser = 1 << 2;
constexpr uint64_t kFaultFetch = 1 << 4;

bool kernel_running = false;

[[noreturn]] void FatalTrap(const TrapFrame& frame, uint64_t cr2, const char* reason) {
  PrintTrapFrame("x86_64: FATAL", frame, cr2);
  Print("x86_64: ");
  Print(reason);
  Print("\n");
  const CpuLocal& cpu = ThisCpu();
  if (cpu.exception_frame != nullptr && cpu.exception_frame != &frame) {
    PrintTrapFrame("x86_64: while handling", *cpu.exception_frame, cpu.exception_cr2);
  }
  ExitQemu(kFatalTrapExitCode);
}

hal::Trap TrapFor(const TrapFrame& frame) {
  hal::Trap trap{};
  trap.vector = static_cast<uint32_t>(frame.vector);
  trap.from_user = (frame.cs & 3) != 0;
  trap.pc = frame.rip;
  return trap;
}

void HandleException(const TrapFrame& frame) {
  const uint64_t cr2 = ReadCr2();  // Before anything can fault again.
  if (!kernel_running) FatalTrap(frame, cr2, "exception before the kernel started");
  CpuLocal& cpu = ThisCpu();
  if (cpu.exception_frame != nullptr) {
    FatalTrap(frame, cr2, "exception while the kernel handled another one");
  }
  hal::Trap trap = TrapFor(frame);
  if (frame.vector == kPageFaultVector) {
    trap.kind = hal::TrapKind::kPageFault;
    trap.fault = DecodePageFault(frame.error_code, cr2);
  } else {
    trap.kind = hal::TrapKind::kException;
  }
  cpu.exception_frame = &frame;
  cpu.exception_cr2 = cr2;
  kernel::HandleTrap(trap);
  cpu.exception_frame = nullptr;
  // Without user mode every exception is the kernel's own bug: resuming would
  // fault again or run on corrupted state.
  FatalTrap(frame, cr2, "kernel::HandleTrap returned from a kernel-mode exception");
}

}  // namespace

void MarkKernelRunning() { kernel_running = true; }

hal::PageFaultInfo DecodePageFault(uint64_t error_code, uint64_t cr2) {
  return {
      .address = cr2,
      .present = (error_code & kFaultPresent) != 0,
      .write = (error_code & kFaultWrite) != 0,
      .fetch = (error_code & kFaultFetch) != 0,
      .user = (error_code & kFaultUser) != 0,
  };
}

void PrintTrapFrame(const char* prefix, const TrapFrame& frame, uint64_t cr2) {
  Print(prefix);
  Print(" exception vector ");
  PrintDecimal(frame.vector);
  if (frame.vector < kFirstExternalVector) {
    Print(" (");
    Print(kExceptionNames[frame.vector]);
    Print(")");
  }
  Print(" error ");
  PrintHex(frame.error_code);
  Print(" rip ");
  PrintHex(frame.rip);
  Print(" cr2 ");
  PrintHex(cr2);
  Print(" rsp ");
  PrintHex(frame.rsp);
  Print(" cpu ");
  PrintDecimal(ThisCpu().id);
  Print("\n");
}

extern "C" void X86HandleInterrupt(TrapFrame* frame) {
  const uint64_t vector = frame->vector;
  if (vector < kFirstExternalVector) {
    if (RecoverFromFault(*frame)) return;
    HandleException(*frame);
    return;
  }
  // Spurious interrupts of the APIC and of the masked PICs take no EOI.
  if (vector == kSpuriousVector ||
      (vector >= kLegacyPicVectorBase && vector < kLegacyPicVectorEnd)) {
    return;
  }
  // Before the kernel's handler, which may switch to another context.
  lapic::Eoi();
  hal::Trap trap = TrapFor(*frame);
  if (vector == kTimerVector) {
    if (!TimerInterruptDue()) return;
    trap.kind = hal::TrapKind::kTimer;
  } else if (vector == kIpiVector) {
    trap.kind = hal::TrapKind::kIpi;
  } else {
    trap.kind = hal::TrapKind::kDevice;
  }
  kernel::HandleTrap(trap);
}

}  // namespace x86
