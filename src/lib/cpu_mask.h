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
  // A word at a time: O(limit / 64).
  constexpr hal::CpuId NextFrom(hal::CpuId start, uint32_t limit) const {
    if (start >= limit) start = 0;
    const hal::CpuId found = FirstIn(start, limit);
    return found != kNone ? found : FirstIn(0, start);
  }

  // Calls fn(cpu) for every CPU in the mask in the order NextFrom would find
  // them: from `start` up to `limit`, then from 0 up to `start`.
  template <typename Fn>
  void ForEachFrom(hal::CpuId start, uint32_t limit, Fn&& fn) const {
    if (start >= limit) start = 0;
    ForEachIn(start, limit, fn);
    ForEachIn(0, start, fn);
  }

  static constexpr CpuMask FromWords(const std::array<uint64_t, kWords>& words) {
    CpuMask mask;
    mask.words_ = words;
    return mask;
  }

 private:
  friend class AtomicCpuMask;
  static constexpr uint64_t Bit(hal::CpuId cpu) { return uint64_t{1} << (cpu % 64); }
  // The bits of word `word` for CPUs in [from, to).
  constexpr uint64_t WordIn(size_t word, hal::CpuId from, hal::CpuId to) const {
    uint64_t bits = words_[word];
    const size_t first = word * 64;
    if (from > first) bits &= ~uint64_t{0} << (from - first);
    if (to < first + 64) bits &= (uint64_t{1} << (to - first)) - 1;
    return bits;
  }
  constexpr hal::CpuId FirstIn(hal::CpuId from, hal::CpuId to) const {
    if (from >= to) return kNone;
    for (size_t word = from / 64; word <= (to - 1) / 64; ++word) {
      const uint64_t bits = WordIn(word, from, to);
      if (bits != 0) return static_cast<hal::CpuId>(word * 64 + std::countr_zero(bits));
    }
    return kNone;
  }
  template <typename Fn>
  void ForEachIn(hal::CpuId from, hal::CpuId to, Fn& fn) const {
    if (from >= to) return;
    for (size_t word = from / 64; word <= (to - 1) / 64; ++word) {
      for (uint64_t bits = WordIn(word, from, to); bits != 0; bits &= bits - 1) {
        fn(static_cast<hal::CpuId>(word * 64 + static_cast<size_t>(std::countr_zero(bits))));
      }
    }
  }
  std::array<uint64_t, kWords> words_{};
};

class AtomicCpuMask {
 public:
  static constexpr size_t kWords = CpuMask::kWords;

  void Set(hal::CpuId cpu) { words_[cpu / 64].FetchOr(CpuMask::Bit(cpu)); }
  void Clear(hal::CpuId cpu) { words_[cpu / 64].FetchAnd(~CpuMask::Bit(cpu)); }
  // Clears `cpu`'s bit; whether this call cleared it (it was set).
  bool TestAndClear(hal::CpuId cpu) {
    return (words_[cpu / 64].FetchAnd(~CpuMask::Bit(cpu)) & CpuMask::Bit(cpu)) != 0;
  }
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
