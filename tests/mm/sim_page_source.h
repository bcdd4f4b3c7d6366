// A vos::PageSource for heap tests and benchmarks, over simulated RAM: fresh
// pages from a vos::BootAllocator initialised from hal::GetMemoryMap(), freed
// runs reused for requests of the same length. It panics unless every free
// gives back exactly a run it handed out, poisons pages (so a heap that uses
// memory it does not own corrupts what it later reads), counts the pages
// outstanding, and can be capped to simulate exhaustion. It declares the
// direct-map range of each NUMA node's RAM, as the kernel's source does,
// unless told not to (to exercise the heap's lookup outside them).
//
// Construct it inside a simulated machine; use it from any simulated CPU.
#ifndef VERIDIAN_TESTS_MM_SIM_PAGE_SOURCE_H_
#define VERIDIAN_TESTS_MM_SIM_PAGE_SOURCE_H_

#include <cstddef>
#include <limits>
#include <map>
#include <span>

#include "src/lib/spinlock.h"
#include "src/mm/boot_allocator.h"
#include "src/mm/page_source.h"

namespace testing_support {

class SimPageSource final : public vos::PageSource {
 public:
  static constexpr unsigned char kPoison = 0xdb;

  // Benchmarks turn poisoning off: it would dominate large allocations.
  explicit SimPageSource(bool poison = true, bool declare_ranges = true);

  vos::Result<void*> AllocPages(size_t count) override;
  void FreePages(void* pages, size_t count) override;
  size_t AddressRanges(
      std::span<vos::AddressRange, vos::PageSource::kMaxRanges> ranges) const override;

  // Pages handed out and not yet freed.
  size_t outstanding_pages() const;
  size_t alloc_calls() const;
  size_t free_calls() const;
  // AllocPages fails once `pages` would be outstanding.
  void set_limit(size_t pages);

 private:
  mutable vos::SpinLock lock_;
  vos::BootAllocator boot_;
  std::map<void*, size_t> live_;
  std::multimap<size_t, void*> reusable_;
  size_t outstanding_ = 0;
  size_t limit_ = std::numeric_limits<size_t>::max();
  size_t alloc_calls_ = 0;
  size_t free_calls_ = 0;
  const bool poison_;
  const bool declare_ranges_;
};

}  // namespace testing_support

#endif  // VERIDIAN_TESTS_MM_SIM_PAGE_SOURCE_H_
