// Sets of CPUs, one bit each: CpuMask is a plain value (affinity masks,
// snapshots, the simulator's runnable CPUs); AtomicCpuMask is shared between
// CPUs (TLB shootdown targets, the CPUs an address space is active on), its
// updates read-modify-write atomics, so the simulator interleaves at each.
#ifndef VERIDIAN_SRC_LIB_CPU_MASK_H_
#define VERIDIAN_SRC_LIB_CPU_MASK_H_

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

#include "src/hal/atomic.h"
#include "src/hal/types.h"

namespace vos {

class CpuMask {
 public:
  static constexpr size_t kWords = (hal::kMaxCpus + 63) / 64;
  static constexpr hal::CpuId kNone = ~hal::CpuId{0};

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
  constexpr uint32_t Count() const {
    uint32_t count = 0;
    for (uint64_t word : words_) count += static_cast<uint32_t>(std::popcount(word));
    return count;
  }
  constexpr CpuMask operator&(const CpuMask& other) const {
    CpuMask result;
    for (size_t i = 0; i < kWords; ++i) result.words_[i] = words_[i] & other.words_[i];
    return result;
  }
  constexpr bool operator==(const CpuMask& other) const = default;

  // Calls fn(cpu) for every CPU in the mask, in increasing order.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (size_t word = 0; word < kWords; ++word) {
      for (uint64_t bits = words_[word]; bits != 0; bits &= bits - 1) {
        fn(static_cast<hal::CpuId>(word * 64 + static_cast<size_t>(std::countr_zero(bits))));
      }
    }
  }

  // The first CPU in the mask at or after `start`, wrapping around below
  // `limit`; kNone if there is none. Deterministic round-robin choices.
  constexpr hal::CpuId NextFrom(hal::CpuId start, uint32_t limit) const {
    for (uint32_t step = 0; step < limit; ++step) {
      hal::CpuId cpu = start + step;
      if (cpu >= limit) cpu -= limit;
      if (Has(cpu)) return cpu;
    }
    return kNone;
  }

 private:
  friend class AtomicCpuMask;
  static constexpr uint64_t Bit(hal::CpuId cpu) { return uint64_t{1} << (cpu % 64); }
  std::array<uint64_t, kWords> words_{};
};

class AtomicCpuMask {
 public:
  static constexpr size_t kWords = CpuMask::kWords;

  void Set(hal::CpuId cpu) { words_[cpu / 64].FetchOr(CpuMask::Bit(cpu)); }
  void Clear(hal::CpuId cpu) { words_[cpu / 64].FetchAnd(~CpuMask::Bit(cpu)); }
  bool Has(hal::CpuId cpu) const { return (words_[cpu / 64].Load() & CpuMask::Bit(cpu)) != 0; }
  // The mask as it is now (word by word: CPUs added or removed meanwhile may
  // or may not be in it).
  CpuMask Snapshot() const {
    CpuMask mask;
    for (size_t word = 0; word < kWords; ++word) mask.words_[word] = words_[word].Load();
    return mask;
  }

 private:
  hal::Atomic<uint64_t> words_[kWords];
};

}  // namespace vos

#endif  // VERIDIAN_SRC_LIB_CPU_MASK_H_
