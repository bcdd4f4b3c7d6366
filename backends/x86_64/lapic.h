// The local APIC in xAPIC (MMIO) mode: identity, end of interrupt, IPIs and
// the one-shot timer.
#ifndef VERIDIAN_BACKENDS_X86_64_LAPIC_H_
#define VERIDIAN_BACKENDS_X86_64_LAPIC_H_

#include <cstdint>

namespace x86::lapic {

// Enables the calling CPU's APIC (spurious vector, timer masked). The boot
// CPU calls it first, the others when they start.
void Init();

uint32_t Id();
void Eoi();

// Fixed-delivery IPI of `vector` to the CPU with APIC id `apic_id`.
void SendFixedIpi(uint32_t apic_id, uint8_t vector);
// The INIT and STARTUP IPIs of the INIT-SIPI-SIPI sequence; `start_page` is
// the 4 KiB page number (below 1 MiB) where the target starts in real mode.
void SendInitIpi(uint32_t apic_id);
void SendStartupIpi(uint32_t apic_id, uint8_t start_page);

// One-shot timer at the timer's own rate (divide by 1): raises `vector`
// after `count` ticks unless `masked`; count 0 stops it.
void TimerStart(uint32_t count, bool masked);
void TimerStop();
uint32_t TimerCurrentCount();

}  // namespace x86::lapic

#endif  // VERIDIAN_BACKENDS_X86_64_LAPIC_H_
