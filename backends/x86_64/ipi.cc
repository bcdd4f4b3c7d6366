#include "src/hal/ipi.h"

#include "backends/x86_64/console.h"
#include "backends/x86_64/cpus.h"
#include "backends/x86_64/interrupt.h"
#include "backends/x86_64/lapic.h"
#include "src/hal/cpu.h"
#include "src/hal/power.h"

namespace hal {

void SendIpi(CpuId target) {
  if (target >= CpuCount()) {
    x86::Print("x86_64: SendIpi to a CPU that does not exist: ");
    x86::PrintDecimal(target);
    x86::Print("\n");
    PanicHalt();
  }
  x86::lapic::SendFixedIpi(x86::ApicIdOf(target), x86::kIpiVector);
}

}  // namespace hal
