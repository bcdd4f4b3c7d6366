#include "backends/x86_64/idt.h"

#include <cstdint>

#include "backends/x86_64/gdt.h"
#include "backends/x86_64/x86.h"

// interrupt_entry.S: the entry stub of every vector.
extern "C" const uint64_t x86_interrupt_stub_table[256];

namespace x86 {
namespace {

struct IdtGate {
  uint16_t offset_low;
  uint16_t selector;
  uint8_t ist;
  uint8_t type_attributes;
  uint16_t offset_middle;
  uint32_t offset_high;
  uint32_t reserved;
};
static_assert(sizeof(IdtGate) == 16);

constexpr size_t kVectors = 256;
// Present, DPL 0, 64-bit interrupt gate (clears IF on entry).
constexpr uint8_t kInterruptGate = 0x8E;
constexpr uint8_t kNmiVector = 2;
constexpr uint8_t kDoubleFaultVector = 8;
constexpr uint8_t kMachineCheckVector = 18;

IdtGate idt[kVectors];

}  // namespace

void BuildIdt() {
  for (size_t vector = 0; vector < kVectors; ++vector) {
    const uint64_t stub = x86_interrupt_stub_table[vector];
    const bool emergency = vector == kNmiVector || vector == kDoubleFaultVector ||
                           vector == kMachineCheckVector;
    idt[vector] = {
        .offset_low = static_cast<uint16_t>(stub),
        .selector = kKernelCodeSelector,
        .ist = emergency ? kEmergencyStackIst : uint8_t{0},
        .type_attributes = kInterruptGate,
        .offset_middle = static_cast<uint16_t>(stub >> 16),
        .offset_high = static_cast<uint32_t>(stub >> 32),
        .reserved = 0,
    };
  }
}

void LoadIdt() { Lidt({sizeof(idt) - 1, idt}); }

}  // namespace x86
