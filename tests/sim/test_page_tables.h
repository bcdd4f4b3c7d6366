// Hand-built page tables for the MMU and TLB tests, written as raw bytes in
// simulated RAM for any format (deliberately not through src/mm, so the
// walker is checked against the manuals' bit layouts, not another model).
#ifndef VERIDIAN_TESTS_SIM_TEST_PAGE_TABLES_H_
#define VERIDIAN_TESTS_SIM_TEST_PAGE_TABLES_H_

#include <cstdint>
#include <cstring>
#include <map>

#include "sim/ram.h"
#include "src/hal/mmu.h"

namespace sim_testing {

inline constexpr uint64_t Bit(int n) { return uint64_t{1} << n; }

class TestPageTables {
 public:
  // Tables and frames are taken from physical memory at `first_free` up.
  TestPageTables(const sim::Ram& ram, hal::PageTableFormat format,
                 hal::PhysAddr first_free = 2 << 20)
      : ram_(ram), format_(format), next_free_(first_free) {}

  // A zeroed, page-aligned physical page (a table or a data frame).
  hal::PhysAddr NewPage(uint64_t alignment = 4096) {
    next_free_ = (next_free_ + alignment - 1) & ~(alignment - 1);
    const hal::PhysAddr page = next_free_;
    next_free_ += 4096;
    std::memset(ram_.HostAddress(page), 0, 4096);
    return page;
  }

  // Installs `leaf` as the entry for `address` at `leaf_level` (0 = 4 KiB,
  // 1 = 2 MiB, 2 = 1 GiB, 3 = 512 GiB) under `root`, creating the tables
  // above it with fully permissive table entries. Returns the leaf entry's
  // physical address.
  hal::PhysAddr Map(hal::PhysAddr root, hal::VirtAddr address, int leaf_level, uint64_t leaf) {
    hal::PhysAddr table = root;
    for (int level = top_level(); level > leaf_level; --level) {
      const hal::PhysAddr slot = Slot(table, address, level);
      auto [it, inserted] = tables_.try_emplace(slot, 0);
      if (inserted) {
        it->second = NewPage();
        Write(slot, TableEntry(it->second));
      }
      table = it->second;
    }
    const hal::PhysAddr slot = Slot(table, address, leaf_level);
    Write(slot, leaf);
    return slot;
  }

  // The entry address of `address`'s slot at `level` of the table at `table`.
  static hal::PhysAddr Slot(hal::PhysAddr table, hal::VirtAddr address, int level) {
    return table + ((address >> (12 + 9 * level)) & 511) * 8;
  }

  // An accessed user read/write (non-executable where the format can say so)
  // leaf for `frame` at `leaf_level`, in this format's bits.
  uint64_t UserDataLeaf(hal::PhysAddr frame, int leaf_level) const {
    switch (format_) {
      case hal::PageTableFormat::kX86_64:  // P RW US A D (PS) XD.
        return frame | 0x67 | (leaf_level > 0 ? Bit(7) : 0) | Bit(63);
      case hal::PageTableFormat::kAarch64:  // Valid, page/block, AP=01, AF, nG, UXN, PXN.
        return frame | (leaf_level > 0 ? 0x1 : 0x3) | Bit(6) | Bit(10) | Bit(11) | Bit(53) |
               Bit(54);
      default:  // V R W U A D.
        return (frame >> 12) << 10 | 0xd7;
    }
  }

  uint64_t Read(hal::PhysAddr address) const {
    uint64_t value;
    std::memcpy(&value, ram_.HostAddress(address), 8);
    return value;
  }
  void Write(hal::PhysAddr address, uint64_t value) {
    std::memcpy(ram_.HostAddress(address), &value, 8);
  }
  void WriteBytes(hal::PhysAddr address, const void* data, size_t size) {
    std::memcpy(ram_.HostAddress(address), data, size);
  }

 private:
  int top_level() const { return format_ == hal::PageTableFormat::kSv39 ? 2 : 3; }
  uint64_t TableEntry(hal::PhysAddr next) const {
    switch (format_) {
      case hal::PageTableFormat::kX86_64: return next | 0x7;   // P RW US.
      case hal::PageTableFormat::kAarch64: return next | 0x3;  // Valid table.
      default: return (next >> 12) << 10 | 0x1;               // V.
    }
  }

  const sim::Ram& ram_;
  hal::PageTableFormat format_;
  hal::PhysAddr next_free_;
  std::map<hal::PhysAddr, hal::PhysAddr> tables_;  // Table entry slot -> next table.
};

}  // namespace sim_testing

#endif  // VERIDIAN_TESTS_SIM_TEST_PAGE_TABLES_H_
