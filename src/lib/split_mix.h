// splitmix64 (Steele, Lea and Flood): a small generator whose sequence is the
// same on every machine, compiler and standard library. The kernel's
// self-tests and the catalog's user programs pick with it; the simulator
// seeds its own generator (sim/prng.h) with it.
#ifndef VERIDIAN_SRC_LIB_SPLIT_MIX_H_
#define VERIDIAN_SRC_LIB_SPLIT_MIX_H_

#include <cstdint>

namespace vos {

class SplitMix64 {
 public:
  explicit constexpr SplitMix64(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  // In [0, bound), bound > 0; the modulo's slight bias does not matter for
  // picking test cases.
  uint64_t Below(uint64_t bound) { return Next() % bound; }
  bool OneIn(uint64_t n) { return Below(n) == 0; }

 private:
  uint64_t state_;
};

}  // namespace vos

#endif  // VERIDIAN_SRC_LIB_SPLIT_MIX_H_
