#include "backends/x86_64/gdt.h"

#include "backends/x86_64/cpu_local.h"
#include "backends/x86_64/x86.h"

namespace x86 {
namespace {

struct __attribute__((packed)) Tss {
  uint32_t reserved0;
  uint64_t rsp[3];
  uint64_t reserved1;
  uint64_t ist[7];
  uint64_t reserved2;
  uint16_t reserved3;
  uint16_t io_map_base;
};
static_assert(sizeof(Tss) == 104);

constexpr size_t kEmergencyStackSize = 4096;
constexpr size_t kFirstTssEntry = 3;
static_assert(kKernelCodeSelector == 1 * 8 && kKernelDataSelector == 2 * 8,
              "the selectors must index x86_gdt's entries");
// Present, DPL 0, type 9: an available 64-bit TSS.
constexpr uint64_t kTssAccess = 0x89;

Tss tss[kMaxSupportedCpus];
alignas(16) uint8_t emergency_stacks[kMaxSupportedCpus][kEmergencyStackSize];

}  // namespace
}  // namespace x86

extern "C" {

// Null, kernel code (64-bit, DPL 0), kernel data, then a 16-byte TSS
// descriptor per CPU, filled by LoadTss.
uint64_t x86_gdt[x86::kFirstTssEntry + 2 * x86::kMaxSupportedCpus] = {
    0,
    0x00AF9A000000FFFF,
    0x00CF92000000FFFF,
};

constinit const x86::DescriptorTablePointer x86_gdt_pointer = {sizeof(x86_gdt) - 1, x86_gdt};

}  // extern "C"

namespace x86 {

void LoadTss(hal::CpuId cpu) {
  Tss& t = tss[cpu];
  t.ist[kEmergencyStackIst - 1] =
      reinterpret_cast<uint64_t>(emergency_stacks[cpu]) + kEmergencyStackSize;
  t.io_map_base = sizeof(Tss);  // No I/O permission bitmap.

  const uint64_t base = reinterpret_cast<uint64_t>(&t);
  const uint64_t limit = sizeof(Tss) - 1;
  const size_t entry = kFirstTssEntry + 2 * cpu;
  x86_gdt[entry] = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) | (kTssAccess << 40) |
                   (((limit >> 16) & 0xF) << 48) | (((base >> 24) & 0xFF) << 56);
  x86_gdt[entry + 1] = base >> 32;
  Ltr(static_cast<uint16_t>(entry * 8));
}

}  // namespace x86
