#include "backends/x86_64/cpus.h"

#include "backends/x86_64/acpi.h"
#include "backends/x86_64/console.h"
#include "backends/x86_64/cpu_local.h"
#include "backends/x86_64/lapic.h"
#include "backends/x86_64/x86.h"
#include "src/hal/cpu.h"

namespace x86 {
namespace {

uint32_t cpu_count = 1;
uint32_t apic_ids[hal::kMaxCpus];

}  // namespace

void DiscoverCpus() {
  const uint32_t boot_apic_id = lapic::Id();
  cpu_count = FindLocalApicIds(apic_ids, hal::kMaxCpus);
  if (cpu_count == 0) {
    Print("x86_64: no ACPI MADT, assuming a single CPU\n");
    cpu_count = 1;
    apic_ids[0] = boot_apic_id;
    return;
  }
  // The boot CPU is CPU 0 whatever its place in the table.
  for (uint32_t i = 0; i < cpu_count; ++i) {
    if (apic_ids[i] == boot_apic_id) {
      apic_ids[i] = apic_ids[0];
      apic_ids[0] = boot_apic_id;
      return;
    }
  }
  Print("x86_64: the boot CPU is missing from the MADT\n");
  apic_ids[0] = boot_apic_id;
}

uint32_t ApicIdOf(hal::CpuId cpu) { return apic_ids[cpu]; }

}  // namespace x86

namespace hal {

CpuId CurrentCpu() { return x86::ThisCpu().id; }

uint32_t CpuCount() { return x86::cpu_count; }

void CpuRelax() { x86::Pause(); }

}  // namespace hal
