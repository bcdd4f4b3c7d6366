// A set of CPUs, one bit each, safe to update from many CPUs at once (TLB
// shootdown targets, the CPUs an address space is active on). Updates are
// read-modify-write atomics, so the simulator interleaves CPUs at each one.
#ifndef VERIDIAN_SRC_LIB_CPU_MASK_H_
#define VERIDIAN_SRC_LIB_CPU_MASK_H_

#include <cstddef>
#include <cstdint>

#include "src/hal/atomic.h"
#include "src/hal/types.h"
#include "src/lib/cpu_set.h"

namespace vos {

class AtomicCpuMask {
 public:
  static constexpr size_t kWords = kCpuMaskWords;

  void Set(hal::CpuId cpu) { words_[cpu / 64].FetchOr(Bit(cpu)); }
  void Clear(hal::CpuId cpu) { words_[cpu / 64].FetchAnd(~Bit(cpu)); }
  bool Has(hal::CpuId cpu) const { return (words_[cpu / 64].Load() & Bit(cpu)) != 0; }
  uint64_t Word(size_t index) const { return words_[index].Load(); }
  // The set as it is now (word by word: CPUs added or removed meanwhile may
  // or may not be in it).
  CpuSet Snapshot() const {
    CpuSet set;
    for (size_t word = 0; word < kWords; ++word) set.words[word] = Word(word);
    return set;
  }

 private:
  static constexpr uint64_t Bit(hal::CpuId cpu) { return CpuSet::Bit(cpu); }
  hal::Atomic<uint64_t> words_[kWords];
};

}  // namespace vos

#endif  // VERIDIAN_SRC_LIB_CPU_MASK_H_
