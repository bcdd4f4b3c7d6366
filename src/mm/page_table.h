// Page tables built by portable code, in any of the machine's formats
// (hal::PageTableFormat): map, unmap, protect and query 4 KiB, 2 MiB and
// 1 GiB pages. Intermediate tables are created on demand and freed as soon as
// they become empty; each table keeps its count of valid entries in bits the
// hardware ignores (spread over its first entries), so "empty" is O(1).
//
// The format is a runtime value, but each public method switches on it once
// and then runs a walker template instantiated for that format, so the inner
// loops make no indirect calls.
//
// Synchronisation: the caller (the address space) serialises all calls on one
// PageTable. Hardware walkers may run concurrently: entries are published
// with release stores, and entries the hardware may update (x86_64 A/D) are
// changed with atomic compare-exchange so no update is lost.
//
// TLBs: nothing here invalidates. Every change reports what it replaced, so
// the caller decides which invalidations and shootdowns it needs.
#ifndef VERIDIAN_SRC_MM_PAGE_TABLE_H_
#define VERIDIAN_SRC_MM_PAGE_TABLE_H_

#include <cstdint>

#include "src/hal/mmu.h"
#include "src/hal/types.h"
#include "src/lib/status.h"
#include "src/mm/pte_format.h"

namespace vos {

// Where table pages come from (the frame allocator, or a test pool). Tables
// are reached through hal::PhysToVirt.
class PageTableSource {
 public:
  // A zeroed, 4 KiB-aligned 4 KiB frame.
  virtual Result<hal::PhysAddr> AllocTable() = 0;
  // Returns a table that is no longer linked. Hardware walkers on other CPUs
  // may still hold it in their paging-structure caches until the caller's
  // invalidation completes: a source must not reuse it before then.
  virtual void FreeTable(hal::PhysAddr table) = 0;

 protected:
  ~PageTableSource() = default;
};

// The part of the virtual address space a table may map.
enum class VaRange : uint8_t {
  kAll,    // Both canonical halves (x86_64, RISC-V: one root for both).
  kLower,  // The lower canonical half (AArch64 TTBR0, user).
  kUpper,  // The upper canonical half (AArch64 TTBR1, kernel).
};

// One leaf mapping, as the table holds it.
struct Mapping {
  hal::VirtAddr va;  // Start of the page.
  hal::PhysAddr pa;  // Start of the frame.
  PageSize size;
  Perm perms;
  bool accessed;  // As the entry says; see the pte_*.h for each format.
  bool dirty;
};

struct Unmapped {
  Mapping mapping;
  // Intermediate tables freed because they became empty. Non-zero means the
  // caller must also flush paging-structure (walk) caches for this range.
  uint32_t tables_freed;
};

class PageTable {
 public:
  // An empty table (one root table from `source`). AArch64 needs kLower or
  // kUpper: each half has its own root.
  static Result<PageTable> Create(hal::PageTableFormat format, PageTableSource& source,
                                  VaRange range = VaRange::kAll);

  PageTable(PageTable&& other);
  PageTable& operator=(PageTable&&) = delete;
  PageTable(const PageTable&) = delete;
  // Frees every table; the mapped frames belong to the caller.
  ~PageTable();

  hal::PageTableFormat format() const { return format_; }
  VaRange range() const { return range_; }
  // Physical address of the top-level table (CR3, TTBRn, satp.PPN << 12).
  hal::PhysAddr root() const { return root_; }

  // Maps [va, va + size) to [pa, pa + size). Errors: kInvalidArgument when va
  // or pa is not aligned to `size` or perms lack kRead; kOutOfRange when va
  // is outside the table's range (or not canonical) or pa beyond the
  // format's physical address width; kAlreadyExists when any part of the
  // range is already mapped, including by tables below a requested huge
  // page; kNoMemory when a table cannot be allocated (nothing is left
  // allocated then).
  Status Map(hal::VirtAddr va, hal::PhysAddr pa, PageSize size, Perm perms);

  // Removes the mapping that starts at `va` and frees tables left empty.
  // kNotFound when nothing is mapped there, kInvalidArgument when `va` is
  // inside a larger page but not at its start.
  Result<Unmapped> Unmap(hal::VirtAddr va);

  // Replaces the permissions of the mapping that starts at `va`; returns the
  // mapping as it was. Errors as Unmap, plus kInvalidArgument for perms
  // without kRead.
  Result<Mapping> Protect(hal::VirtAddr va, Perm perms);

  // The mapping that contains `va`; kNotFound when there is none.
  Result<Mapping> Query(hal::VirtAddr va) const;

  // Clears the accessed and dirty bits of the mapping that starts at `va`;
  // returns the mapping as it was. kNotSupported on formats whose hardware
  // does not set them (see pte_*.h).
  Result<Mapping> ClearAccessedDirty(hal::VirtAddr va);

 private:
  template <typename Format>
  friend class PageTableWalker;

  PageTable(hal::PageTableFormat format, PageTableSource& source, VaRange range,
            hal::PhysAddr root)
      : format_(format), range_(range), source_(&source), root_(root) {}

  hal::PageTableFormat format_;
  VaRange range_;
  PageTableSource* source_;
  hal::PhysAddr root_;  // 0 once moved from.
};

}  // namespace vos

#endif  // VERIDIAN_SRC_MM_PAGE_TABLE_H_
