// The CPUs of the machine, from the ACPI MADT.
#ifndef VERIDIAN_BACKENDS_X86_64_ACPI_H_
#define VERIDIAN_BACKENDS_X86_64_ACPI_H_

#include <cstdint>

namespace x86 {

// Writes the APIC ids of the enabled processor-local-APIC entries of the
// MADT, in table order, to `apic_ids` (at most `capacity`) and returns how
// many there are; 0 when there is no valid RSDP or MADT.
uint32_t FindLocalApicIds(uint32_t* apic_ids, uint32_t capacity);

}  // namespace x86

#endif  // VERIDIAN_BACKENDS_X86_64_ACPI_H_
