#include "backends/x86_64/lapic.h"

#include "backends/x86_64/interrupt.h"
#include "backends/x86_64/x86.h"
#include "src/hal/interrupts.h"

namespace x86::lapic {
namespace {

// Register offsets.
constexpr uint32_t kId = 0x20;
constexpr uint32_t kTaskPriority = 0x80;
constexpr uint32_t kEoi = 0xB0;
constexpr uint32_t kSpuriousVectorRegister = 0xF0;
constexpr uint32_t kErrorStatus = 0x280;
constexpr uint32_t kIcrLow = 0x300;
constexpr uint32_t kIcrHigh = 0x310;
constexpr uint32_t kLvtTimer = 0x320;
constexpr uint32_t kTimerInitialCount = 0x380;
constexpr uint32_t kTimerCurrentCount = 0x390;
constexpr uint32_t kTimerDivide = 0x3E0;

constexpr uint64_t kApicBaseEnable = 1 << 11;
constexpr uint64_t kApicBaseAddressMask = 0xFFFFFFFFFF000;
constexpr uint32_t kSoftwareEnable = 1 << 8;
constexpr uint32_t kLvtMasked = 1 << 16;
constexpr uint32_t kTimerDivideBy1 = 0xB;
constexpr uint32_t kIcrDeliveryPending = 1 << 12;
constexpr uint32_t kIcrAssert = 1 << 14;
constexpr uint32_t kIcrLevelTrigger = 1 << 15;
constexpr uint32_t kIcrFixed = 0 << 8;
constexpr uint32_t kIcrInit = 5 << 8;
constexpr uint32_t kIcrStartup = 6 << 8;

uint64_t base = 0;

uint32_t Read(uint32_t reg) { return MmioRead32(base + reg); }
void Write(uint32_t reg, uint32_t value) { MmioWrite32(base + reg, value); }

// The ICR is two registers: no interrupt on this CPU may send its own IPI
// between the two writes.
void SendIcr(uint32_t apic_id, uint32_t command) {
  hal::InterruptDisableGuard guard;
  while ((Read(kIcrLow) & kIcrDeliveryPending) != 0) Pause();
  Write(kIcrHigh, apic_id << 24);
  Write(kIcrLow, command);
}

}  // namespace

void Init() {
  const uint64_t msr = ReadMsr(kMsrApicBase);
  // Every CPU's APIC sits at the same address; the boot CPU reads it first,
  // before any other CPU runs. Identity mapped: physical = virtual.
  if (base == 0) base = msr & kApicBaseAddressMask;
  WriteMsr(kMsrApicBase, msr | kApicBaseEnable);
  Write(kSpuriousVectorRegister, kSoftwareEnable | kSpuriousVector);
  Write(kTaskPriority, 0);
  Write(kTimerDivide, kTimerDivideBy1);
  Write(kLvtTimer, kLvtMasked | kTimerVector);
  // The error status register latches on a write; clear what firmware left.
  Write(kErrorStatus, 0);
  Write(kErrorStatus, 0);
}

uint32_t Id() { return Read(kId) >> 24; }

void Eoi() { Write(kEoi, 0); }

void SendFixedIpi(uint32_t apic_id, uint8_t vector) {
  SendIcr(apic_id, kIcrFixed | kIcrAssert | vector);
}

void SendInitIpi(uint32_t apic_id) {
  SendIcr(apic_id, kIcrInit | kIcrAssert | kIcrLevelTrigger);
}

void SendStartupIpi(uint32_t apic_id, uint8_t start_page) {
  SendIcr(apic_id, kIcrStartup | kIcrAssert | start_page);
}

void TimerStart(uint32_t count, bool masked) {
  Write(kLvtTimer, (masked ? kLvtMasked : 0) | kTimerVector);  // One-shot mode.
  Write(kTimerInitialCount, count);
}

void TimerStop() { Write(kTimerInitialCount, 0); }

uint32_t TimerCurrentCount() { return Read(kTimerCurrentCount); }

}  // namespace x86::lapic
