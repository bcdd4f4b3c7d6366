// Maps every page the kernel heap owns to its Span, so a free finds the slab
// or large allocation of any pointer in a fixed number of loads, and a
// pointer the heap never handed out is recognised (its page maps to nothing).
//
// A three-level radix tree over bits 12..47 of the address (12 bits a level).
// Nodes come from the page source and are kept once made: they cost 32 KiB
// per 16 MiB of address space the heap has used.
#ifndef VERIDIAN_SRC_MM_PAGE_MAP_H_
#define VERIDIAN_SRC_MM_PAGE_MAP_H_

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "src/hal/types.h"
#include "src/lib/spinlock.h"
#include "src/lib/status.h"
#include "src/mm/page_source.h"
#include "src/mm/span.h"

namespace vos {

class PageMap {
 public:
  static constexpr size_t kLevelBits = 12;
  static constexpr size_t kFanout = size_t{1} << kLevelBits;
  static constexpr size_t kNodePages = kFanout * sizeof(void*) / hal::kPageSize;

  constexpr PageMap() = default;
  PageMap(const PageMap&) = delete;
  PageMap& operator=(const PageMap&) = delete;

  // Takes the root node from `source`.
  Status Init(PageSource& source);

  // Maps `pages` pages from `base` (page-aligned) to `span`, making nodes as
  // needed; kNoMemory when a node cannot be made (nothing is mapped then
  // that was not before).
  Status Map(uintptr_t base, size_t pages, Span* span) VOS_EXCLUDES(lock_);
  void Unmap(uintptr_t base, size_t pages) VOS_EXCLUDES(lock_);

  // The span owning the page of `address`, or nullptr. Lock-free: a page's
  // entry is written before any object in it is handed out, and whoever frees
  // an object got it after that.
  Span* Lookup(const void* address) const {
    const uintptr_t page = PageNumber(reinterpret_cast<uintptr_t>(address));
    const Node* middle = root_->children[page >> (2 * kLevelBits)];
    if (middle == nullptr) return nullptr;
    const Node* leaf = middle->children[(page >> kLevelBits) & (kFanout - 1)];
    if (leaf == nullptr) return nullptr;
    return leaf->spans[page & (kFanout - 1)];
  }

  // Pages the nodes take, the root included.
  size_t node_pages() const { return node_pages_.load(std::memory_order_relaxed); }

 private:
  union Node {
    Node* children[kFanout];
    Span* spans[kFanout];
  };
  static_assert(sizeof(Node) == kNodePages * hal::kPageSize);

  static uintptr_t PageNumber(uintptr_t address) {
    return (address >> 12) & ((uintptr_t{1} << (3 * kLevelBits)) - 1);
  }
  // The leaf slot of `page`, making nodes when `create`; nullptr otherwise.
  Span** SlotLocked(uintptr_t page, bool create) VOS_REQUIRES(lock_);
  Node* NewNodeLocked() VOS_REQUIRES(lock_);

  PageSource* source_ = nullptr;
  Node* root_ = nullptr;
  SpinLock lock_;
  std::atomic<size_t> node_pages_{0};
};

}  // namespace vos

#endif  // VERIDIAN_SRC_MM_PAGE_MAP_H_
