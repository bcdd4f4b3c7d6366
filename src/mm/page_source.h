// Where the kernel heap gets its memory: runs of contiguous 4 KiB pages,
// addressed by kernel virtual address. The frame allocator provides one for
// the kernel; tests provide their own over simulated RAM.
#ifndef VERIDIAN_SRC_MM_PAGE_SOURCE_H_
#define VERIDIAN_SRC_MM_PAGE_SOURCE_H_

#include <cstddef>
#include <cstdint>
#include <span>

#include "src/lib/status.h"

namespace vos {

// Kernel virtual addresses [base, end).
struct AddressRange {
  uintptr_t base = 0;
  uintptr_t end = 0;
};

// Implementations must be callable from every CPU at once: the heap calls
// them from the slow paths of different size classes concurrently. Not on
// any hot path, so a virtual call is fine.
class PageSource {
 public:
  static constexpr size_t kMaxRanges = 4;

  // `count` contiguous pages at a page-aligned kernel virtual address;
  // kNoMemory when there are none.
  virtual Result<void*> AllocPages(size_t count) = 0;
  // Gives back exactly a run returned by AllocPages.
  virtual void FreePages(void* pages, size_t count) = 0;

  // Where AllocPages takes its pages from, when the source knows: fills the
  // first entries of `ranges` and returns how many. The heap finds the slab
  // of a page inside them with one load (PageMap); pages outside them still
  // work, more slowly. The default declares none.
  virtual size_t AddressRanges(std::span<AddressRange, kMaxRanges> /*ranges*/) const { return 0; }

 protected:
  ~PageSource() = default;
};

}  // namespace vos

#endif  // VERIDIAN_SRC_MM_PAGE_SOURCE_H_
