#include "src/mm/page_table.h"

#include <atomic>
#include <bit>
#include <type_traits>

#include "src/lib/assert.h"
#include "src/mm/pte_aarch64.h"
#include "src/mm/pte_riscv.h"
#include "src/mm/pte_x86_64.h"

namespace vos {
namespace {

using Entry = uint64_t;

Entry* TableAt(hal::PhysAddr table) { return static_cast<Entry*>(hal::PhysToVirt(table)); }

Entry Load(Entry* slot) { return std::atomic_ref<Entry>(*slot).load(std::memory_order_relaxed); }

// Runs fn(std::type_identity<Format>{}) for the traits of `format`: the one
// runtime switch; everything below it is compiled per format.
template <typename Fn>
decltype(auto) WithFormat(hal::PageTableFormat format, Fn&& fn) {
  switch (format) {
    case hal::PageTableFormat::kX86_64: return fn(std::type_identity<X86_64Pte>{});
    case hal::PageTableFormat::kAarch64: return fn(std::type_identity<Aarch64Pte>{});
    case hal::PageTableFormat::kSv39: return fn(std::type_identity<Sv39Pte>{});
    case hal::PageTableFormat::kSv48: return fn(std::type_identity<Sv48Pte>{});
  }
  Panic("unknown page-table format %d", static_cast<int>(format));
}

}  // namespace

// The walk, for one format's traits (pte_format.h). Levels count down from
// the root (kTop) to 0, the 4 KiB level.
template <typename Format>
class PageTableWalker {
 public:
  explicit PageTableWalker(const PageTable& table) : table_(table) {}

  static Status CheckVa(hal::VirtAddr va, VaRange range) {
    const bool lower = va < Format::kLowerHalfEnd;
    const bool upper = va >= Format::kUpperHalfStart;
    switch (range) {
      case VaRange::kAll: return lower || upper ? Status::kOk : Status::kOutOfRange;
      case VaRange::kLower: return lower ? Status::kOk : Status::kOutOfRange;
      case VaRange::kUpper: return upper ? Status::kOk : Status::kOutOfRange;
    }
    return Status::kOutOfRange;
  }

  Status Map(hal::VirtAddr va, hal::PhysAddr pa, PageSize size, Perm perms) const {
    const int leaf_level = LeafLevel(size);
    if (((va | pa) & (PageBytes(size) - 1)) != 0) return Status::kInvalidArgument;
    VOS_RETURN_IF_ERROR(CheckPerms(perms));
    VOS_RETURN_IF_ERROR(CheckVa(va, table_.range_));
    if ((pa >> Format::kPhysicalBits) != 0) return Status::kOutOfRange;

    Path path;
    hal::PhysAddr phys = table_.root_;
    for (int level = kTop; level > leaf_level; --level) {
      Entry* table = path.Enter(level, phys);
      Entry* slot = &table[LevelIndex(va, level)];
      const Entry entry = Load(slot);
      if (!Format::IsValid(entry)) {
        Result<hal::PhysAddr> fresh = table_.source_->AllocTable();
        if (!fresh.ok()) {
          PruneEmpty(path, va, level);  // Tables this call created are empty.
          return Status::kNoMemory;
        }
        Publish(slot, Format::TableEntry(*fresh));
        AddToCount(table, 1);
        phys = *fresh;
      } else if (Format::IsLeaf(entry, level)) {
        return Status::kAlreadyExists;  // A larger page covers va.
      } else {
        phys = Format::Address(entry);
      }
    }
    // A valid entry here is a page, or a table of smaller pages.
    Entry* table = TableAt(phys);
    Entry* slot = &table[LevelIndex(va, leaf_level)];
    if (Format::IsValid(Load(slot))) return Status::kAlreadyExists;
    Publish(slot, Format::LeafEntry(pa, leaf_level, perms));
    AddToCount(table, 1);
    return Status::kOk;
  }

  Result<Unmapped> Unmap(hal::VirtAddr va) const {
    Path path;
    Leaf leaf;
    VOS_RETURN_IF_ERROR(FindLeafAt(va, &path, &leaf));
    const Entry old = Update(leaf.slot, [](Entry) { return Entry{0}; });
    AddToCount(path.virt[leaf.level], -1);
    const uint32_t freed = PruneEmpty(path, va, leaf.level);
    return Unmapped{Decode(old, leaf.level, va), freed};
  }

  Result<Mapping> Protect(hal::VirtAddr va, Perm perms) const {
    VOS_RETURN_IF_ERROR(CheckPerms(perms));
    Path path;
    Leaf leaf;
    VOS_RETURN_IF_ERROR(FindLeafAt(va, &path, &leaf));
    const Entry old = Update(leaf.slot, [&](Entry current) {
      return Format::LeafEntry(LeafAddress(current, leaf.level), leaf.level, perms) |
             (current & Format::kHardwareAccessedDirty);
    });
    return Decode(old, leaf.level, va);
  }

