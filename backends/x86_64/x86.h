// Every x86_64 instruction the backend needs that C++ cannot express: port
// I/O, MSRs, control and descriptor-table registers, the TSC, and MMIO.
#ifndef VERIDIAN_BACKENDS_X86_64_X86_H_
#define VERIDIAN_BACKENDS_X86_64_X86_H_

#include <cstdint>

namespace x86 {

inline void Outb(uint16_t port, uint8_t value) {
  asm volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}
inline uint8_t Inb(uint16_t port) {
  uint8_t value;
  asm volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
  return value;
}
inline void Outl(uint16_t port, uint32_t value) {
  asm volatile("outl %0, %1" : : "a"(value), "Nd"(port));
}

inline constexpr uint32_t kMsrApicBase = 0x1B;
inline constexpr uint32_t kMsrEfer = 0xC0000080;
inline constexpr uint32_t kMsrGsBase = 0xC0000101;
inline constexpr uint64_t kEferNxe = 1 << 11;  // No-execute page bits (PTE bit 63).

inline uint64_t ReadMsr(uint32_t msr) {
  uint32_t low, high;
  asm volatile("rdmsr" : "=a"(low), "=d"(high) : "c"(msr));
  return (uint64_t{high} << 32) | low;
}
inline void WriteMsr(uint32_t msr, uint64_t value) {
  asm volatile("wrmsr"
               :
               : "c"(msr), "a"(static_cast<uint32_t>(value)),
                 "d"(static_cast<uint32_t>(value >> 32)));
}

inline uint64_t ReadCr2() {
  uint64_t value;
  asm volatile("mov %%cr2, %0" : "=r"(value));
  return value;
}
inline uint64_t ReadCr3() {
  uint64_t value;
  asm volatile("mov %%cr3, %0" : "=r"(value));
  return value;
}
// Also flushes every non-global TLB entry.
inline void WriteCr3(uint64_t value) { asm volatile("mov %0, %%cr3" : : "r"(value) : "memory"); }
inline void Invlpg(uint64_t address) {
  asm volatile("invlpg (%0)" : : "r"(address) : "memory");
}

// Descriptor-table registers take a packed {limit, base} operand.
struct __attribute__((packed)) DescriptorTablePointer {
  uint16_t limit;
  const void* base;
};
inline void Lidt(const DescriptorTablePointer& pointer) {
  asm volatile("lidt %0" : : "m"(pointer));
}
inline void Ltr(uint16_t selector) { asm volatile("ltr %0" : : "r"(selector)); }

inline uint64_t ReadRflags() {
  uint64_t flags;
  asm volatile("pushfq; popq %0" : "=r"(flags));
  return flags;
}
inline constexpr uint64_t kRflagsIf = 1 << 9;

// Ordered against surrounding loads so TSC deltas measure what lies between.
inline uint64_t Rdtsc() {
  uint32_t low, high;
  asm volatile("lfence; rdtsc" : "=a"(low), "=d"(high) : : "memory");
  return (uint64_t{high} << 32) | low;
}

inline void Pause() { asm volatile("pause"); }
inline void Cli() { asm volatile("cli" : : : "memory"); }
inline void Sti() { asm volatile("sti" : : : "memory"); }
// The instruction after sti runs before any interrupt is taken, so no
// interrupt can slip in between the enable and the halt.
inline void StiHlt() { asm volatile("sti; hlt" : : : "memory"); }
[[noreturn]] inline void HaltForever() {
  for (;;) asm volatile("cli; hlt");
}

inline uint32_t MmioRead32(uint64_t address) {
  return *reinterpret_cast<volatile uint32_t*>(address);
}
inline void MmioWrite32(uint64_t address, uint32_t value) {
  *reinterpret_cast<volatile uint32_t*>(address) = value;
}

}  // namespace x86

#endif  // VERIDIAN_BACKENDS_X86_64_X86_H_
