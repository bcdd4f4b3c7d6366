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
    hash_ = Mix(hash_ ^ (static_cast<uint64_t>(kind) << 48 | uint64_t{cpu} << 32));
    hash_ = Mix(hash_ ^ time);
    hash_ = Mix(hash_ ^ a);
    hash_ = Mix(hash_ ^ b);
    ++count_;
  }
  uint64_t hash() const { return hash_; }
  uint64_t count() const { return count_; }

 private:
  // The SplitMix64 finaliser: a fixed, well-mixed 64-bit permutation.
  static uint64_t Mix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  uint64_t hash_ = 0x5645524944494e31ull;
  uint64_t count_ = 0;
};

}  // namespace sim

#endif  // VERIDIAN_SIM_TRACE_H_
