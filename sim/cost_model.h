// Simulated time charged for each kind of step. Time advances only through
// this table, never from the host clock, so it is the same on every machine.
#ifndef VERIDIAN_SIM_COST_MODEL_H_
#define VERIDIAN_SIM_COST_MODEL_H_

#include <array>

#include "src/hal/interleave.h"
#include "src/hal/types.h"

namespace sim {

struct CostModel {
  // Indexed by hal::InterleaveReason.
  std::array<hal::Nanoseconds, static_cast<size_t>(hal::InterleaveReason::kCount)> step = {
      5,   // kInterruptEnable
      20,  // kLockAcquire
      10,  // kLockRelease
      15,  // kAtomicRmw
      50,  // kIpiSend
      10,  // kYield
      5,   // kTimer
  };
  hal::Nanoseconds trap_entry = 100;
  hal::Nanoseconds context_switch = 150;
  hal::Nanoseconds ipi_latency = 500;  // From send to the target noticing it.
  hal::Nanoseconds cpu_start = 10'000;
  hal::Nanoseconds page_walk = 30;  // A TLB miss.
  hal::Nanoseconds user_step = 10;  // One step of a simulated user program.
};

}  // namespace sim

#endif  // VERIDIAN_SIM_COST_MODEL_H_
