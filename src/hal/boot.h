// What the HAL hands the kernel at boot, and the kernel's entry point.
#ifndef VERIDIAN_SRC_HAL_BOOT_H_
#define VERIDIAN_SRC_HAL_BOOT_H_

#include "src/hal/types.h"

namespace hal {

struct BootInfo {
  // Kernel command line, "key=value key2=value2", never null.
  const char* command_line;
  // Name of the machine for banners ("sim", "qemu-x86_64", ...).
  const char* machine_name;
};

}  // namespace hal

namespace kernel {
// Defined by the kernel. The HAL calls it once, on the boot CPU, with
// interrupts disabled, the console and memory map ready.
[[noreturn]] void KernelMain(const hal::BootInfo& boot_info);
}  // namespace kernel

#endif  // VERIDIAN_SRC_HAL_BOOT_H_
