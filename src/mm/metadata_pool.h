// Fixed-size records carved from single pages of a PageSource, for the kernel
// heap's own bookkeeping (span descriptors, magazines), which cannot come from
// the heap itself. A record finds its page by alignment; a page goes back to
// the source when its last record is freed.
#ifndef VERIDIAN_SRC_MM_METADATA_POOL_H_
#define VERIDIAN_SRC_MM_METADATA_POOL_H_

#include <cstddef>
#include <cstdint>

#include "src/lib/spinlock.h"
#include "src/mm/intrusive_list.h"
#include "src/mm/page_source.h"

namespace vos {

class MetadataPool {
 public:
  constexpr MetadataPool() = default;
  MetadataPool(const MetadataPool&) = delete;
  MetadataPool& operator=(const MetadataPool&) = delete;

  // Records of `record_size` bytes (rounded up to 32, and so aligned to 32),
  // at least one a page.
  void Init(PageSource& source, size_t record_size);

  // A zero-filled record, or nullptr when the source has no page.
  void* Allocate() VOS_EXCLUDES(lock_);
  void Free(void* record) VOS_EXCLUDES(lock_);

  size_t pages() const VOS_EXCLUDES(lock_);
  size_t records_in_use() const VOS_EXCLUDES(lock_);

 private:
  // At the start of each page; records follow it.
  struct PageHeader {
    PageHeader* next;
    PageHeader* prev;
    void* free_list;
    uint32_t in_use;
  };
  static PageHeader* PageOf(void* record);

  PageSource* source_ = nullptr;
  size_t record_size_ = 0;
  size_t records_per_page_ = 0;
  mutable SpinLock lock_;
  // Pages with at least one free record; full pages are on no list.
  IntrusiveList<PageHeader> partial_ VOS_GUARDED_BY(lock_);
  size_t pages_ VOS_GUARDED_BY(lock_) = 0;
  size_t records_in_use_ VOS_GUARDED_BY(lock_) = 0;
};

}  // namespace vos

#endif  // VERIDIAN_SRC_MM_METADATA_POOL_H_
