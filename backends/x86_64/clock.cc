#include "backends/x86_64/clock.h"

#include <cstdint>

#include "backends/x86_64/console.h"
#include "backends/x86_64/cpu_local.h"
#include "backends/x86_64/lapic.h"
#include "backends/x86_64/x86.h"
#include "src/hal/interrupts.h"
#include "src/hal/time.h"

namespace x86 {
namespace {

constexpr uint64_t kPitHz = 1193182;
constexpr uint64_t kNanosecondsPerSecond = 1'000'000'000;
// PIT channel 2: its gate and output are bits of the system control port.
constexpr uint16_t kPitChannel2 = 0x42;
constexpr uint16_t kPitCommand = 0x43;
constexpr uint16_t kSystemControl = 0x61;
constexpr uint8_t kSystemControlGate2 = 0x01;
constexpr uint8_t kSystemControlSpeaker = 0x02;
constexpr uint8_t kSystemControlOut2 = 0x20;
// Channel 2, low then high byte, mode 0 (interrupt on terminal count).
constexpr uint8_t kPitChannel2Mode0 = 0xB0;
// 10 ms: under TCG the poll loop resolves a few microseconds.
constexpr uint16_t kCalibrationPitTicks = kPitHz / 100;

uint64_t boot_tsc = 0;
uint64_t tsc_hz = 0;
uint64_t apic_timer_hz = 0;
// Fixed point with 32 fractional bits.
uint64_t nanoseconds_per_tsc_tick = 0;
uint64_t apic_ticks_per_nanosecond = 0;

uint64_t MultiplyFixed(uint64_t value, uint64_t fixed) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(value) * fixed) >> 32);
}

// Starts the APIC timer for the time left until `deadline`, rounding up so
// it never fires early.
void ArmApicTimer(hal::Nanoseconds deadline) {
  const hal::Nanoseconds now = hal::Now();
  uint64_t ticks = 1;  // A past deadline fires at once.
  if (deadline > now) ticks = MultiplyFixed(deadline - now, apic_ticks_per_nanosecond) + 1;
  if (ticks > UINT32_MAX) ticks = UINT32_MAX;  // TimerInterruptDue re-arms.
  lapic::TimerStart(static_cast<uint32_t>(ticks), /*masked=*/false);
}

}  // namespace

bool CalibrateClocks() {
  Outb(kSystemControl,
       static_cast<uint8_t>((Inb(kSystemControl) & ~kSystemControlSpeaker) | kSystemControlGate2));
  Outb(kPitCommand, kPitChannel2Mode0);
  Outb(kPitChannel2, kCalibrationPitTicks & 0xFF);
  Outb(kPitChannel2, kCalibrationPitTicks >> 8);  // OUT2 drops; counting starts.
  lapic::TimerStart(UINT32_MAX, /*masked=*/true);
  const uint32_t apic_start = lapic::TimerCurrentCount();
  const uint64_t tsc_start = Rdtsc();
  while ((Inb(kSystemControl) & kSystemControlOut2) == 0) Pause();
  const uint64_t tsc_end = Rdtsc();
  const uint32_t apic_end = lapic::TimerCurrentCount();
  lapic::TimerStop();

  tsc_hz = (tsc_end - tsc_start) * kPitHz / kCalibrationPitTicks;
  apic_timer_hz = uint64_t{apic_start - apic_end} * kPitHz / kCalibrationPitTicks;
  // The fixed-point factors below need both rates within (0, 2^32) Hz.
  if (tsc_hz == 0 || apic_timer_hz == 0 || apic_timer_hz > UINT32_MAX) return false;
  nanoseconds_per_tsc_tick = (kNanosecondsPerSecond << 32) / tsc_hz;
  apic_ticks_per_nanosecond = (apic_timer_hz << 32) / kNanosecondsPerSecond;
  boot_tsc = tsc_end;
  return true;
}

void PrintClockRates() {
  Print("x86_64: TSC ");
  PrintDecimal(tsc_hz / 1000);
  Print(" kHz, local APIC timer ");
  PrintDecimal(apic_timer_hz / 1000);
  Print(" kHz (measured against the PIT)\n");
}

bool TimerInterruptDue() {
  CpuLocal& cpu = ThisCpu();
  if (!cpu.timer_armed) return false;
  if (hal::Now() < cpu.timer_deadline) {
    ArmApicTimer(cpu.timer_deadline);
    return false;
  }
  cpu.timer_armed = false;
  return true;
}

}  // namespace x86

namespace hal {

Nanoseconds Now() { return x86::MultiplyFixed(x86::Rdtsc() - x86::boot_tsc, x86::nanoseconds_per_tsc_tick); }

void TimerSetDeadline(Nanoseconds deadline) {
  InterruptDisableGuard guard;  // Against this CPU's timer interrupt.
  x86::CpuLocal& cpu = x86::ThisCpu();
  cpu.timer_deadline = deadline;
  cpu.timer_armed = true;
  x86::ArmApicTimer(deadline);
}

void TimerCancel() {
  InterruptDisableGuard guard;
  x86::ThisCpu().timer_armed = false;
  x86::lapic::TimerStop();
}

}  // namespace hal
