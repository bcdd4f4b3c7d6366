// A plain set of CPUs, one bit each (not shared between CPUs: see
// cpu_mask.h for the atomic one). Header-only and HAL-free, so the simulator
// uses it too.
#ifndef VERIDIAN_SRC_LIB_CPU_SET_H_
#define VERIDIAN_SRC_LIB_CPU_SET_H_

#include <cstddef>
#include <cstdint>

#include "src/hal/types.h"

namespace vos {

inline constexpr size_t kCpuMaskWords = (hal::kMaxCpus + 63) / 64;

// E.g. a snapshot of an AtomicCpuMask, or the simulator's runnable CPUs.
struct CpuSet {
  uint64_t words[kCpuMaskWords] = {};

  static constexpr uint64_t Bit(hal::CpuId cpu) { return uint64_t{1} << (cpu % 64); }
  void Add(hal::CpuId cpu) { words[cpu / 64] |= Bit(cpu); }
  void Remove(hal::CpuId cpu) { words[cpu / 64] &= ~Bit(cpu); }
  bool Has(hal::CpuId cpu) const { return (words[cpu / 64] & Bit(cpu)) != 0; }
  uint32_t Count() const {
    uint32_t count = 0;
    for (uint64_t word : words) count += static_cast<uint32_t>(__builtin_popcountll(word));
    return count;
  }
  // Calls fn(cpu) for every CPU in the set, in increasing order.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (size_t word = 0; word < kCpuMaskWords; ++word) {
      for (uint64_t bits = words[word]; bits != 0; bits &= bits - 1) {
        fn(static_cast<hal::CpuId>(word * 64 + static_cast<size_t>(__builtin_ctzll(bits))));
      }
    }
  }
};

}  // namespace vos

#endif  // VERIDIAN_SRC_LIB_CPU_SET_H_
