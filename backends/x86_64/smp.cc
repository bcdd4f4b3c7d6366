// Secondary CPU start-up by INIT-SIPI-SIPI (hal::StartCpu). The boot CPU
// starts one CPU at a time:
//  1. copy ap_trampoline.S's real-mode code to kApTrampolineAddress and give
//     it the GDT, the boot page tables and EFER;
//  2. publish the CPU's stack and entry (ap_start, x86_ap_stack_top);
//  3. INIT, then STARTUP (twice if needed): the CPU runs the trampoline,
//     enters long mode and calls X86SecondaryMain on its stack;
//  4. X86SecondaryMain sets up the CPU's GS block, TSS, IDT and APIC, reads
//     ap_start, reports `running` and calls the kernel's entry;
//  5. the boot CPU waits for `running` (or gives up) before it returns.
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "backends/x86_64/console.h"
#include "backends/x86_64/cpu_local.h"
#include "backends/x86_64/cpus.h"
#include "backends/x86_64/gdt.h"
#include "backends/x86_64/idt.h"
#include "backends/x86_64/lapic.h"
#include "backends/x86_64/x86.h"
#include "src/hal/cpu.h"
#include "src/hal/mmu.h"
#include "src/hal/power.h"
#include "src/hal/time.h"

// ap_trampoline.S: the code to copy and its data words.
extern "C" const uint8_t x86_ap_trampoline_start[];
extern "C" const uint8_t x86_ap_trampoline_end[];
extern "C" const uint8_t x86_ap_trampoline_gdt_pointer[];
extern "C" const uint8_t x86_ap_trampoline_cr3[];
extern "C" const uint8_t x86_ap_trampoline_efer[];
// boot.S: the identity-mapped boot page tables.
extern "C" const uint8_t x86_boot_pml4[];

// The stack of the CPU being started, loaded by ap_trampoline.S.
extern "C" {
uint64_t x86_ap_stack_top = 0;
}

namespace x86 {
namespace {

// A page of the reserved low 1 MiB that the firmware does not use once the
// boot loader is done; the STARTUP IPI names it by page number.
constexpr uint64_t kApTrampolineAddress = 0x8000;
constexpr size_t kApStackSize = 16384;
// The MP specification's waits; a CPU that is not running after
// kStartTimeout is reported as not answering.
constexpr hal::Nanoseconds kInitDelay = 10'000'000;
constexpr hal::Nanoseconds kStartupDelay = 200'000;
constexpr hal::Nanoseconds kStartTimeout = 1'000'000'000;

struct ApStart {
  hal::CpuId cpu;
  hal::SecondaryEntry entry;
  std::atomic<bool> running;
};
ApStart ap_start;

alignas(16) uint8_t ap_stacks[kMaxSupportedCpus][kApStackSize];
bool started[kMaxSupportedCpus];
bool trampoline_ready = false;

void PutTrampolineWord(uint8_t* page, const uint8_t* field, const void* value, size_t size) {
  __builtin_memcpy(page + (field - x86_ap_trampoline_start), value, size);
}

void PrepareTrampoline() {
  auto* page = static_cast<uint8_t*>(hal::PhysToVirt(kApTrampolineAddress));
  __builtin_memcpy(page, x86_ap_trampoline_start,
                   static_cast<size_t>(x86_ap_trampoline_end - x86_ap_trampoline_start));
  // A 32-bit lgdt operand: the limit and the low half of the base (< 4 GiB).
  PutTrampolineWord(page, x86_ap_trampoline_gdt_pointer, &x86_gdt_pointer, 6);
  const auto cr3 = static_cast<uint32_t>(hal::VirtToPhys(x86_boot_pml4));
  PutTrampolineWord(page, x86_ap_trampoline_cr3, &cr3, sizeof(cr3));
  const auto efer = static_cast<uint32_t>(ReadMsr(kMsrEfer));
  PutTrampolineWord(page, x86_ap_trampoline_efer, &efer, sizeof(efer));
  trampoline_ready = true;
}

// Waits up to `timeout` for the started CPU to report; true if it did.
bool WaitForRunning(hal::Nanoseconds timeout) {
  const hal::Nanoseconds give_up = hal::Now() + timeout;
  while (!ap_start.running.load(std::memory_order_acquire)) {
    if (hal::Now() >= give_up) return false;
    Pause();
  }
  return true;
}

}  // namespace
}  // namespace x86

extern "C" [[noreturn]] void X86SecondaryMain() {
  using namespace x86;
  const hal::CpuId cpu = ap_start.cpu;
  const hal::SecondaryEntry entry = ap_start.entry;
  InstallCpuLocal(cpu);
  LoadTss(cpu);
  LoadIdt();
  lapic::Init();
  // From here on the boot CPU may reuse ap_start.
  ap_start.running.store(true, std::memory_order_release);
  entry(cpu);
  Print("x86_64: a secondary CPU's entry returned\n");
  hal::PanicHalt();
}

namespace hal {

bool StartCpu(CpuId cpu, SecondaryEntry entry) {
  using namespace x86;
  if (cpu == 0 || cpu >= CpuCount() || cpu >= kMaxSupportedCpus || started[cpu]) return false;
  if (!trampoline_ready) PrepareTrampoline();
  ap_start.cpu = cpu;
  ap_start.entry = entry;
  ap_start.running.store(false, std::memory_order_relaxed);
  x86_ap_stack_top = reinterpret_cast<uint64_t>(ap_stacks[cpu] + kApStackSize);
  const uint32_t apic_id = ApicIdOf(cpu);
  lapic::SendInitIpi(apic_id);
  const Nanoseconds init_done = Now() + kInitDelay;
  while (Now() < init_done) Pause();
  // A second STARTUP only if the first was lost; a running CPU ignores it.
  for (int attempt = 0; attempt < 2 && !ap_start.running.load(); ++attempt) {
    lapic::SendStartupIpi(apic_id, static_cast<uint8_t>(kApTrampolineAddress >> 12));
    WaitForRunning(kStartupDelay);
  }
  started[cpu] = WaitForRunning(kStartTimeout);
  return started[cpu];
}

}  // namespace hal
