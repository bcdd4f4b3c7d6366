#include "src/mm/page_map.h"

namespace vos {
namespace {

uintptr_t Size(const AddressRange& range) { return range.end - range.base; }

// Insertion sort: a handful of ranges, and no library call in the kernel.
template <typename Less>
void Sort(AddressRange* ranges, size_t count, Less less) {
  for (size_t i = 1; i < count; ++i) {
    for (size_t j = i; j > 0 && less(ranges[j], ranges[j - 1]); --j) {
      const AddressRange swapped = ranges[j];
      ranges[j] = ranges[j - 1];
      ranges[j - 1] = swapped;
    }
  }
}

// Page-aligns `ranges`, drops empty ones, merges those whose gap is no wider
// than both together (a shared table at most doubles their tables), and
// orders the rest largest first. Returns how many remain.
size_t PlanWindows(AddressRange* ranges, size_t count) {
  size_t kept = 0;
  for (size_t i = 0; i < count; ++i) {
    AddressRange range{.base = ranges[i].base & ~(hal::kPageSize - 1),
                       .end = (ranges[i].end + hal::kPageSize - 1) & ~(hal::kPageSize - 1)};
    if (range.end > range.base) ranges[kept++] = range;
  }
  Sort(ranges, kept,
            [](const AddressRange& a, const AddressRange& b) { return a.base < b.base; });
  size_t merged = 0;
  for (size_t i = 0; i < kept; ++i) {
    AddressRange& last = ranges[merged > 0 ? merged - 1 : 0];
    const AddressRange& next = ranges[i];
    if (merged > 0 && (next.base <= last.end || next.base - last.end <= Size(last) + Size(next))) {
      if (next.end > last.end) last.end = next.end;
    } else {
      ranges[merged++] = next;
    }
  }
  Sort(ranges, merged,
            [](const AddressRange& a, const AddressRange& b) { return Size(a) > Size(b); });
  return merged;
}

}  // namespace

void PageMap::Init(PageSource& source) {
  SpinLockGuard guard(lock_);
  source_ = &source;
  AddressRange ranges[kMaxWindows];
  const size_t count = PlanWindows(ranges, source.AddressRanges(ranges));
  for (size_t i = 0; i < count; ++i) {
    const size_t table_bytes = Size(ranges[i]) / hal::kPageSize * sizeof(PageMapEntry);
    void* table = NewTableLocked((table_bytes + hal::kPageSize - 1) / hal::kPageSize);
    if (table == nullptr) continue;
    windows_[window_count_++] = Window{.base = ranges[i].base,
                                       .bytes = Size(ranges[i]),
                                       .entries = static_cast<PageMapEntry*>(table)};
  }
}

void* PageMap::NewTableLocked(size_t pages) {
  Result<void*> table = source_->AllocPages(pages);
  if (!table.ok()) return nullptr;
  __builtin_memset(*table, 0, pages * hal::kPageSize);
  node_pages_.store(node_pages_.load(std::memory_order_relaxed) + pages,
                    std::memory_order_relaxed);
  return *table;
}

PageMapEntry PageMap::Lookup(const void* address) const {
  const auto at = reinterpret_cast<uintptr_t>(address);
  for (size_t i = 0; i < window_count_; ++i) {
    const uintptr_t offset = at - windows_[i].base;
    if (offset < windows_[i].bytes) return windows_[i].entries[offset / hal::kPageSize];
  }
  return LookupInTree(at);
}

PageMapEntry PageMap::LookupInTree(uintptr_t address) const {
  const uintptr_t page = PageNumber(address);
  const Node* middle = root_.children[page >> (2 * kLevelBits)];
  if (middle == nullptr) return {};
  const Node* leaf = middle->children[(page >> kLevelBits) & (kFanout - 1)];
  if (leaf == nullptr) return {};
  return leaf->entries[page & (kFanout - 1)];
}

PageMapEntry* PageMap::SlotLocked(uintptr_t address, bool create) {
  for (size_t i = 0; i < window_count_; ++i) {
    const uintptr_t offset = address - windows_[i].base;
    if (offset < windows_[i].bytes) return &windows_[i].entries[offset / hal::kPageSize];
  }
  const uintptr_t page = PageNumber(address);
  Node* node = &root_;
  for (size_t shift = 2 * kLevelBits; shift > 0; shift -= kLevelBits) {
    Node*& child = node->children[(page >> shift) & (kFanout - 1)];
    if (child == nullptr) {
      if (!create) return nullptr;
      child = static_cast<Node*>(NewTableLocked(kNodePages));
      if (child == nullptr) return nullptr;
    }
    node = child;
  }
  return &node->entries[page & (kFanout - 1)];
}

Status PageMap::Map(uintptr_t base, size_t pages, Span* span) {
  SpinLockGuard guard(lock_);
  const uintptr_t end = base + pages * hal::kPageSize;
  // Make every node first, so a failure leaves the map as it was.
  for (uintptr_t page = base; page < end; page += hal::kPageSize) {
    if (SlotLocked(page, /*create=*/true) == nullptr) return Status::kNoMemory;
  }
  for (uintptr_t page = base; page < end; page += hal::kPageSize) {
    *SlotLocked(page, /*create=*/false) = PageMapEntry(span);
  }
  return Status::kOk;
}

void PageMap::Unmap(uintptr_t base, size_t pages) {
  SpinLockGuard guard(lock_);
  const uintptr_t end = base + pages * hal::kPageSize;
  for (uintptr_t page = base; page < end; page += hal::kPageSize) {
    if (PageMapEntry* slot = SlotLocked(page, /*create=*/false)) *slot = PageMapEntry();
  }
}

}  // namespace vos
