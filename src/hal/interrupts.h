// Local interrupt masking. Enabling interrupts is an interleaving point in the
// simulator: pending IPIs, timers and device interrupts are delivered there.
#ifndef VERIDIAN_SRC_HAL_INTERRUPTS_H_
#define VERIDIAN_SRC_HAL_INTERRUPTS_H_

#include "src/hal/types.h"

namespace hal {

// Opaque saved interrupt state (RFLAGS.IF, DAIF, sstatus.SIE, or the sim's flag).
struct InterruptState {
  bool enabled;
};

void InterruptsEnable();
void InterruptsDisable();
bool InterruptsEnabled();

// Disables interrupts and returns the previous state for InterruptsRestore.
[[nodiscard]] InterruptState InterruptsSaveAndDisable();
void InterruptsRestore(InterruptState state);

// Enables interrupts and halts until one arrives, atomically (no lost
// wake-up between the enable and the halt). Returns with interrupts enabled,
// after the interrupt's handler ran.
void WaitForInterrupt();

// Disables interrupts for a scope.
class InterruptDisableGuard {
 public:
  InterruptDisableGuard() : saved_(InterruptsSaveAndDisable()) {}
  ~InterruptDisableGuard() { InterruptsRestore(saved_); }
  InterruptDisableGuard(const InterruptDisableGuard&) = delete;
  InterruptDisableGuard& operator=(const InterruptDisableGuard&) = delete;

 private:
  InterruptState saved_;
};

}  // namespace hal

#endif  // VERIDIAN_SRC_HAL_INTERRUPTS_H_
