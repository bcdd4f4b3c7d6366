// HAL hooks that only the simulator gives a meaning to: on hardware the
// interleaving of CPUs is real, and there is no trace buffer yet.
#include "src/hal/interleave.h"
#include "src/hal/trace.h"

namespace hal {

void InterleavingPoint(InterleaveReason) {}

void TraceEvent(TraceKind, uint64_t, uint64_t) {}

}  // namespace hal
