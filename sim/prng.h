// The simulator's only source of randomness: a seeded xoshiro256** generator.
// Written out (not <random>) so the sequence is identical on every platform
// and standard library.
#ifndef VERIDIAN_SIM_PRNG_H_
#define VERIDIAN_SIM_PRNG_H_

#include <cstdint>

#include "src/lib/split_mix.h"

namespace sim {

class Prng {
 public:
  explicit Prng(uint64_t seed) {
    vos::SplitMix64 seeder(seed);
    for (uint64_t& word : state_) word = seeder.Next();
  }

  uint64_t Next() {
    const uint64_t result = Rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = Rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, bound), bound > 0 (Lemire's multiply-shift, with rejection).
  uint32_t Below(uint32_t bound) {
    uint64_t product = (Next() >> 32) * bound;
    uint32_t low = static_cast<uint32_t>(product);
    if (low < bound) {
      const uint32_t threshold = -bound % bound;
      while (low < threshold) {
        product = (Next() >> 32) * bound;
        low = static_cast<uint32_t>(product);
      }
    }
    return static_cast<uint32_t>(product >> 32);
  }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t state_[4];
};

}  // namespace sim

#endif  // VERIDIAN_SIM_PRNG_H_
