#include "backends/x86_64/power.h"

#include "backends/x86_64/console.h"
#include "backends/x86_64/cpu_local.h"
#include "backends/x86_64/x86.h"
#include "src/hal/power.h"

namespace x86 {
namespace {

constexpr uint16_t kDebugExitPort = 0xF4;

}  // namespace

void ExitQemu(uint32_t code) {
  Cli();
  Outl(kDebugExitPort, code);
  HaltForever();
}

}  // namespace x86

namespace hal {

void PowerOff(int exit_code) { x86::ExitQemu(static_cast<uint32_t>(exit_code)); }

void PanicHalt() {
  x86::Cli();
  const x86::CpuLocal& cpu = x86::ThisCpu();
  if (cpu.exception_frame != nullptr) {
    x86::PrintTrapFrame("x86_64: the panic happened while handling", *cpu.exception_frame,
                        cpu.exception_cr2);
  }
  x86::Print("x86_64: halted after panic\n");
  x86::ExitQemu(x86::kPanicExitCode);
}

}  // namespace hal
