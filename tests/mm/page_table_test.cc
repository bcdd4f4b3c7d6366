// Page tables in all four formats: bit-exact encodings against the manuals'
// layouts, the walker's behaviour inside a simulated machine, and a seeded
// random run against a model of the mappings.
#include "src/mm/page_table.h"

#include <cstdint>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <utility>

#include "gtest/gtest.h"
#include "src/hal/mmu.h"
#include "src/mm/pte_aarch64.h"
#include "src/mm/pte_riscv.h"
#include "src/mm/pte_x86_64.h"
#include "tests/mm/table_pool.h"
#include "tests/support/in_machine.h"

namespace vos {
namespace {

using hal::PageTableFormat;
using testing_support::TablePool;

constexpr Perm kR = Perm::kRead;
constexpr Perm kRW = Perm::kRead | Perm::kWrite;
constexpr Perm kRX = Perm::kRead | Perm::kExecute;
constexpr Perm kUserRW = Perm::kRead | Perm::kWrite | Perm::kUser;
constexpr uint64_t k4K = 1ull << 12;
constexpr uint64_t k2M = 1ull << 21;
constexpr uint64_t k1G = 1ull << 30;
constexpr size_t kPoolFrames = 4096;

// Runs `body` as kernel code on a 1-CPU machine.
void InMachine(const std::function<void()>& body) {
  sim::RunResult result = testing_support::RunInMachine(testing_support::SmallMachine(1), body);
  EXPECT_EQ(result.outcome, sim::RunOutcome::kPoweredOff) << result.failure;
}

uint64_t* Raw(hal::PhysAddr table) { return static_cast<uint64_t*>(hal::PhysToVirt(table)); }

// --- Encodings, checked against constants worked out by hand from the
// manuals' bit layouts. ---

TEST(PteEncodingTest, X86_64MatchesSdmLayout) {
  // P | RW | US | NX for a user read-write data page.
  EXPECT_EQ(X86_64Pte::LeafEntry(0x12345000, 0, kUserRW), 0x8000'0000'1234'5007ull);
  // P | PS | G, executable: a global kernel text 2 MiB page.
  EXPECT_EQ(X86_64Pte::LeafEntry(0x200000, 1, kRX | Perm::kGlobal), 0x0000'0000'0020'0181ull);
  // P | RW | PS | NX: a kernel 1 GiB data page.
  EXPECT_EQ(X86_64Pte::LeafEntry(0x40000000, 2, kRW), 0x8000'0000'4000'0083ull);
  // P | RW | US | A pointing at the next table.
  EXPECT_EQ(X86_64Pte::TableEntry(0x1000), 0x1027ull);
  EXPECT_TRUE(X86_64Pte::IsLeaf(0x0000'0000'0020'0181ull, 1));
  EXPECT_FALSE(X86_64Pte::IsLeaf(0x1027ull, 1));
  // Hardware-set A (bit 5) and D (bit 6).
  EXPECT_TRUE(X86_64Pte::Accessed(0x20));
  EXPECT_TRUE(X86_64Pte::Dirty(0x40));
  EXPECT_EQ(X86_64Pte::Address(0x8000'000F'FFFF'F067ull), 0x000F'FFFF'F000ull);
}

TEST(PteEncodingTest, Aarch64MatchesArmArmLayout) {
  // Page (0b11), AttrIndx 0, AP=01 (EL0 RW), SH=11, AF, nG, PXN, UXN.
  EXPECT_EQ(Aarch64Pte::LeafEntry(0x40000000, 0, kUserRW), 0x0060'0000'4000'0F43ull);
  // Block (0b01), AP=10 (EL1 RO), SH=11, AF, global, UXN, PXN clear.
  EXPECT_EQ(Aarch64Pte::LeafEntry(0x40200000, 1, kRX | Perm::kGlobal), 0x0040'0000'4020'0781ull);
  // User read-only executable page: AP=11, UXN clear, PXN set.
  EXPECT_EQ(Aarch64Pte::LeafEntry(0x1000, 0, kRX | Perm::kUser), 0x0020'0000'0000'1FC3ull);
  // Table descriptor: 0b11 and the address, no hierarchical limits.
  EXPECT_EQ(Aarch64Pte::TableEntry(0x1000), 0x1003ull);
  EXPECT_TRUE(Aarch64Pte::IsLeaf(0x0040'0000'4020'0781ull, 1));
  EXPECT_FALSE(Aarch64Pte::IsLeaf(0x1003ull, 1));
  EXPECT_TRUE(Aarch64Pte::IsLeaf(0x1003ull, 0));  // 0b11 at level 0 is a page.
}

TEST(PteEncodingTest, RiscvMatchesPrivilegedSpecLayout) {
  // PPN 0x80001 << 10 | D A U W R V.
  EXPECT_EQ(Sv48Pte::LeafEntry(0x80001000, 0, kUserRW), 0x2000'04D7ull);
  // Gigapage: PPN 0x80000 << 10 | A G X R V (no D: not writable).
  EXPECT_EQ(Sv39Pte::LeafEntry(0x80000000, 2, kRX | Perm::kGlobal), 0x2000'006Bull);
  // Pointer to the next level: V only.
  EXPECT_EQ(Sv39Pte::TableEntry(0x80002000), 0x2000'0801ull);
  EXPECT_FALSE(Sv48Pte::IsLeaf(0x2000'0801ull, 1));
  EXPECT_TRUE(Sv48Pte::IsLeaf(0x2000'006Bull, 2));
  EXPECT_EQ(Sv48Pte::Address(0x003F'FFFF'FFFF'FC01ull), 0x00FF'FFFF'FFFF'F000ull);
  EXPECT_EQ(Sv39Pte::kLowerHalfEnd, 1ull << 38);
  EXPECT_EQ(Sv48Pte::kUpperHalfStart, 0xFFFF'8000'0000'0000ull);
}

template <typename Format>
void ExpectPermsRoundTrip() {
  for (int bits = 0; bits < 32; ++bits) {
    const Perm perms = static_cast<Perm>(bits) | Perm::kRead;
    for (int level = 0; level <= 2; ++level) {
      const uint64_t entry = Format::LeafEntry(k1G, level, perms);
      EXPECT_TRUE(Format::IsValid(entry));
      EXPECT_TRUE(Format::IsLeaf(entry, level));
      EXPECT_EQ(Format::Perms(entry), perms) << bits << " at level " << level;
      EXPECT_EQ(Format::Address(entry), k1G);
      EXPECT_EQ(entry & (((1ull << Format::kSoftwareBits) - 1) << Format::kSoftwareShift), 0u);
    }
  }
}

TEST(PteEncodingTest, EveryPermissionSetRoundTrips) {
  ExpectPermsRoundTrip<X86_64Pte>();
  ExpectPermsRoundTrip<Aarch64Pte>();
  ExpectPermsRoundTrip<Sv39Pte>();
  ExpectPermsRoundTrip<Sv48Pte>();
}

// --- Tables in simulated RAM, bit-exact: the pool hands out frames lowest
// first, so the root is followed by the level-2, -1 and -0 tables. The
// indices (3, 5, 7, 9) avoid entries 0-4, which carry the counts. ---

constexpr uint64_t kIndexedVa = (3ull << 39) | (5ull << 30) | (7ull << 21) | (9ull << 12);

TEST(PageTableLayoutTest, X86_64Tables) {
  InMachine([] {
    TablePool pool(kPoolFrames);
    Result<PageTable> table = PageTable::Create(PageTableFormat::kX86_64, pool);
    ASSERT_TRUE(table.ok());
    const hal::PhysAddr root = table->root();
    ASSERT_EQ(table->Map(kIndexedVa, 0x12345000, PageSize::k4K, kUserRW), Status::kOk);
    EXPECT_EQ(Raw(root)[3], (root + 0x1000) | 0x27);
    EXPECT_EQ(Raw(root + 0x1000)[5], (root + 0x2000) | 0x27);
    EXPECT_EQ(Raw(root + 0x2000)[7], (root + 0x3000) | 0x27);
    EXPECT_EQ(Raw(root + 0x3000)[9], 0x8000'0000'1234'5007ull);
    // Valid-entry counts in bits 58:52 of entries 0 and 1.
    EXPECT_EQ(Raw(root + 0x3000)[0], 1ull << 52);
    for (uint64_t i = 1; i < 200; ++i) {
      ASSERT_EQ(table->Map(kIndexedVa + i * k4K, i * k4K, PageSize::k4K, kR), Status::kOk);
    }
    EXPECT_EQ(Raw(root + 0x3000)[0], (200ull & 0x7f) << 52);
    EXPECT_EQ(Raw(root + 0x3000)[1], (200ull >> 7) << 52);
  });
}

TEST(PageTableLayoutTest, Aarch64Tables) {
  InMachine([] {
    TablePool pool(kPoolFrames);
    Result<PageTable> table = PageTable::Create(PageTableFormat::kAarch64, pool, VaRange::kLower);
    ASSERT_TRUE(table.ok());
    const hal::PhysAddr root = table->root();
    ASSERT_EQ(table->Map(kIndexedVa, 0x40000000, PageSize::k4K, kUserRW), Status::kOk);
    EXPECT_EQ(Raw(root)[3], (root + 0x1000) | 0x3);
    EXPECT_EQ(Raw(root + 0x1000)[5], (root + 0x2000) | 0x3);
    EXPECT_EQ(Raw(root + 0x2000)[7], (root + 0x3000) | 0x3);
    EXPECT_EQ(Raw(root + 0x3000)[9], 0x0060'0000'4000'0F43ull);
    EXPECT_EQ(Raw(root + 0x3000)[0], 1ull << 55);  // Count in bits 58:55.
  });
}

TEST(PageTableLayoutTest, Sv39Tables) {
  InMachine([] {
    TablePool pool(kPoolFrames);
    Result<PageTable> table = PageTable::Create(PageTableFormat::kSv39, pool);
    ASSERT_TRUE(table.ok());
    const hal::PhysAddr root = table->root();
    const uint64_t va = kIndexedVa & ((1ull << 39) - 1);  // Three levels: 5, 7, 9.
    ASSERT_EQ(table->Map(va, 0x80001000, PageSize::k4K, kUserRW), Status::kOk);
    EXPECT_EQ(Raw(root)[5], (((root + 0x1000) >> 12) << 10) | 1);
    EXPECT_EQ(Raw(root + 0x1000)[7], (((root + 0x2000) >> 12) << 10) | 1);
    EXPECT_EQ(Raw(root + 0x2000)[9], 0x2000'04D7ull);
    // Count 5 = 0b01'01 in the RSW bits (9:8) of entries 0 and 1.
    for (uint64_t i = 1; i < 5; ++i) {
      ASSERT_EQ(table->Map(va + i * k4K, i * k4K, PageSize::k4K, kR), Status::kOk);
    }
    EXPECT_EQ(Raw(root + 0x2000)[0], 1ull << 8);
    EXPECT_EQ(Raw(root + 0x2000)[1], 1ull << 8);
    EXPECT_EQ(Raw(root + 0x2000)[2], 0u);
  });
}

TEST(PageTableLayoutTest, Sv48Tables) {
  InMachine([] {
    TablePool pool(kPoolFrames);
    Result<PageTable> table = PageTable::Create(PageTableFormat::kSv48, pool);
    ASSERT_TRUE(table.ok());
    const hal::PhysAddr root = table->root();
    ASSERT_EQ(table->Map(kIndexedVa, 0x80001000, PageSize::k4K, kUserRW), Status::kOk);
    EXPECT_EQ(Raw(root)[3], (((root + 0x1000) >> 12) << 10) | 1);
    EXPECT_EQ(Raw(root + 0x1000)[5], (((root + 0x2000) >> 12) << 10) | 1);
    EXPECT_EQ(Raw(root + 0x2000)[7], (((root + 0x3000) >> 12) << 10) | 1);
    EXPECT_EQ(Raw(root + 0x3000)[9], 0x2000'04D7ull);
  });
}

TEST(PageTableLayoutTest, Aarch64NeedsAHalf) {
  InMachine([] {
    TablePool pool(16);
    Result<PageTable> table = PageTable::Create(PageTableFormat::kAarch64, pool, VaRange::kAll);
    EXPECT_EQ(table.status(), Status::kInvalidArgument);
    EXPECT_EQ(pool.outstanding(), 0u);
  });
}

// --- Behaviour, for every format and both halves. ---

struct FormatCase {
  const char* name;
  PageTableFormat format;
  VaRange range;
  int levels;
  hal::VirtAddr base;  // A 4 GiB window inside the range, 1 GiB aligned.
  hal::VirtAddr out_of_range;
};

constexpr hal::VirtAddr kLowWindow = 0x1'0000'0000;
constexpr hal::VirtAddr kHighWindow = 0xFFFF'FFF0'0000'0000;

const FormatCase kCases[] = {
    {"X86_64Low", PageTableFormat::kX86_64, VaRange::kAll, 4, kLowWindow, 1ull << 47},
    {"X86_64High", PageTableFormat::kX86_64, VaRange::kAll, 4, kHighWindow, 0xFFFF'7FFF'FFFF'F000},
    {"Aarch64Ttbr0", PageTableFormat::kAarch64, VaRange::kLower, 4, kLowWindow, kHighWindow},
    {"Aarch64Ttbr1", PageTableFormat::kAarch64, VaRange::kUpper, 4, kHighWindow, kLowWindow},
    {"Aarch64Ttbr0Edge", PageTableFormat::kAarch64, VaRange::kLower, 4, kLowWindow, 1ull << 48},
    {"Sv39Low", PageTableFormat::kSv39, VaRange::kAll, 3, kLowWindow, 1ull << 38},
    {"Sv39High", PageTableFormat::kSv39, VaRange::kAll, 3, kHighWindow, 0xFFFF'FFBF'FFFF'F000},
    {"Sv48Low", PageTableFormat::kSv48, VaRange::kAll, 4, kLowWindow, 1ull << 47},
    {"Sv48High", PageTableFormat::kSv48, VaRange::kAll, 4, kHighWindow, 0xFFFF'7FFF'FFFF'F000},
};

void PrintTo(const FormatCase& c, std::ostream* os) { *os << c.name; }

class PageTableTest : public ::testing::TestWithParam<FormatCase> {
 protected:
  // Runs body(pool, table) in a machine, then checks that destroying the
  // table gave every frame back.
  void Run(const std::function<void(TablePool&, PageTable&)>& body) {
    InMachine([&] {
      TablePool pool(kPoolFrames);
      {
        Result<PageTable> table = PageTable::Create(GetParam().format, pool, GetParam().range);
        ASSERT_TRUE(table.ok());
        body(pool, *table);
      }
      EXPECT_EQ(pool.outstanding(), 0u);
      EXPECT_EQ(pool.bad_frees(), 0u);
    });
  }
  int levels() const { return GetParam().levels; }
  hal::VirtAddr base() const { return GetParam().base; }
};

TEST_P(PageTableTest, MapQueryProtectUnmapSmallPage) {
  Run([&](TablePool& pool, PageTable& table) {
    const hal::VirtAddr va = base() + 3 * k2M + 5 * k4K;
    ASSERT_EQ(table.Map(va, 0x7654000, PageSize::k4K, kUserRW), Status::kOk);
    EXPECT_EQ(pool.outstanding(), static_cast<size_t>(levels()));

    Result<Mapping> found = table.Query(va + 0x123);
    ASSERT_TRUE(found.ok());
    EXPECT_EQ(found->va, va);
    EXPECT_EQ(found->pa, 0x7654000u);
    EXPECT_EQ(found->size, PageSize::k4K);
    EXPECT_EQ(found->perms, kUserRW);
    EXPECT_EQ(table.Query(va + k4K).status(), Status::kNotFound);
    EXPECT_EQ(table.Query(va - k4K).status(), Status::kNotFound);

    Result<Mapping> before = table.Protect(va, kRX | Perm::kGlobal);
    ASSERT_TRUE(before.ok());
    EXPECT_EQ(before->perms, kUserRW);
    EXPECT_EQ(table.Query(va)->perms, kRX | Perm::kGlobal);
    EXPECT_EQ(table.Query(va)->pa, 0x7654000u);

    Result<Unmapped> gone = table.Unmap(va);
    ASSERT_TRUE(gone.ok());
    EXPECT_EQ(gone->mapping.va, va);
    EXPECT_EQ(gone->mapping.pa, 0x7654000u);
    EXPECT_EQ(gone->mapping.perms, kRX | Perm::kGlobal);
    EXPECT_EQ(gone->tables_freed, static_cast<uint32_t>(levels() - 1));
    EXPECT_EQ(pool.outstanding(), 1u);
    EXPECT_EQ(table.Query(va).status(), Status::kNotFound);
    EXPECT_EQ(table.Unmap(va).status(), Status::kNotFound);
    EXPECT_EQ(table.Protect(va, kR).status(), Status::kNotFound);
  });
}

TEST_P(PageTableTest, HugePages) {
  Run([&](TablePool& pool, PageTable& table) {
    const hal::VirtAddr two_mega = base() + 2 * k2M;
    const hal::VirtAddr one_giga = base() + 2 * k1G;
    ASSERT_EQ(table.Map(two_mega, 0x4000'0000 + k2M, PageSize::k2M, kRW), Status::kOk);
    ASSERT_EQ(table.Map(one_giga, 3 * k1G, PageSize::k1G, kRX), Status::kOk);

    Result<Mapping> in_two = table.Query(two_mega + k2M - 8);
    ASSERT_TRUE(in_two.ok());
    EXPECT_EQ(in_two->va, two_mega);
    EXPECT_EQ(in_two->pa, 0x4000'0000 + k2M);
    EXPECT_EQ(in_two->size, PageSize::k2M);
    Result<Mapping> in_one = table.Query(one_giga + 12345 * k4K + 7);
    ASSERT_TRUE(in_one.ok());
    EXPECT_EQ(in_one->va, one_giga);
    EXPECT_EQ(in_one->pa, 3 * k1G);
    EXPECT_EQ(in_one->size, PageSize::k1G);
    EXPECT_EQ(in_one->perms, kRX);

    // Only at the start of the page.
    EXPECT_EQ(table.Unmap(two_mega + k4K).status(), Status::kInvalidArgument);
    EXPECT_EQ(table.Protect(one_giga + k2M, kR).status(), Status::kInvalidArgument);
    ASSERT_TRUE(table.Protect(one_giga, kR).ok());
    EXPECT_EQ(table.Query(one_giga)->perms, kR);
    EXPECT_EQ(table.Query(one_giga)->size, PageSize::k1G);

    Result<Unmapped> gone = table.Unmap(two_mega);
    ASSERT_TRUE(gone.ok());
    EXPECT_EQ(gone->mapping.size, PageSize::k2M);
    // Its level-1 table goes; the 1 GiB page keeps the tables above.
    EXPECT_EQ(gone->tables_freed, 1u);
    Result<Unmapped> giant = table.Unmap(one_giga);
    ASSERT_TRUE(giant.ok());
    EXPECT_EQ(giant->tables_freed, levels() == 4 ? 1u : 0u);
    EXPECT_EQ(pool.outstanding(), 1u);
  });
}

TEST_P(PageTableTest, OverlapsAreRefused) {
  Run([&](TablePool& pool, PageTable& table) {
    const hal::VirtAddr va = base() + k1G + 4 * k2M;
    ASSERT_EQ(table.Map(va + 7 * k4K, 0x1000, PageSize::k4K, kR), Status::kOk);
    const size_t tables = pool.outstanding();
    // Same page; a 2 MiB or 1 GiB page over a table.
    EXPECT_EQ(table.Map(va + 7 * k4K, 0x2000, PageSize::k4K, kR), Status::kAlreadyExists);
    EXPECT_EQ(table.Map(va, 0, PageSize::k2M, kR), Status::kAlreadyExists);
    EXPECT_EQ(table.Map(base() + k1G, 0, PageSize::k1G, kR), Status::kAlreadyExists);
    // A 4 KiB or 2 MiB page under a larger one.
    ASSERT_EQ(table.Map(va + k2M, k2M, PageSize::k2M, kR), Status::kOk);
    EXPECT_EQ(table.Map(va + k2M + 9 * k4K, 0x3000, PageSize::k4K, kR), Status::kAlreadyExists);
    ASSERT_EQ(table.Map(base() + 3 * k1G, 0, PageSize::k1G, kR), Status::kOk);
    EXPECT_EQ(table.Map(base() + 3 * k1G + 5 * k2M, 0, PageSize::k2M, kR),
              Status::kAlreadyExists);
    EXPECT_EQ(table.Map(base() + 3 * k1G + 5 * k4K, 0, PageSize::k4K, kR),
              Status::kAlreadyExists);
    EXPECT_EQ(pool.outstanding(), tables);
    EXPECT_EQ(table.Query(va + 7 * k4K)->pa, 0x1000u);
  });
}

TEST_P(PageTableTest, BadArgumentsAreRefused) {
  Run([&](TablePool& pool, PageTable& table) {
    const hal::VirtAddr va = base() + k1G;
    EXPECT_EQ(table.Map(va + 8, 0, PageSize::k4K, kR), Status::kInvalidArgument);
    EXPECT_EQ(table.Map(va, 0x800, PageSize::k4K, kR), Status::kInvalidArgument);
    EXPECT_EQ(table.Map(va + k4K, 0, PageSize::k2M, kR), Status::kInvalidArgument);
    EXPECT_EQ(table.Map(va, k2M, PageSize::k1G, kR), Status::kInvalidArgument);
    EXPECT_EQ(table.Map(va, 0, PageSize::k4K, Perm::kWrite), Status::kInvalidArgument);
    EXPECT_EQ(table.Map(va, 0, PageSize::k4K, kR | static_cast<Perm>(0x40)),
              Status::kInvalidArgument);
    EXPECT_EQ(table.Map(GetParam().out_of_range, 0, PageSize::k4K, kR), Status::kOutOfRange);
    EXPECT_EQ(table.Query(GetParam().out_of_range).status(), Status::kOutOfRange);
    EXPECT_EQ(table.Unmap(GetParam().out_of_range).status(), Status::kOutOfRange);
    EXPECT_EQ(table.Map(va, 1ull << 56, PageSize::k4K, kR), Status::kOutOfRange);
    EXPECT_EQ(pool.outstanding(), 1u);
    ASSERT_EQ(table.Map(va, 0, PageSize::k4K, kR), Status::kOk);
    EXPECT_EQ(table.Protect(va, kRW | static_cast<Perm>(0x80)).status(), Status::kInvalidArgument);
    EXPECT_EQ(table.Protect(va, Perm::kWrite).status(), Status::kInvalidArgument);
    EXPECT_EQ(table.Query(va)->perms, kR);
  });
}

TEST_P(PageTableTest, FailedTableAllocationLeavesNothingBehind) {
  Run([&](TablePool& pool, PageTable& table) {
    const hal::VirtAddr va = base() + 5 * k2M;
    for (int successes = 0; successes < levels() - 1; ++successes) {
      pool.FailAfter(successes);
      EXPECT_EQ(table.Map(va, 0, PageSize::k4K, kR), Status::kNoMemory);
      EXPECT_EQ(pool.outstanding(), 1u) << successes;
    }
    // With a neighbour holding the upper tables, only the missing one goes.
    pool.NeverFail();
    ASSERT_EQ(table.Map(va + k2M, 0, PageSize::k4K, kR), Status::kOk);
    const size_t tables = pool.outstanding();
    pool.FailAfter(0);
    EXPECT_EQ(table.Map(va, 0, PageSize::k4K, kR), Status::kNoMemory);
    EXPECT_EQ(pool.outstanding(), tables);
    pool.NeverFail();
    EXPECT_EQ(table.Map(va, 0, PageSize::k4K, kR), Status::kOk);
  });
}

TEST_P(PageTableTest, FullTableCountsEveryEntry) {
  Run([&](TablePool& pool, PageTable& table) {
    const hal::VirtAddr va = base() + 6 * k2M;
    for (uint64_t i = 0; i < kEntriesPerTable; ++i) {
      ASSERT_EQ(table.Map(va + i * k4K, i * k4K, PageSize::k4K, kRW), Status::kOk);
    }
    EXPECT_EQ(table.Map(va + k2M - k4K, 0, PageSize::k4K, kRW), Status::kAlreadyExists);
    for (uint64_t i = 0; i < kEntriesPerTable; ++i) {
      ASSERT_EQ(table.Query(va + i * k4K)->pa, i * k4K);
    }
    // Freed exactly when the last entry goes, in any order.
    for (uint64_t n = 0; n < kEntriesPerTable; ++n) {
      const uint64_t i = (n * 97) % kEntriesPerTable;
      Result<Unmapped> gone = table.Unmap(va + i * k4K);
      ASSERT_TRUE(gone.ok());
      ASSERT_EQ(gone->tables_freed, n + 1 < kEntriesPerTable ? 0u : levels() - 1u) << n;
    }
    EXPECT_EQ(pool.outstanding(), 1u);
  });
}

TEST_P(PageTableTest, AccessedAndDirty) {
  Run([&](TablePool&, PageTable& table) {
    const hal::VirtAddr va = base() + 7 * k2M;
    ASSERT_EQ(table.Map(va, 0x5000, PageSize::k4K, kRW), Status::kOk);
    ASSERT_EQ(table.Map(va + k4K, 0x6000, PageSize::k4K, kR), Status::kOk);
    switch (GetParam().format) {
      case PageTableFormat::kX86_64: {
        EXPECT_FALSE(table.Query(va)->accessed);
        EXPECT_FALSE(table.Query(va)->dirty);
        // Play the hardware walker: set A and D in the leaf.
        uint64_t* leaf = Raw(table.root());
        for (int level = 3; level > 0; --level) {
          leaf = Raw(X86_64Pte::Address(leaf[LevelIndex(va, level)]));
        }
        leaf[LevelIndex(va, 0)] |= X86_64Pte::kAccessed | X86_64Pte::kDirty;
        EXPECT_TRUE(table.Query(va)->accessed);
        EXPECT_TRUE(table.Query(va)->dirty);
        ASSERT_TRUE(table.Protect(va, kR).ok());  // Keeps what the hardware set.
        EXPECT_TRUE(table.Query(va)->dirty);
        Result<Mapping> before = table.ClearAccessedDirty(va);
        ASSERT_TRUE(before.ok());
        EXPECT_TRUE(before->accessed);
        EXPECT_TRUE(before->dirty);
        EXPECT_FALSE(table.Query(va)->accessed);
        EXPECT_FALSE(table.Query(va)->dirty);
        EXPECT_EQ(table.Query(va)->perms, kR);
        break;
      }
      case PageTableFormat::kAarch64:
        EXPECT_TRUE(table.Query(va)->accessed);  // AF set at map time.
        EXPECT_FALSE(table.Query(va)->dirty);
        EXPECT_EQ(table.ClearAccessedDirty(va).status(), Status::kNotSupported);
        break;
      case PageTableFormat::kSv39:
      case PageTableFormat::kSv48:
        EXPECT_TRUE(table.Query(va)->accessed);  // A, and D if writable, at map time.
        EXPECT_TRUE(table.Query(va)->dirty);
        EXPECT_FALSE(table.Query(va + k4K)->dirty);
        ASSERT_TRUE(table.Protect(va + k4K, kRW).ok());
        EXPECT_TRUE(table.Query(va + k4K)->dirty);
        EXPECT_EQ(table.ClearAccessedDirty(va).status(), Status::kNotSupported);
        break;
    }
  });
}

TEST_P(PageTableTest, DestroyFreesEveryTableAndMoveTransfersThem) {
  InMachine([&] {
    TablePool pool(kPoolFrames);
    {
      Result<PageTable> made = PageTable::Create(GetParam().format, pool, GetParam().range);
      ASSERT_TRUE(made.ok());
      PageTable table(std::move(*made));
      for (uint64_t i = 0; i < 64; ++i) {
        ASSERT_EQ(table.Map(base() + i * 3 * k2M + i * k4K, 0, PageSize::k4K, kR), Status::kOk);
      }
      ASSERT_EQ(table.Map(base() + 3 * k1G, 0, PageSize::k1G, kR), Status::kOk);
      EXPECT_GT(pool.outstanding(), 64u);
    }
    EXPECT_EQ(pool.outstanding(), 0u);
    EXPECT_EQ(pool.bad_frees(), 0u);
  });
}

// --- A seeded random run against a model: every result and every Query
// agrees, and the tables in use are exactly those the mappings need. ---

struct ModelEntry {
  hal::PhysAddr pa;
  PageSize size;
  Perm perms;
};
using Model = std::map<hal::VirtAddr, ModelEntry>;

const ModelEntry* ModelFind(const Model& model, hal::VirtAddr va, hal::VirtAddr* start) {
  auto it = model.upper_bound(va);
  if (it == model.begin()) return nullptr;
  --it;
  if (va - it->first >= PageBytes(it->second.size)) return nullptr;
  *start = it->first;
  return &it->second;
}

bool ModelOverlaps(const Model& model, hal::VirtAddr va, uint64_t bytes) {
  hal::VirtAddr start;
  if (ModelFind(model, va, &start) != nullptr) return true;
  auto it = model.lower_bound(va);
  return it != model.end() && it->first < va + bytes;
}

size_t TablesNeeded(const Model& model, int levels) {
  std::set<std::pair<int, uint64_t>> tables;
  for (const auto& [va, entry] : model) {
    for (int level = LeafLevel(entry.size); level < levels - 1; ++level) {
      tables.insert({level, va >> LevelShift(level + 1)});
    }
  }
  return tables.size() + 1;
}

Perm RandomPerms(std::mt19937_64& rng) {
  return static_cast<Perm>(rng() & 0x1e) | Perm::kRead;
}

TEST_P(PageTableTest, RandomOperationsMatchModel) {
  for (uint64_t seed : {1, 2, 3}) {
    Run([&](TablePool& pool, PageTable& table) {
      std::mt19937_64 rng(seed);
      Model model;
      auto random_va = [&] {
        // Few distinct slots, so pages of all sizes collide often.
        return base() + (rng() % 4) * k1G + (rng() % 4) * k2M + (rng() % 8) * k4K;
      };
      for (int step = 0; step < 4000; ++step) {
        const hal::VirtAddr va = random_va();
        switch (rng() % 8) {
          case 0:
          case 1:
          case 2: {
            const uint64_t roll = rng() % 16;
            const PageSize size = roll == 0 ? PageSize::k1G : roll < 4 ? PageSize::k2M : PageSize::k4K;
            const uint64_t bytes = PageBytes(size);
            const hal::VirtAddr start = va & ~(bytes - 1);
            const hal::PhysAddr pa = (rng() % (1ull << 40)) & ~(bytes - 1);
            const Perm perms = RandomPerms(rng);
            const Status expected = ModelOverlaps(model, start, bytes) ? Status::kAlreadyExists
                                                                       : Status::kOk;
            ASSERT_EQ(table.Map(start, pa, size, perms), expected) << "step " << step;
            if (expected == Status::kOk) model[start] = {pa, size, perms};
            break;
          }
          case 3:
          case 4: {
            hal::VirtAddr start = 0;
            const ModelEntry* entry = ModelFind(model, va, &start);
            Result<Unmapped> gone = table.Unmap(va);
            if (entry == nullptr) {
              ASSERT_EQ(gone.status(), Status::kNotFound) << "step " << step;
            } else if (start != va) {
              ASSERT_EQ(gone.status(), Status::kInvalidArgument) << "step " << step;
            } else {
              ASSERT_TRUE(gone.ok()) << "step " << step;
              ASSERT_EQ(gone->mapping.pa, entry->pa);
              ASSERT_EQ(gone->mapping.size, entry->size);
              ASSERT_EQ(gone->mapping.perms, entry->perms);
              model.erase(start);
            }
            break;
          }
          case 5: {
            hal::VirtAddr start = 0;
            ModelEntry* entry = const_cast<ModelEntry*>(ModelFind(model, va, &start));
            const Perm perms = RandomPerms(rng);
            Result<Mapping> before = table.Protect(va, perms);
            if (entry == nullptr) {
              ASSERT_EQ(before.status(), Status::kNotFound) << "step " << step;
            } else if (start != va) {
              ASSERT_EQ(before.status(), Status::kInvalidArgument) << "step " << step;
            } else {
              ASSERT_TRUE(before.ok()) << "step " << step;
              ASSERT_EQ(before->perms, entry->perms);
              entry->perms = perms;
            }
            break;
          }
          default: {
            const hal::VirtAddr probe = va + rng() % k4K;
            hal::VirtAddr start = 0;
            const ModelEntry* entry = ModelFind(model, probe, &start);
            Result<Mapping> found = table.Query(probe);
            if (entry == nullptr) {
              ASSERT_EQ(found.status(), Status::kNotFound) << "step " << step;
            } else {
              ASSERT_TRUE(found.ok()) << "step " << step;
              ASSERT_EQ(found->va, start);
              ASSERT_EQ(found->pa, entry->pa);
              ASSERT_EQ(found->size, entry->size);
              ASSERT_EQ(found->perms, entry->perms);
            }
            break;
          }
        }
        ASSERT_EQ(pool.outstanding(), TablesNeeded(model, levels())) << "step " << step;
      }
      // Take everything down: only the root is left.
      while (!model.empty()) {
        ASSERT_TRUE(table.Unmap(model.begin()->first).ok());
        model.erase(model.begin());
      }
      EXPECT_EQ(pool.outstanding(), 1u);
    });
  }
}

INSTANTIATE_TEST_SUITE_P(AllFormats, PageTableTest, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<FormatCase>& info) {
                           return std::string(info.param.name);
                         });

}  // namespace
}  // namespace vos
