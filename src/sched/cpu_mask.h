// A set of CPUs: thread affinity and the scheduler's idle set.
#ifndef VERIDIAN_SRC_SCHED_CPU_MASK_H_
#define VERIDIAN_SRC_SCHED_CPU_MASK_H_

#include <array>
#include <bit>
#include <cstdint>

#include "src/hal/types.h"

namespace vos {

class CpuMask {
 public:
  static constexpr size_t kWords = hal::kMaxCpus / 64;

  constexpr CpuMask() = default;

  // CPUs 0 .. count-1.
  static constexpr CpuMask FirstN(uint32_t count) {
    CpuMask mask;
    for (uint32_t cpu = 0; cpu < count && cpu < hal::kMaxCpus; ++cpu) mask.Set(cpu);
    return mask;
  }
  static constexpr CpuMask All() { return FirstN(hal::kMaxCpus); }
  static constexpr CpuMask Only(hal::CpuId cpu) {
    CpuMask mask;
    mask.Set(cpu);
    return mask;
  }

  constexpr void Set(hal::CpuId cpu) { words_[cpu / 64] |= Bit(cpu); }
  constexpr void Clear(hal::CpuId cpu) { words_[cpu / 64] &= ~Bit(cpu); }
  constexpr bool Has(hal::CpuId cpu) const {
    return cpu < hal::kMaxCpus && (words_[cpu / 64] & Bit(cpu)) != 0;
  }
  constexpr bool Empty() const {
    for (uint64_t word : words_) {
      if (word != 0) return false;
    }
    return true;
  }
  constexpr CpuMask operator&(const CpuMask& other) const {
    CpuMask result;
    for (size_t i = 0; i < kWords; ++i) result.words_[i] = words_[i] & other.words_[i];
    return result;
  }
  constexpr bool operator==(const CpuMask& other) const = default;

  // The first CPU in the mask at or after `start`, wrapping around below
  // `limit`; kNone if there is none. Deterministic round-robin choices.
  static constexpr hal::CpuId kNone = ~hal::CpuId{0};
  constexpr hal::CpuId NextFrom(hal::CpuId start, uint32_t limit) const {
    for (uint32_t step = 0; step < limit; ++step) {
      hal::CpuId cpu = start + step;
      if (cpu >= limit) cpu -= limit;
      if (Has(cpu)) return cpu;
    }
    return kNone;
  }

 private:
  static constexpr uint64_t Bit(hal::CpuId cpu) { return uint64_t{1} << (cpu % 64); }
  std::array<uint64_t, kWords> words_{};
};

}  // namespace vos

#endif  // VERIDIAN_SRC_SCHED_CPU_MASK_H_
