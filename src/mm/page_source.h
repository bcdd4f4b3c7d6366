// Where the kernel heap gets its memory: runs of contiguous 4 KiB pages,
// addressed by kernel virtual address. The frame allocator provides one for
// the kernel; tests provide their own over simulated RAM.
#ifndef VERIDIAN_SRC_MM_PAGE_SOURCE_H_
#define VERIDIAN_SRC_MM_PAGE_SOURCE_H_

#include <cstddef>

#include "src/lib/status.h"

namespace vos {

// Implementations must be callable from every CPU at once: the heap calls
// them from the slow paths of different size classes concurrently. Not on
// any hot path, so a virtual call is fine.
class PageSource {
 public:
  // `count` contiguous pages at a page-aligned kernel virtual address;
  // kNoMemory when there are none.
  virtual Result<void*> AllocPages(size_t count) = 0;
  // Gives back exactly a run returned by AllocPages.
  virtual void FreePages(void* pages, size_t count) = 0;

 protected:
  ~PageSource() = default;
};

}  // namespace vos

#endif  // VERIDIAN_SRC_MM_PAGE_SOURCE_H_
