// hal::Now() runs on the TSC and hal::TimerSetDeadline on the local APIC
// timer; both rates are measured once against the PIT (1.193182 MHz).
#ifndef VERIDIAN_BACKENDS_X86_64_CLOCK_H_
#define VERIDIAN_BACKENDS_X86_64_CLOCK_H_

namespace x86 {

// On the boot CPU after lapic::Init; time 0 is the end of the calibration.
// Returns false when a rate comes out unusable.
bool CalibrateClocks();

// Prints the calibrated rates.
void PrintClockRates();

// For the local APIC timer interrupt: true when this CPU's deadline has
// passed (the kernel gets a kTimer trap). Otherwise re-arms the APIC timer
// for the rest of the wait (its 32-bit count may not have reached that far)
// or ignores a tick that was cancelled after it fired.
bool TimerInterruptDue();

}  // namespace x86

#endif  // VERIDIAN_BACKENDS_X86_64_CLOCK_H_
