#include "src/mm/page_map.h"

namespace vos {

PageMap::Node* PageMap::NewNodeLocked() {
  Result<void*> pages = source_->AllocPages(kNodePages);
  if (!pages.ok()) return nullptr;
  __builtin_memset(*pages, 0, sizeof(Node));
  node_pages_.store(node_pages_.load(std::memory_order_relaxed) + kNodePages,
                    std::memory_order_relaxed);
  return static_cast<Node*>(*pages);
}

PageMapEntry* PageMap::SlotLocked(uintptr_t page, bool create) {
  Node* node = &root_;
  for (size_t shift = 2 * kLevelBits; shift > 0; shift -= kLevelBits) {
    Node*& child = node->children[(page >> shift) & (kFanout - 1)];
    if (child == nullptr) {
      if (!create) return nullptr;
      child = NewNodeLocked();
      if (child == nullptr) return nullptr;
    }
    node = child;
  }
  return &node->entries[page & (kFanout - 1)];
}

Status PageMap::Map(uintptr_t base, size_t pages, Span* span) {
  SpinLockGuard guard(lock_);
  const uintptr_t first = PageNumber(base);
  // Make every node first, so a failure leaves the map as it was.
  for (uintptr_t page = first; page < first + pages; ++page) {
    if (SlotLocked(page, /*create=*/true) == nullptr) return Status::kNoMemory;
  }
  for (uintptr_t page = first; page < first + pages; ++page) {
    *SlotLocked(page, /*create=*/false) = PageMapEntry(span);
  }
  return Status::kOk;
}

void PageMap::Unmap(uintptr_t base, size_t pages) {
  SpinLockGuard guard(lock_);
  const uintptr_t first = PageNumber(base);
  for (uintptr_t page = first; page < first + pages; ++page) {
    if (PageMapEntry* slot = SlotLocked(page, /*create=*/false)) *slot = PageMapEntry();
  }
}

}  // namespace vos
