// The per-CPU TLB model: the Tlb class alone (tagging, global entries, page
// sizes, replacement), then inside a machine: hits after walks, stale
// translations until invalidated, per-CPU independence, and the user-memory
// copies through TLB, walker and the page-fault resolver.
#include "sim/tlb.h"

#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sim/machine.h"
#include "src/hal/cpu.h"
#include "src/hal/interrupts.h"
#include "src/hal/mmu.h"
#include "src/hal/user_memory.h"
#include "tests/sim/test_page_tables.h"
#include "tests/support/in_machine.h"

namespace sim {
namespace {

using sim_testing::TestPageTables;
using testing_support::ExpectPoweredOff;
using testing_support::RunInMachine;
using testing_support::SmallMachine;

Translation Page(hal::PhysAddr frame, uint8_t shift = 12, bool global = false) {
  Translation translation;
  translation.page = frame;
  translation.page_shift = shift;
  translation.global = global;
  translation.readable = translation.writable = translation.user = true;
  return translation;
}

// --- The Tlb class ----------------------------------------------------------

TEST(TlbTest, HitsOnlyForTheSamePageAndAsid) {
  Tlb tlb(TlbConfig{});
  EXPECT_EQ(tlb.Lookup(0x5000, 1), nullptr);
  tlb.Insert(0x5123, 1, Page(0x9000));
  const Translation* hit = tlb.Lookup(0x5fff, 1);
  ASSERT_NE(hit, nullptr);
  EXPECT_EQ(hit->page, 0x9000u);
  EXPECT_EQ(tlb.Lookup(0x6000, 1), nullptr);
  EXPECT_EQ(tlb.Lookup(0x5000, 2), nullptr);  // Another ASID.
  EXPECT_EQ(tlb.stats().hits, 1u);
  EXPECT_EQ(tlb.stats().misses, 3u);
}

TEST(TlbTest, GlobalEntriesMatchEveryAsidAndInvalidatePageDropsThem) {
  Tlb tlb(TlbConfig{});
  tlb.Insert(0x5000, 1, Page(0x9000, 12, /*global=*/true));
  tlb.Insert(0x7000, 1, Page(0xa000));
  tlb.Insert(0x7000, 2, Page(0xb000));
  ASSERT_NE(tlb.Lookup(0x5000, 7), nullptr);
  tlb.InvalidatePage(0x5000, 3);  // Global entries go whatever the ASID.
  EXPECT_EQ(tlb.Lookup(0x5000, 1), nullptr);
  tlb.InvalidatePage(0x7000, 1);  // Only ASID 1's entry for the page.
  EXPECT_EQ(tlb.Lookup(0x7000, 1), nullptr);
  ASSERT_NE(tlb.Lookup(0x7000, 2), nullptr);
  EXPECT_EQ(tlb.Lookup(0x7000, 2)->page, 0xb000u);
  tlb.InvalidateAll();
  EXPECT_EQ(tlb.size(), 0u);
  EXPECT_EQ(tlb.stats().invalidations, 3u);
}

TEST(TlbTest, HugeEntriesCoverTheirWholeRange) {
  Tlb tlb(TlbConfig{});
  tlb.Insert(0x4000'0000, 0, Page(0x8000'0000, 30));
  tlb.Insert(0x20'0000, 0, Page(0x60'0000, 21));
  ASSERT_NE(tlb.Lookup(0x7fff'f000, 0), nullptr);
  EXPECT_EQ(tlb.Lookup(0x7fff'f123, 0)->Physical(0x7fff'f123), 0xbfff'f123u);
  EXPECT_EQ(tlb.Lookup(0x3f'ffff, 0)->Physical(0x3f'ffff), 0x7f'ffffu);
  EXPECT_EQ(tlb.Lookup(0x40'0000, 0), nullptr);
  // Invalidating any address inside the huge page drops it.
  tlb.InvalidatePage(0x6000'0000, 0);
  EXPECT_EQ(tlb.Lookup(0x4000'0000, 0), nullptr);
}

TEST(TlbTest, ReplacementIsRoundRobinWithinASet) {
  TlbConfig config;
  config.small_pages = {2, 2};
  Tlb tlb(config);
  // Pages 0, 2, 4 share set 0 of two ways: the third evicts the first.
  tlb.Insert(0x0000, 0, Page(0x10000));
  tlb.Insert(0x2000, 0, Page(0x20000));
  tlb.Insert(0x1000, 0, Page(0x30000));  // Set 1.
  tlb.Insert(0x4000, 0, Page(0x40000));
  EXPECT_EQ(tlb.Lookup(0x0000, 0), nullptr);
  EXPECT_NE(tlb.Lookup(0x2000, 0), nullptr);
  EXPECT_NE(tlb.Lookup(0x1000, 0), nullptr);
  tlb.Insert(0x6000, 0, Page(0x50000));  // Evicts page 2, the next victim.
  EXPECT_EQ(tlb.Lookup(0x2000, 0), nullptr);
  EXPECT_NE(tlb.Lookup(0x4000, 0), nullptr);
  // Refilling an existing page reuses its entry.
  tlb.Insert(0x4000, 0, Page(0x70000));
  EXPECT_EQ(tlb.size(), 3u);
  EXPECT_EQ(tlb.Lookup(0x4000, 0)->page, 0x70000u);
}

TEST(TlbTest, ValidateRejectsBadGeometry) {
  TlbConfig config;
  EXPECT_TRUE(Tlb::Validate(config).ok());
  config.small_pages = {3, 4};
  EXPECT_FALSE(Tlb::Validate(config).ok());
  config.small_pages = {4, 0};
  EXPECT_FALSE(Tlb::Validate(config).ok());
}

// --- In a machine -----------------------------------------------------------

constexpr hal::VirtAddr kUserPage = 0x40'0000;
constexpr Access kUserRead{AccessKind::kRead, Privilege::kUser};

// Tables built inside the running machine's RAM.
struct World {
  explicit World(hal::PageTableFormat format = hal::PageTableFormat::kX86_64)
      : tables(Machine::Current().ram(), format), root(tables.NewPage()) {}
  // A user page at `address` backed by a new frame holding `value` at +0.
  hal::PhysAddr MapValue(hal::VirtAddr address, uint64_t value) {
    const hal::PhysAddr frame = tables.NewPage();
    tables.Write(frame, value);
    return tables.Map(root, address, 0, tables.UserDataLeaf(frame, 0));
  }
  uint64_t ReadUser(hal::VirtAddr address) {
    uint64_t value = 0;
    EXPECT_TRUE(hal::CopyFromUser(&value, address, sizeof(value)));
    return value;
  }
  TestPageTables tables;
  hal::PhysAddr root;
};

TEST(TlbMachineTest, SecondAccessHitsAndStatsReachTheRunResult) {
  const RunResult result = RunInMachine(SmallMachine(1), [] {
    World world;
    world.MapValue(kUserPage, 1);
    hal::ActivateAddressSpace(world.root, 1);
    Machine& machine = Machine::Current();
    EXPECT_EQ(machine.Translate(kUserPage, kUserRead).outcome,
              WalkResult::Outcome::kTranslated);
    EXPECT_EQ(machine.Translate(kUserPage + 8, kUserRead).outcome,
              WalkResult::Outcome::kTranslated);
    EXPECT_EQ(machine.tlb(0).stats().misses, 1u);
    EXPECT_EQ(machine.tlb(0).stats().hits, 1u);
    hal::InvalidateTlbAll();
  });
  ExpectPoweredOff(result);
  ASSERT_EQ(result.cpus.size(), 1u);
  EXPECT_EQ(result.cpus[0].tlb_hits, 1u);
  EXPECT_EQ(result.cpus[0].tlb_misses, 1u);
  EXPECT_EQ(result.cpus[0].tlb_invalidations, 1u);
}

constexpr hal::PageTableFormat kAllFormats[] = {
    hal::PageTableFormat::kX86_64, hal::PageTableFormat::kAarch64, hal::PageTableFormat::kSv39,
    hal::PageTableFormat::kSv48};
std::string FormatName(const ::testing::TestParamInfo<hal::PageTableFormat>& info) {
  return hal::PageTableFormatName(info.param);
}
sim::MachineConfig MachineFor(hal::PageTableFormat format) {
  sim::MachineConfig config = SmallMachine(1);
  config.check_stale_tlb = false;
  config.page_table_format = format;
  return config;
}

// The default: the run stops at the first use of a stale translation.
sim::MachineConfig CheckingMachineFor(hal::PageTableFormat format) {
  sim::MachineConfig config = MachineFor(format);
  config.check_stale_tlb = true;
  return config;
}

// Maps kUserPage to a frame holding 111 under ASID 1 and reads it once, so
// the TLB caches it; returns the leaf entry's address.
hal::PhysAddr MapActivateAndRead(World& world) {
  const hal::PhysAddr leaf = world.MapValue(kUserPage, 111);
  hal::ActivateAddressSpace(world.root, 1);
  EXPECT_EQ(world.ReadUser(kUserPage), 111u);
  return leaf;
}

class StaleTranslationTest : public ::testing::TestWithParam<hal::PageTableFormat> {};

TEST_P(StaleTranslationTest, StaleUntilInvalidated) {
  const RunResult result = RunInMachine(MachineFor(GetParam()), [] {
    World world(hal::ActivePageTableFormat());
    const hal::PhysAddr leaf = MapActivateAndRead(world);
    // Remap to another frame without invalidating: the CPU keeps the old one.
    const hal::PhysAddr other = world.tables.NewPage();
    world.tables.Write(other, 222);
    world.tables.Write(leaf, world.tables.UserDataLeaf(other, 0));
    EXPECT_EQ(world.ReadUser(kUserPage), 111u);
    // Invalidating another page or another ASID changes nothing.
    hal::InvalidateTlbPage(kUserPage + 0x1000, 1);
    hal::InvalidateTlbPage(kUserPage, 2);
    EXPECT_EQ(world.ReadUser(kUserPage), 111u);
    hal::InvalidateTlbPage(kUserPage, 1);
    EXPECT_EQ(world.ReadUser(kUserPage), 222u);
    // Unmapped but cached: still readable until invalidated.
    world.tables.Write(leaf, 0);
    EXPECT_EQ(world.ReadUser(kUserPage), 222u);
    hal::InvalidateTlbAll();
    uint64_t value;
    EXPECT_FALSE(hal::CopyFromUser(&value, kUserPage, sizeof(value)));
  });
  ExpectPoweredOff(result);
}

INSTANTIATE_TEST_SUITE_P(AllFormats, StaleTranslationTest, ::testing::ValuesIn(kAllFormats),
                         FormatName);

TEST_P(StaleTranslationTest, TheDefaultMachineStopsAtTheFirstStaleUse) {
  const RunResult result = RunInMachine(CheckingMachineFor(GetParam()), [] {
    World world(hal::ActivePageTableFormat());
    const hal::PhysAddr leaf = MapActivateAndRead(world);
    world.tables.Write(leaf, 0);  // Unmapped, not invalidated.
    uint64_t value;
    (void)hal::CopyFromUser(&value, kUserPage, sizeof(value));
    ADD_FAILURE() << "the stale read went through";
  });
  EXPECT_EQ(result.outcome, RunOutcome::kPanicked);
  EXPECT_THAT(result.failure, ::testing::HasSubstr("stale TLB entry used: cpu 0's read of "
                                                   "virtual address 0x"));
  EXPECT_THAT(result.failure, ::testing::HasSubstr("shootdown is missing"));
}

TEST_P(StaleTranslationTest, ARootSwitchUnderTheSameAsidIsStale) {
  const RunResult result = RunInMachine(CheckingMachineFor(GetParam()), [] {
    World world(hal::ActivePageTableFormat());
    MapActivateAndRead(world);
    // Another space under the same ASID, no flush: its entries are untouched,
    // but the cached translation no longer matches what the new root maps.
    const hal::PhysAddr root2 = world.tables.NewPage();
    const hal::PhysAddr frame2 = world.tables.NewPage();
    world.tables.Write(frame2, 222);
    world.tables.Map(root2, kUserPage, 0, world.tables.UserDataLeaf(frame2, 0));
    hal::ActivateAddressSpace(root2, 1);
    uint64_t value;
    (void)hal::CopyFromUser(&value, kUserPage, sizeof(value));
    ADD_FAILURE() << "the stale read went through";
  });
  EXPECT_EQ(result.outcome, RunOutcome::kPanicked);
  EXPECT_THAT(result.failure, ::testing::HasSubstr("stale TLB entry used"));
}

// A bit each format leaves to software (x86 AVL, AArch64 bits 55-58, RISC-V RSW).
uint64_t SoftwareBit(hal::PageTableFormat format) {
  switch (format) {
    case hal::PageTableFormat::kX86_64:
      return uint64_t{1} << 9;
    case hal::PageTableFormat::kAarch64:
      return uint64_t{1} << 55;
    default:
      return uint64_t{1} << 8;
  }
}

TEST_P(StaleTranslationTest, AChangedEntryThatStillMapsTheSamePageIsNotStale) {
  const RunResult result = RunInMachine(CheckingMachineFor(GetParam()), [] {
    World world(hal::ActivePageTableFormat());
    const hal::PhysAddr leaf = MapActivateAndRead(world);
    // The cached entry's source changed, the page it maps did not: the check
    // walks again, finds the same page and lets the access through.
    world.tables.Write(leaf, world.tables.Read(leaf) | SoftwareBit(hal::ActivePageTableFormat()));
    EXPECT_EQ(world.ReadUser(kUserPage), 111u);
    EXPECT_EQ(world.ReadUser(kUserPage + 8), 0u);
  });
  ExpectPoweredOff(result);
}

// A machine that lets stale TLB entries through, as hardware does, so tests
// can look at them (the default stops the run at the first stale use).
sim::MachineConfig LenientMachine(uint32_t cpus) {
  sim::MachineConfig config = SmallMachine(cpus);
  config.check_stale_tlb = false;
  return config;
}

TEST(TlbMachineTest, EntriesAreTaggedByAsidAndGlobalEntriesSurviveASwitch) {
  const RunResult result = RunInMachine(LenientMachine(1), [] {
    World world;
    world.MapValue(kUserPage, 1);
    // A second address space mapping the same address elsewhere.
    const hal::PhysAddr root2 = world.tables.NewPage();
    const hal::PhysAddr frame2 = world.tables.NewPage();
    world.tables.Write(frame2, 2);
    world.tables.Map(root2, kUserPage, 0, world.tables.UserDataLeaf(frame2, 0));
    // A global page present only in the first address space.
    constexpr hal::VirtAddr kGlobalPage = 0x80'0000;
    const hal::PhysAddr global_frame = world.tables.NewPage();
    world.tables.Write(global_frame, 3);
    world.tables.Map(world.root, kGlobalPage,
                     0, world.tables.UserDataLeaf(global_frame, 0) | sim_testing::Bit(8));

    hal::ActivateAddressSpace(world.root, 1);
    EXPECT_EQ(world.ReadUser(kUserPage), 1u);
    EXPECT_EQ(world.ReadUser(kGlobalPage), 3u);
    hal::ActivateAddressSpace(root2, 2);  // No flush: ASID 2 has no entries yet.
    EXPECT_EQ(world.ReadUser(kUserPage), 2u);
    EXPECT_EQ(world.ReadUser(kGlobalPage), 3u);  // Global: cached under ASID 1, used here.
    const uint64_t misses = Machine::Current().tlb(0).stats().misses;
    hal::ActivateAddressSpace(world.root, 1);
    EXPECT_EQ(world.ReadUser(kUserPage), 1u);  // ASID 1's entry is still cached.
    EXPECT_EQ(Machine::Current().tlb(0).stats().misses, misses);
    // Same ASID, new root, no invalidation: the old translation is used (the
    // kernel must invalidate when it reuses an ASID).
    hal::ActivateAddressSpace(root2, 1);
    EXPECT_EQ(world.ReadUser(kUserPage), 1u);
  });
  ExpectPoweredOff(result);
}

// Two CPUs share one address space; only the CPU that invalidates drops its
// entry.
struct SharedState {
  World* world = nullptr;
  int phase = 0;
  uint64_t cpu1_before = 0;
  uint64_t cpu1_after = 0;
  uint64_t cpu1_after_own_invalidate = 0;
};
SharedState shared;

void Cpu1Entry(hal::CpuId) {
  hal::ActivateAddressSpace(shared.world->root, 1);
  shared.cpu1_before = shared.world->ReadUser(kUserPage);
  shared.phase = 1;
  while (shared.phase != 2) hal::CpuRelax();
  shared.cpu1_after = shared.world->ReadUser(kUserPage);
  hal::InvalidateTlbPage(kUserPage, 1);
  shared.cpu1_after_own_invalidate = shared.world->ReadUser(kUserPage);
  shared.phase = 3;
  for (;;) hal::WaitForInterrupt();
}

TEST(TlbMachineTest, InvalidationIsLocalToTheCallingCpu) {
  shared = SharedState{};
  const RunResult result = RunInMachine(LenientMachine(2), [] {
    World world;
    shared.world = &world;
    const hal::PhysAddr leaf = world.MapValue(kUserPage, 10);
    hal::ActivateAddressSpace(world.root, 1);
    EXPECT_EQ(world.ReadUser(kUserPage), 10u);
    ASSERT_TRUE(hal::StartCpu(1, Cpu1Entry));
    while (shared.phase != 1) hal::CpuRelax();
    const hal::PhysAddr other = world.tables.NewPage();
    world.tables.Write(other, 20);
    world.tables.Write(leaf, world.tables.UserDataLeaf(other, 0));
    hal::InvalidateTlbPage(kUserPage, 1);  // CPU 0 only: no shootdown.
    EXPECT_EQ(world.ReadUser(kUserPage), 20u);
    shared.phase = 2;
    while (shared.phase != 3) hal::CpuRelax();
  });
  ExpectPoweredOff(result);
  EXPECT_EQ(shared.cpu1_before, 10u);
  EXPECT_EQ(shared.cpu1_after, 10u);  // The missing shootdown is visible.
  EXPECT_EQ(shared.cpu1_after_own_invalidate, 20u);
  ASSERT_EQ(result.cpus.size(), 2u);
  EXPECT_EQ(result.cpus[0].tlb_invalidations, 1u);
  EXPECT_EQ(result.cpus[1].tlb_invalidations, 1u);
}

TEST(TlbMachineTest, WriteThroughACleanCachedEntryWalksAgainToSetDirty) {
  const RunResult result = RunInMachine(SmallMachine(1), [] {
    World world;
    const hal::PhysAddr leaf = world.MapValue(kUserPage, 1);
    world.tables.Write(leaf, world.tables.Read(leaf) & ~sim_testing::Bit(6));  // D = 0.
    hal::ActivateAddressSpace(world.root, 1);
    EXPECT_EQ(world.ReadUser(kUserPage), 1u);
    EXPECT_EQ(world.tables.Read(leaf) & sim_testing::Bit(6), 0u);
    const uint64_t value = 5;
    EXPECT_TRUE(hal::CopyToUser(kUserPage, &value, sizeof(value)));
    EXPECT_NE(world.tables.Read(leaf) & sim_testing::Bit(6), 0u);
    EXPECT_EQ(Machine::Current().tlb(0).stats().misses, 1u);  // The write hit, then walked.
    EXPECT_EQ(world.ReadUser(kUserPage), 5u);
  });
  ExpectPoweredOff(result);
}

// --- CopyFromUser / CopyToUser ---------------------------------------------

// The demand-paging resolver of the copy tests: maps a zeroed frame at the
// faulting page if it lies in [demand_begin, demand_end).
struct DemandPager {
  World* world = nullptr;
  hal::VirtAddr begin = 0;
  hal::VirtAddr end = 0;
  std::vector<hal::PageFaultInfo> faults;
};
DemandPager pager;

bool MapOnDemand(const hal::PageFaultInfo& fault) {
  pager.faults.push_back(fault);
  if (fault.present || fault.address < pager.begin || fault.address >= pager.end) return false;
  const hal::PhysAddr frame = pager.world->tables.NewPage();
  pager.world->tables.Map(pager.world->root, fault.address & ~0xfffull, 0,
                          pager.world->tables.UserDataLeaf(frame, 0));
  return true;  // Not-present entries are never cached: no invalidation needed.
}

// Runs `body` in a machine of `format` whose resolver maps the `pages`
// pages from kUserPage on demand, with the pager's space active.
void RunWithDemandPager(hal::PageTableFormat format, uint64_t pages,
                        const std::function<void()>& body) {
  pager = DemandPager{};
  sim::MachineConfig config = MachineFor(format);
  config.page_fault_handler = MapOnDemand;
  ExpectPoweredOff(RunInMachine(config, [pages, &body] {
    World world(hal::ActivePageTableFormat());
    pager.world = &world;
    pager.begin = kUserPage;
    pager.end = kUserPage + pages * 0x1000;
    hal::ActivateAddressSpace(world.root, 1);
    body();
  }));
}

class DemandPagingTest : public ::testing::TestWithParam<hal::PageTableFormat> {};

TEST_P(DemandPagingTest, CopiesAcrossPageBoundariesMappingPagesOnDemand) {
  RunWithDemandPager(GetParam(), 3, [] {
    // 6000 bytes from 100 bytes before the first page end: spans 3 pages.
    std::vector<char> out(6000), in(6000);
    for (size_t i = 0; i < out.size(); ++i) out[i] = static_cast<char>(i * 7 + 1);
    const hal::VirtAddr start = kUserPage + 0x1000 - 100;
    EXPECT_TRUE(hal::CopyToUser(start, out.data(), out.size()));
    EXPECT_EQ(pager.faults.size(), 3u);
    for (const hal::PageFaultInfo& fault : pager.faults) {
      EXPECT_FALSE(fault.present);
      EXPECT_TRUE(fault.write);
      EXPECT_TRUE(fault.user);
      EXPECT_FALSE(fault.fetch);
    }
    EXPECT_EQ(pager.faults[0].address, start);
    EXPECT_EQ(pager.faults[1].address, kUserPage + 0x1000);
    EXPECT_EQ(pager.faults[2].address, kUserPage + 0x2000);
    EXPECT_TRUE(hal::CopyFromUser(in.data(), start, in.size()));
    EXPECT_EQ(in, out);
    EXPECT_EQ(pager.faults.size(), 3u);
    // Beyond the pager's range the resolver declines: the copy fails after
    // copying what it could.
    std::vector<char> tail(200, 'x');
    EXPECT_FALSE(hal::CopyToUser(kUserPage + 0x3000 - 100, tail.data(), tail.size()));
    EXPECT_EQ(pager.faults.size(), 4u);
    char check[100];
    EXPECT_TRUE(hal::CopyFromUser(check, kUserPage + 0x3000 - 100, sizeof(check)));
    EXPECT_EQ(check[99], 'x');
  });
}

TEST_P(DemandPagingTest, ANoFaultCopyLeavesTheResolverAlone) {
  RunWithDemandPager(GetParam(), 2, [] {
    char byte = 'a';
    EXPECT_TRUE(hal::CopyToUser(kUserPage + 0x1000 - 1, &byte, 1));  // Maps the first page.
    ASSERT_EQ(pager.faults.size(), 1u);
    // The second page is not mapped yet: the copy stops there unresolved.
    char pair[2] = {};
    EXPECT_FALSE(hal::CopyFromUserNoFault(pair, kUserPage + 0x1000 - 1, sizeof(pair)));
    EXPECT_EQ(pager.faults.size(), 1u);
    EXPECT_TRUE(hal::CopyFromUser(pair, kUserPage + 0x1000 - 1, sizeof(pair)));
    EXPECT_EQ(pager.faults.size(), 2u);
    pair[0] = pair[1] = 0;
    EXPECT_TRUE(hal::CopyFromUserNoFault(pair, kUserPage + 0x1000 - 1, sizeof(pair)));
    EXPECT_EQ(pair[0], 'a');
    EXPECT_EQ(pair[1], 0);
    EXPECT_EQ(pager.faults.size(), 2u);
  });
}

INSTANTIATE_TEST_SUITE_P(AllFormats, DemandPagingTest, ::testing::ValuesIn(kAllFormats),
                         FormatName);

TEST(UserMemoryTest, WithoutAResolverFaultsFailTheCopy) {
  const RunResult result = RunInMachine(SmallMachine(1), [] {
    World world;
    world.MapValue(kUserPage, 42);
    hal::ActivateAddressSpace(world.root, 1);
    uint64_t pair[2];
    EXPECT_FALSE(hal::CopyFromUser(pair, kUserPage + 0x1000 - 8, sizeof(pair)));
    EXPECT_TRUE(hal::CopyFromUser(pair, kUserPage, sizeof(pair)));
    EXPECT_EQ(pair[0], 42u);
  });
  ExpectPoweredOff(result);
}

TEST(UserMemoryTest, CopiesUseUserPermissions) {
  pager = DemandPager{};
  sim::MachineConfig config = SmallMachine(1);
  config.page_fault_handler = MapOnDemand;
  const RunResult result = RunInMachine(config, [] {
    World world;
    pager.world = &world;
    // A supervisor-only page and a user read-only page.
    const hal::PhysAddr frame = world.tables.NewPage();
    world.tables.Map(world.root, kUserPage, 0, frame | 0x63);  // P RW A D, no US.
    world.tables.Map(world.root, kUserPage + 0x1000, 0, frame | 0x65);  // P US A.
    hal::ActivateAddressSpace(world.root, 1);
    uint64_t value = 0;
    EXPECT_FALSE(hal::CopyFromUser(&value, kUserPage, sizeof(value)));
    EXPECT_TRUE(hal::CopyFromUser(&value, kUserPage + 0x1000, sizeof(value)));
    EXPECT_FALSE(hal::CopyToUser(kUserPage + 0x1000, &value, sizeof(value)));
    ASSERT_EQ(pager.faults.size(), 2u);
    EXPECT_TRUE(pager.faults[0].present && pager.faults[0].user && !pager.faults[0].write);
    EXPECT_TRUE(pager.faults[1].present && pager.faults[1].user && pager.faults[1].write);
  });
  ExpectPoweredOff(result);
}

bool ClaimsSuccess(const hal::PageFaultInfo&) { return true; }

TEST(UserMemoryTest, AResolverThatNeverFixesTheFaultStopsTheRun) {
  sim::MachineConfig config = SmallMachine(1);
  config.page_fault_handler = ClaimsSuccess;
  const RunResult result = RunInMachine(config, [] {
    World world;
    hal::ActivateAddressSpace(world.root, 1);
    uint64_t value;
    (void)hal::CopyFromUser(&value, kUserPage, sizeof(value));
  });
  EXPECT_EQ(result.outcome, RunOutcome::kPanicked);
  EXPECT_NE(result.failure.find("resolver"), std::string::npos) << result.failure;
}

}  // namespace
}  // namespace sim
