// Interrupt vectors and the register frame interrupt_entry.S builds.
#ifndef VERIDIAN_BACKENDS_X86_64_INTERRUPT_H_
#define VERIDIAN_BACKENDS_X86_64_INTERRUPT_H_

#include <cstdint>

#include "src/hal/trap.h"

namespace x86 {

// 0-31 are CPU exceptions.
inline constexpr uint8_t kPageFaultVector = 14;
inline constexpr uint8_t kFirstExternalVector = 32;
// The masked 8259 PICs are remapped here, off the exception vectors, because
// they can still raise spurious IRQ 7 / 15.
inline constexpr uint8_t kLegacyPicVectorBase = 0x20;
inline constexpr uint8_t kLegacyPicVectorEnd = 0x30;
inline constexpr uint8_t kTimerVector = 0x40;
inline constexpr uint8_t kIpiVector = 0x41;
inline constexpr uint8_t kSpuriousVector = 0xFF;

// Saved by interrupt_entry.S, lowest address first.
struct TrapFrame {
  uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
  uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
  uint64_t vector;
  uint64_t error_code;  // 0 when the CPU pushes none.
  // Pushed by the CPU.
  uint64_t rip, cs, rflags, rsp, ss;
};
static_assert(sizeof(TrapFrame) == 22 * 8, "must match interrupt_entry.S");

// Called by interrupt_entry.S for every vector, interrupts disabled.
extern "C" void X86HandleInterrupt(TrapFrame* frame);

// From here on, exceptions go to kernel::HandleTrap; before it, every
// exception is fatal.
void MarkKernelRunning();

// The normalised form of a #PF's error code and CR2.
hal::PageFaultInfo DecodePageFault(uint64_t error_code, uint64_t cr2);

// Prints the frame on the serial console (used by the fatal paths).
void PrintTrapFrame(const char* prefix, const TrapFrame& frame, uint64_t cr2);

}  // namespace x86

#endif  // VERIDIAN_BACKENDS_X86_64_INTERRUPT_H_
