// Maps every page the kernel heap owns to its Span, so a free finds the slab
// or large allocation of any pointer in a fixed number of loads, and a
// pointer the heap never handed out is recognised (its page maps to nothing).
//
// Inside the address ranges the page source declares (PageSource::
// AddressRanges), a flat table per range ("window") holds one entry per
// page: one load, as Linux finds a page's slab through its struct page
// array. The tables are made at Init and cost 8 bytes per 4 KiB page of the
// range (1/512 of it). Pages outside every window go to a three-level radix
// tree over bits 12..47 of the address (12 bits a level), whose root is part
// of the map and whose other nodes come from the page source and are kept
// once made: 32 KiB per 16 MiB of address space the heap has used there.
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
  static constexpr size_t kMaxWindows = PageSource::kMaxRanges;

  constexpr PageMap() = default;
  PageMap(const PageMap&) = delete;
  PageMap& operator=(const PageMap&) = delete;

  // Makes a window for each range `source` declares (ranges nearer than
  // their own size share one, the largest window first); tables and nodes
  // will come from `source`. A window whose table cannot be had is left to
  // the tree.
  void Init(PageSource& source) VOS_EXCLUDES(lock_);

  // Maps `pages` pages from `base` (page-aligned) to `span` and its current
  // size class, making tree nodes as needed; kNoMemory when a node cannot be
  // made (nothing is mapped then that was not before).
  Status Map(uintptr_t base, size_t pages, Span* span) VOS_EXCLUDES(lock_);
  void Unmap(uintptr_t base, size_t pages) VOS_EXCLUDES(lock_);

  // The entry of the page of `address`; empty when the heap does not own
  // it. Lock-free: a page's entry is written before any object in it is
  // handed out, and whoever frees an object got it after that.
  PageMapEntry Lookup(const void* address) const;

  // Lookup for the heap's fast paths: one compare and one load, but empty
  // for any address outside the first (largest) window, where the caller
  // falls back to Lookup.
  PageMapEntry LookupInFirstWindow(const void* address) const {
    const uintptr_t offset = reinterpret_cast<uintptr_t>(address) - windows_[0].base;
    if (offset >= windows_[0].bytes) return {};
    return windows_[0].entries[offset / hal::kPageSize];
  }

  // Pages the windows' tables and the tree's nodes below the root take.
  size_t node_pages() const { return node_pages_.load(std::memory_order_relaxed); }
  size_t window_count() const { return window_count_; }

 private:
  // Pages [base, base + bytes), one entry each.
  struct Window {
    uintptr_t base = 0;
    uintptr_t bytes = 0;
    PageMapEntry* entries = nullptr;
  };
  union Node {
    Node* children[kFanout];
    PageMapEntry entries[kFanout];
  };
  static_assert(sizeof(Node) == kNodePages * hal::kPageSize);

  static uintptr_t PageNumber(uintptr_t address) {
    return (address >> 12) & ((uintptr_t{1} << (3 * kLevelBits)) - 1);
  }
  PageMapEntry LookupInTree(uintptr_t address) const;
  // The slot of the page of `address`, making tree nodes when `create`;
  // nullptr otherwise.
  PageMapEntry* SlotLocked(uintptr_t address, bool create) VOS_REQUIRES(lock_);
  void* NewTableLocked(size_t pages) VOS_REQUIRES(lock_);

  // Read without the lock by lookups: written only by Init, before any
  // page is mapped.
  Window windows_[kMaxWindows] = {};
  size_t window_count_ = 0;
  PageSource* source_ = nullptr;
  Node root_ = {};
  SpinLock lock_;
  std::atomic<size_t> node_pages_{0};
};

}  // namespace vos

#endif  // VERIDIAN_SRC_MM_PAGE_MAP_H_