  Result<Mapping> Query(hal::VirtAddr va) const {
    VOS_RETURN_IF_ERROR(CheckVa(va, table_.range_));
    Path path;
    Leaf leaf;
    VOS_RETURN_IF_ERROR(FindLeaf(va, &path, &leaf));
    return Decode(leaf.entry, leaf.level, va);
  }

  Result<Mapping> ClearAccessedDirty(hal::VirtAddr va) const {
    if constexpr (Format::kHardwareAccessedDirty == 0) {
      return Status::kNotSupported;
    } else {
      Path path;
      Leaf leaf;
      VOS_RETURN_IF_ERROR(FindLeafAt(va, &path, &leaf));
      const Entry old = Update(
          leaf.slot, [](Entry current) { return current & ~Format::kHardwareAccessedDirty; });
      return Decode(old, leaf.level, va);
    }
  }

  // Frees `phys`, a table at `level`, and every table below it.
  static void FreeTree(PageTableSource& source, hal::PhysAddr phys, int level) {
    if (level > 0) {
      Entry* table = TableAt(phys);
      for (size_t i = 0; i < kEntriesPerTable; ++i) {
        const Entry entry = Load(&table[i]);
        if (Format::IsValid(entry) && !Format::IsLeaf(entry, level)) {
          FreeTree(source, Format::Address(entry), level - 1);
        }
      }
    }
    source.FreeTable(phys);
  }

  static constexpr int kTop = Format::kLevels - 1;

 private:
  // Valid-entry counts live in the software bits of a table's first
  // kCountChunks entries, kSoftwareBits per entry, low bits first. The
  // hardware ignores those bits in valid and invalid entries alike, and every
  // other write here keeps them.
  static constexpr Entry kSoftwareMask = BitMask(Format::kSoftwareShift, Format::kSoftwareBits);
  static constexpr int kCountBits = std::bit_width(kEntriesPerTable);
  static constexpr int kCountChunks =
      (kCountBits + Format::kSoftwareBits - 1) / Format::kSoftwareBits;
  static constexpr unsigned kChunkMask = (1u << Format::kSoftwareBits) - 1;

  // The tables a walk went through, by level.
  struct Path {
    Entry* Enter(int level, hal::PhysAddr table) {
      phys[level] = table;
      return virt[level] = TableAt(table);
    }
    hal::PhysAddr phys[Format::kLevels];
    Entry* virt[Format::kLevels];
  };

  struct Leaf {
    Entry* slot;
    int level;
    Entry entry;
  };

  static Status CheckPerms(Perm perms) {
    return HasPerm(perms, Perm::kRead) && (perms & kAllPerms) == perms ? Status::kOk
                                                                     : Status::kInvalidArgument;
  }

  // Stores into an invalid slot. The walker never writes invalid entries, so
  // a plain read of the software bits is safe; release orders the zeroed
  // contents of a new table before the entry that makes it reachable.
  static void Publish(Entry* slot, Entry value) {
    std::atomic_ref<Entry> ref(*slot);
    ref.store((ref.load(std::memory_order_relaxed) & kSoftwareMask) | value,
              std::memory_order_release);
  }

  // Replaces a valid entry with next(old) | its software bits; returns old.
  // Atomic where the hardware sets A/D, so none of its updates is lost.
  template <typename Next>
  static Entry Update(Entry* slot, Next next) {
    std::atomic_ref<Entry> ref(*slot);
    Entry old = ref.load(std::memory_order_relaxed);
    if constexpr (Format::kHardwareAccessedDirty == 0) {
      ref.store((old & kSoftwareMask) | (next(old) & ~kSoftwareMask), std::memory_order_release);
    } else {
      while (!ref.compare_exchange_weak(old, (old & kSoftwareMask) | (next(old) & ~kSoftwareMask),
                                        std::memory_order_acq_rel, std::memory_order_relaxed)) {
      }
    }
    return old;
  }

  static unsigned Count(Entry* table) {
    unsigned count = 0;
    for (int i = 0; i < kCountChunks; ++i) {
      const unsigned chunk = (Load(&table[i]) & kSoftwareMask) >> Format::kSoftwareShift;
      count |= chunk << (i * Format::kSoftwareBits);
    }
    return count;
  }

  static void AddToCount(Entry* table, int delta) {
    const unsigned old_count = Count(table);
    const unsigned new_count = old_count + delta;
    VOS_ASSERT(new_count <= kEntriesPerTable);
    for (int i = 0; i < kCountChunks; ++i) {
      const int shift = i * Format::kSoftwareBits;
      const unsigned chunk = (new_count >> shift) & kChunkMask;
      if (chunk == ((old_count >> shift) & kChunkMask)) continue;
      const Entry bits = Entry{chunk} << Format::kSoftwareShift;
      std::atomic_ref<Entry> ref(table[i]);
      Entry old = ref.load(std::memory_order_relaxed);
      if constexpr (Format::kHardwareAccessedDirty == 0) {
        ref.store((old & ~kSoftwareMask) | bits, std::memory_order_relaxed);
      } else {
        while (!ref.compare_exchange_weak(old, (old & ~kSoftwareMask) | bits,
                                          std::memory_order_relaxed)) {
        }
      }
    }
  }

