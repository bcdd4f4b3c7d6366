// Ending the QEMU run. QEMU's isa-debug-exit device (port 0xF4) makes the
// QEMU process exit with status (code << 1) | 1, so every status it produces
// is odd: hal::PowerOff(0) gives 1, which a test must tell apart from QEMU's
// own start-up failure (also 1) by the kernel's verdict line.
#ifndef VERIDIAN_BACKENDS_X86_64_POWER_H_
#define VERIDIAN_BACKENDS_X86_64_POWER_H_

#include <cstdint>

namespace x86 {

// After a kernel panic (hal::PanicHalt): QEMU exit status 225.
inline constexpr uint32_t kPanicExitCode = 0x70;
// After an exception the kernel did not handle, or any exception before the
// kernel started: QEMU exit status 227.
inline constexpr uint32_t kFatalTrapExitCode = 0x71;

// When the machine cannot be brought up (no Multiboot loader, no memory
// map, clocks that cannot be calibrated): QEMU exit status 229.
inline constexpr uint32_t kBootFailureExitCode = 0x72;

// Exits QEMU with `code`; halts forever when there is no isa-debug-exit.
[[noreturn]] void ExitQemu(uint32_t code);

}  // namespace x86

#endif  // VERIDIAN_BACKENDS_X86_64_POWER_H_
