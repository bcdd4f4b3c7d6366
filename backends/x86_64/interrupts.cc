// Interrupt masking is RFLAGS.IF.
#include "src/hal/interrupts.h"

#include "backends/x86_64/x86.h"

namespace hal {

void InterruptsEnable() { x86::Sti(); }

void InterruptsDisable() { x86::Cli(); }

bool InterruptsEnabled() { return (x86::ReadRflags() & x86::kRflagsIf) != 0; }

InterruptState InterruptsSaveAndDisable() {
  const InterruptState state{InterruptsEnabled()};
  x86::Cli();
  return state;
}

void InterruptsRestore(InterruptState state) {
  if (state.enabled) {
    x86::Sti();
  } else {
    x86::Cli();
  }
}

void WaitForInterrupt() { x86::StiHlt(); }

}  // namespace hal
