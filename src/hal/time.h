// Monotonic clock and the per-CPU one-shot timer.
#ifndef VERIDIAN_SRC_HAL_TIME_H_
#define VERIDIAN_SRC_HAL_TIME_H_

#include "src/hal/types.h"

namespace hal {

// Nanoseconds since boot; never goes backwards on one CPU.
Nanoseconds Now();

// Arms this CPU's one-shot timer: a kTimer trap arrives on this CPU once
// Now() >= deadline (at once if the deadline has passed). Re-arming replaces
// the previous deadline.
void TimerSetDeadline(Nanoseconds deadline);
void TimerCancel();

}  // namespace hal

#endif  // VERIDIAN_SRC_HAL_TIME_H_