  // Unlinks and frees the tables of `path` from `level` up that are empty.
  // Returns how many.
  uint32_t PruneEmpty(const Path& path, hal::VirtAddr va, int level) const {
    uint32_t freed = 0;
    for (; level < kTop && Count(path.virt[level]) == 0; ++level) {
      Entry* parent = path.virt[level + 1];
      Update(&parent[LevelIndex(va, level + 1)], [](Entry) { return Entry{0}; });
      AddToCount(parent, -1);
      table_.source_->FreeTable(path.phys[level]);
      ++freed;
    }
    return freed;
  }

  // The leaf entry mapping va, recording the tables on the way.
  Status FindLeaf(hal::VirtAddr va, Path* path, Leaf* leaf) const {
    hal::PhysAddr phys = table_.root_;
    for (int level = kTop;; --level) {
      Entry* table = path->Enter(level, phys);
      Entry* slot = &table[LevelIndex(va, level)];
      const Entry entry = Load(slot);
      if (!Format::IsValid(entry)) return Status::kNotFound;
      if (Format::IsLeaf(entry, level)) {
        *leaf = {slot, level, entry};
        return Status::kOk;
      }
      VOS_ASSERT_MSG(level > 0, "table entry at level 0 for va 0x%lx", static_cast<unsigned long>(va));
      phys = Format::Address(entry);
    }
  }

  // As FindLeaf, for a va that must be where the leaf's page starts.
  Status FindLeafAt(hal::VirtAddr va, Path* path, Leaf* leaf) const {
    VOS_RETURN_IF_ERROR(CheckVa(va, table_.range_));
    VOS_RETURN_IF_ERROR(FindLeaf(va, path, leaf));
    return (va & (LevelBytes(leaf->level) - 1)) == 0 ? Status::kOk : Status::kInvalidArgument;
  }

  static hal::PhysAddr LeafAddress(Entry entry, int level) {
    return Format::Address(entry) & ~(LevelBytes(level) - 1);
  }

  static Mapping Decode(Entry entry, int level, hal::VirtAddr va) {
    return Mapping{va & ~(LevelBytes(level) - 1), LeafAddress(entry, level), PageSizeAtLevel(level),
                   Format::Perms(entry),          Format::Accessed(entry),   Format::Dirty(entry)};
  }

  const PageTable& table_;
};

Result<PageTable> PageTable::Create(hal::PageTableFormat format, PageTableSource& source,
                                    VaRange range) {
  if (format == hal::PageTableFormat::kAarch64 && range == VaRange::kAll) {
    return Status::kInvalidArgument;  // TTBR0 and TTBR1 each need a root.
  }
  Result<hal::PhysAddr> root = source.AllocTable();
  if (!root.ok()) return root.status();
  return PageTable(format, source, range, *root);
}

PageTable::PageTable(PageTable&& other)
    : format_(other.format_), range_(other.range_), source_(other.source_), root_(other.root_) {
  other.root_ = 0;
}

PageTable::~PageTable() {
  if (root_ == 0) return;
  WithFormat(format_, [&](auto format) {
    using Walker = PageTableWalker<typename decltype(format)::type>;
    Walker::FreeTree(*source_, root_, Walker::kTop);
  });
}

Status PageTable::Map(hal::VirtAddr va, hal::PhysAddr pa, PageSize size, Perm perms) {
  return WithFormat(format_, [&](auto format) {
    return PageTableWalker<typename decltype(format)::type>(*this).Map(va, pa, size, perms);
  });
}

Result<Unmapped> PageTable::Unmap(hal::VirtAddr va) {
  return WithFormat(format_, [&](auto format) {
    return PageTableWalker<typename decltype(format)::type>(*this).Unmap(va);
  });
}

Result<Mapping> PageTable::Protect(hal::VirtAddr va, Perm perms) {
  return WithFormat(format_, [&](auto format) {
    return PageTableWalker<typename decltype(format)::type>(*this).Protect(va, perms);
  });
}

Result<Mapping> PageTable::Query(hal::VirtAddr va) const {
  return WithFormat(format_, [&](auto format) {
    return PageTableWalker<typename decltype(format)::type>(*this).Query(va);
  });
}

Result<Mapping> PageTable::ClearAccessedDirty(hal::VirtAddr va) {
  return WithFormat(format_, [&](auto format) {
    return PageTableWalker<typename decltype(format)::type>(*this).ClearAccessedDirty(va);
  });
}

}  // namespace vos
