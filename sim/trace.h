// The run's trace: every scheduling decision and kernel event, folded into a
// hash that identifies the interleaving. (Recording to a file and replay
// build on this; see docs/simulator.md.)
#ifndef VERIDIAN_SIM_TRACE_H_
#define VERIDIAN_SIM_TRACE_H_

#include <cstdint>

#include "src/hal/trace.h"
#include "src/hal/types.h"

namespace sim {

class Trace {
 public:
  void Record(hal::TraceKind kind, hal::CpuId cpu, hal::Nanoseconds time, uint64_t a,
              uint64_t b) {
    hash_ = Round(hash_, static_cast<uint64_t>(kind) << 48 | uint64_t{cpu} << 32);
    hash_ = Round(hash_, time);
    hash_ = Round(hash_, a);
    hash_ = Round(hash_, b);
    ++count_;
  }
  uint64_t hash() const { return hash_; }
  uint64_t count() const { return count_; }

 private:
  // The XXH64 accumulator round: one multiply-rotate-multiply per word, cheap
  // enough for every event and order-sensitive.
  static uint64_t Round(uint64_t accumulator, uint64_t input) {
    accumulator += input * 0xc2b2ae3d27d4eb4full;
    accumulator = (accumulator << 31) | (accumulator >> 33);
    return accumulator * 0x9e3779b185ebca87ull;
  }
  uint64_t hash_ = 0x5645524944494e31ull;
  uint64_t count_ = 0;
};

}  // namespace sim

#endif  // VERIDIAN_SIM_TRACE_H_
