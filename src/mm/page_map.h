// Maps every page the kernel heap owns to its Span, so a free finds the slab
// or large allocation of any pointer in a fixed number of loads, and a
// pointer the heap never handed out is recognised (its page maps to nothing).
//
// A three-level radix tree over bits 12..47 of the address (12 bits a level).
// The root is part of the map, one load closer to a lookup; the other nodes
// come from the page source and are kept once made: they cost 32 KiB per
// 16 MiB of address space the heap has used.
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

// What a page maps to: its span, with the span's size class (or Span::kLarge)
// in the pointer's low bits, so a free learns the class from the map alone
// and reads the span itself only to check the pointer, off the path to the
// magazine.
class PageMapEntry {
 public:
  static constexpr uintptr_t kClassMask = alignof(Span) - 1;
  static_assert(Span::kLarge <= kClassMask);

  constexpr PageMapEntry() = default;
  explicit PageMapEntry(Span* span)
      : bits_(reinterpret_cast<uintptr_t>(span) | span->size_class) {}

  explicit operator bool() const { return bits_ != 0; }
  Span* span() const { return reinterpret_cast<Span*>(bits_ & ~kClassMask); }
  uint32_t size_class() const { return static_cast<uint32_t>(bits_ & kClassMask); }

 private:
  uintptr_t bits_ = 0;
};

class PageMap {
 public:
  static constexpr size_t kLevelBits = 12;
  static constexpr size_t kFanout = size_t{1} << kLevelBits;
  static constexpr size_t kNodePages = kFanout * sizeof(void*) / hal::kPageSize;

  constexpr PageMap() = default;
  PageMap(const PageMap&) = delete;
  PageMap& operator=(const PageMap&) = delete;

  // Nodes will come from `source`.
  void Init(PageSource& source) { source_ = &source; }

  // Maps `pages` pages from `base` (page-aligned) to `span` and its current
  // size class, making nodes as
  // needed; kNoMemory when a node cannot be made (nothing is mapped then
  // that was not before).
  Status Map(uintptr_t base, size_t pages, Span* span) VOS_EXCLUDES(lock_);
  void Unmap(uintptr_t base, size_t pages) VOS_EXCLUDES(lock_);

  // The entry of the page of `address`; empty when the heap does not own
  // it. Lock-free: a page's entry is written before any object in it is
  // handed out, and whoever frees an object got it after that.
  PageMapEntry Lookup(const void* address) const {
    const uintptr_t page = PageNumber(reinterpret_cast<uintptr_t>(address));
    const Node* middle = root_.children[page >> (2 * kLevelBits)];
    if (middle == nullptr) return {};
    const Node* leaf = middle->children[(page >> kLevelBits) & (kFanout - 1)];
    if (leaf == nullptr) return {};
    return leaf->entries[page & (kFanout - 1)];
  }

  // Pages the nodes below the root take.
  size_t node_pages() const { return node_pages_.load(std::memory_order_relaxed); }

 private:
  union Node {
    Node* children[kFanout];
    PageMapEntry entries[kFanout];
  };
  static_assert(sizeof(Node) == kNodePages * hal::kPageSize);

  static uintptr_t PageNumber(uintptr_t address) {
    return (address >> 12) & ((uintptr_t{1} << (3 * kLevelBits)) - 1);
  }
  // The leaf slot of `page`, making nodes when `create`; nullptr otherwise.
  PageMapEntry* SlotLocked(uintptr_t page, bool create) VOS_REQUIRES(lock_);
  Node* NewNodeLocked() VOS_REQUIRES(lock_);

  PageSource* source_ = nullptr;
  Node root_ = {};
  SpinLock lock_;
  std::atomic<size_t> node_pages_{0};
};

}  // namespace vos

#endif  // VERIDIAN_SRC_MM_PAGE_MAP_H_
