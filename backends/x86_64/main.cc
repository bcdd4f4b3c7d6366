// X86Main: from boot.S (long mode, identity map, boot stack) to
// kernel::KernelMain, on the boot CPU with interrupts disabled.
#include <cstddef>
#include <cstdint>

#include "backends/common/static_constructors.h"
#include "backends/x86_64/clock.h"
#include "backends/x86_64/console.h"
#include "backends/x86_64/cpu_local.h"
#include "backends/x86_64/cpus.h"
#include "backends/x86_64/gdt.h"
#include "backends/x86_64/idt.h"
#include "backends/x86_64/interrupt.h"
#include "backends/x86_64/lapic.h"
#include "backends/x86_64/memory_map.h"
#include "backends/x86_64/multiboot.h"
#include "backends/x86_64/pic.h"
#include "backends/x86_64/power.h"
#include "backends/x86_64/x86.h"
#include "src/hal/boot.h"

namespace x86 {
namespace {

constexpr size_t kCommandLineCapacity = 4096;
// The loader's copy lies in memory the kernel may allocate: keep our own.
char command_line[kCommandLineCapacity];

// QEMU and GRUB pass "<image path> <arguments>"; the kernel gets the
// arguments.
void CopyCommandLine(const multiboot::Info& info) {
  if ((info.flags & multiboot::kInfoCommandLine) == 0) return;
  const char* text = reinterpret_cast<const char*>(uintptr_t{info.command_line});
  while (*text != '\0' && *text != ' ') ++text;
  while (*text == ' ') ++text;
  size_t length = 0;
  while (text[length] != '\0' && length + 1 < kCommandLineCapacity) {
    command_line[length] = text[length];
    ++length;
  }
  command_line[length] = '\0';
  if (text[length] != '\0') Print("x86_64: command line truncated\n");
}

[[noreturn]] void BootFailure(const char* reason) {
  Print("x86_64: boot failed: ");
  Print(reason);
  Print("\n");
  ExitQemu(kBootFailureExitCode);
}

}  // namespace
}  // namespace x86

extern "C" [[noreturn]] void X86Main(uint32_t magic, uint32_t info_address) {
  using namespace x86;
  InstallCpuLocal(0);
  InitConsole();
  LoadTss(0);
  BuildIdt();
  LoadIdt();  // From here on a fault prints and exits instead of resetting.
  if (magic != multiboot::kBootloaderMagic) BootFailure("not started by a Multiboot loader");
  // src/mm sets PTE bit 63 on every page that is not executable.
  if ((ReadMsr(kMsrEfer) & kEferNxe) == 0) BootFailure("the CPU has no no-execute pages (NX)");
  const auto& info = *reinterpret_cast<const multiboot::Info*>(uintptr_t{info_address});
  CopyCommandLine(info);
  if (!InitMemoryMap(info)) BootFailure("the boot loader passed no memory map");
  DisableLegacyPic();
  lapic::Init();
  DiscoverCpus();
  if (!CalibrateClocks()) BootFailure("the TSC and local APIC timer could not be calibrated");
  PrintClockRates();
  backend::RunStaticConstructors();
  MarkKernelRunning();
  kernel::KernelMain({.command_line = command_line, .machine_name = "qemu-x86_64"});
}
