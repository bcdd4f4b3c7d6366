// Inter-processor interrupts. An IPI carries no payload: the kernel keeps its
// requests in per-CPU mailboxes and sends the IPI to make the target look.
#ifndef VERIDIAN_SRC_HAL_IPI_H_
#define VERIDIAN_SRC_HAL_IPI_H_

#include "src/hal/types.h"

namespace hal {

// Sends an IPI to `target` (which may be the caller). It is delivered once,
// as a kIpi trap, when the target has interrupts enabled. IPIs sent before
// the target handled the previous one may be coalesced on real hardware; the
// kernel's mailboxes must tolerate that.
void SendIpi(CpuId target);

}  // namespace hal

#endif  // VERIDIAN_SRC_HAL_IPI_H_
