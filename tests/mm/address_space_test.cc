// Address spaces on the simulator: demand paging, copy-on-write, shared and
// physical regions, unmap and protect, no frame leaks, and TLB shootdowns
// across CPUs (the simulator's per-CPU TLB model keeps stale translations, so
// a missing shootdown is visible).
#include "src/mm/address_space.h"

#include <cstring>
#include <string>

#include "gtest/gtest.h"
#include "src/hal/atomic.h"
#include "src/hal/cpu.h"
#include "src/hal/interrupts.h"
#include "src/hal/memory_map.h"
#include "src/hal/mmu.h"
#include "src/hal/user_memory.h"
#include "src/mm/boot_allocator.h"
#include "src/mm/frame_allocator.h"
#include "src/mm/frame_refs.h"
#include "src/mm/tlb_shootdown.h"
#include "tests/support/in_machine.h"
#include "tests/support/isolated.h"
#include "tests/support/shootdown_ipis.h"

namespace vos {
namespace {

constexpr uint64_t kPage = hal::kPageSize;
const Perm kReadWrite = Perm::kRead | Perm::kWrite;

sim::MachineConfig MemoryMachine(uint32_t cpus, hal::PageTableFormat format) {
  sim::MachineConfig config = testing_support::SmallMachine(cpus);
  config.page_table_format = format;
  config.page_fault_handler = ResolveUserPageFault;
  config.trap_handler = testing_support::ServeShootdownIpis;
  return config;
}

// Brings up the frame allocator and the frame reference counts, as boot does.
void InitMemory() {
  static BootAllocator boot;
  const hal::MemoryMap& map = hal::GetMemoryMap();
  boot.Init(map);
  ASSERT_EQ(InitFrameAllocator(map, boot), Status::kOk);
  ASSERT_EQ(PageRefs().Init(map), Status::kOk);
  hal::InterruptsEnable();
}

uint64_t UsedFrames() { return Frames().GetNodeStats(0).used; }

bool WriteString(hal::VirtAddr va, const std::string& text) {
  return hal::CopyToUser(va, text.data(), text.size());
}

std::string ReadString(hal::VirtAddr va, size_t size) {
  std::string text(size, '\0');
  if (!hal::CopyFromUser(text.data(), va, size)) return "<fault>";
  return text;
}

// Runs `body` on CPU 0 of a fresh machine in a fresh process, after memory
// init, and checks the run's result (by default: a normal power-off).
void RunTest(
    const sim::MachineConfig& config, const std::function<void()>& body,
    const std::function<void(const sim::RunResult&)>& check = [](const sim::RunResult& result) {
      EXPECT_EQ(result.outcome, sim::RunOutcome::kPoweredOff) << result.failure;
    }) {
  testing_support::RunIsolated([&] {
    check(testing_support::RunInMachine(config, [&] {
      InitMemory();
      if (!::testing::Test::HasFatalFailure()) body();
    }));
  });
}

void RunTest(uint32_t cpus, hal::PageTableFormat format, const std::function<void()>& body) {
  RunTest(MemoryMachine(cpus, format), body);
}

class AddressSpaceTest : public ::testing::TestWithParam<hal::PageTableFormat> {};

TEST_P(AddressSpaceTest, DemandPagingMapsZeroedPagesOnFirstTouch) {
  RunTest(1, GetParam(), [] {
    AddressSpace space;
    ASSERT_EQ(space.Init(), Status::kOk);
    space.Activate();
    Result<hal::VirtAddr> va = space.Map(0, 4 * kPage, kReadWrite, RegionKind::kPrivate);
    ASSERT_TRUE(va.ok());
    EXPECT_EQ(space.stats().resident_pages, 0u);
    EXPECT_EQ(ReadString(*va + kPage, 4), std::string(4, '\0'));
    // A write crossing a page boundary faults in both pages.
    ASSERT_TRUE(WriteString(*va + 2 * kPage - 3, "abcdef"));
    EXPECT_EQ(ReadString(*va + 2 * kPage - 3, 6), "abcdef");
    EXPECT_EQ(space.stats().resident_pages, 2u);
    EXPECT_EQ(space.stats().demand_faults, 2u);
    AddressSpace::DeactivateCurrent();
  });
}

TEST_P(AddressSpaceTest, AccessesNoRegionAllowsFail) {
  RunTest(1, GetParam(), [] {
    AddressSpace space;
    ASSERT_EQ(space.Init(), Status::kOk);
    space.Activate();
    Result<hal::VirtAddr> read_only = space.Map(0, kPage, Perm::kRead, RegionKind::kPrivate);
    ASSERT_TRUE(read_only.ok());
    EXPECT_EQ(ReadString(*read_only, 2), std::string(2, '\0'));
    EXPECT_FALSE(WriteString(*read_only, "x"));
    EXPECT_EQ(ReadString(*read_only + kPage, 1), "<fault>");  // No region there.
    EXPECT_EQ(ReadString(0, 1), "<fault>");                    // Null.
    EXPECT_EQ(space.stats().bad_faults, 3u);
    AddressSpace::DeactivateCurrent();
  });
}

TEST_P(AddressSpaceTest, MapRejectsBadRequests) {
  RunTest(1, GetParam(), [] {
    AddressSpace space;
    ASSERT_EQ(space.Init(), Status::kOk);
    const hal::VirtAddr base = 0x400000;
    EXPECT_EQ(space.Map(base + 1, kPage, kReadWrite, RegionKind::kPrivate).status(),
              Status::kInvalidArgument);
    EXPECT_EQ(space.Map(base, 100, kReadWrite, RegionKind::kPrivate).status(),
              Status::kInvalidArgument);
    EXPECT_EQ(space.Map(base, kPage, Perm::kWrite, RegionKind::kPrivate).status(),
              Status::kInvalidArgument);
    EXPECT_EQ(space.Map(base, kPage, kReadWrite | Perm::kUser, RegionKind::kPrivate).status(),
              Status::kInvalidArgument);
    EXPECT_EQ(space.Map(kPage, kPage, kReadWrite, RegionKind::kPrivate).status(),
              Status::kOutOfRange);
    EXPECT_EQ(space.Map(AddressSpace::kUserEnd - kPage, 2 * kPage, kReadWrite,
                        RegionKind::kPrivate)
                  .status(),
              Status::kOutOfRange);
    ASSERT_TRUE(space.Map(base, 2 * kPage, kReadWrite, RegionKind::kPrivate).ok());
    EXPECT_EQ(space.Map(base + kPage, kPage, kReadWrite, RegionKind::kPrivate).status(),
              Status::kAlreadyExists);
    // Anywhere: the first gap that fits, below or above the region.
    Result<hal::VirtAddr> anywhere = space.Map(0, kPage, kReadWrite, RegionKind::kPrivate);
    ASSERT_TRUE(anywhere.ok());
    EXPECT_EQ(*anywhere, AddressSpace::kUserBase);
  });
}

TEST_P(AddressSpaceTest, CloneSharesPrivatePagesCopyOnWrite) {
  RunTest(1, GetParam(), [] {
    AddressSpace parent;
    ASSERT_EQ(parent.Init(), Status::kOk);
    parent.Activate();
    Result<hal::VirtAddr> va = parent.Map(0, 2 * kPage, kReadWrite, RegionKind::kPrivate);
    ASSERT_TRUE(va.ok());
    ASSERT_TRUE(WriteString(*va, "parent"));
    {
      AddressSpace child;
      ASSERT_EQ(child.Init(), Status::kOk);
      ASSERT_EQ(parent.CloneInto(child), Status::kOk);
      Result<Mapping> shared = parent.Query(*va);
      ASSERT_TRUE(shared.ok());
      EXPECT_EQ(PageRefs().Count(shared->pa), 2u);
      EXPECT_FALSE(HasPerm(shared->perms, Perm::kWrite));

      child.Activate();
      EXPECT_EQ(ReadString(*va, 6), "parent");
      ASSERT_TRUE(WriteString(*va, "child!"));
      EXPECT_EQ(child.stats().cow_copies, 1u);
      EXPECT_EQ(ReadString(*va, 6), "child!");

      parent.Activate();
      EXPECT_EQ(ReadString(*va, 6), "parent");
      // The child has its own copy now, so the parent's write reuses the frame.
      ASSERT_TRUE(WriteString(*va, "again!"));
      EXPECT_EQ(parent.stats().cow_reuses, 1u);
      EXPECT_EQ(parent.stats().cow_copies, 0u);
      Result<Mapping> own = parent.Query(*va);
      ASSERT_TRUE(own.ok());
      EXPECT_EQ(own->pa, shared->pa);
      EXPECT_EQ(PageRefs().Count(own->pa), 1u);
    }
    EXPECT_EQ(ReadString(*va, 6), "again!");
    AddressSpace::DeactivateCurrent();
  });
}

TEST_P(AddressSpaceTest, SharedRegionsStaySharedAcrossClones) {
  RunTest(1, GetParam(), [] {
    AddressSpace parent;
    AddressSpace child;
    ASSERT_EQ(parent.Init(), Status::kOk);
    ASSERT_EQ(child.Init(), Status::kOk);
    parent.Activate();
    Result<hal::VirtAddr> va = parent.Map(0, kPage, kReadWrite, RegionKind::kShared);
    ASSERT_TRUE(va.ok());
    ASSERT_TRUE(WriteString(*va, "one"));
    ASSERT_EQ(parent.CloneInto(child), Status::kOk);
    child.Activate();
    ASSERT_TRUE(WriteString(*va, "two"));
    parent.Activate();
    EXPECT_EQ(ReadString(*va, 3), "two");
    EXPECT_EQ(child.stats().cow_copies, 0u);
    AddressSpace::DeactivateCurrent();
  });
}

TEST_P(AddressSpaceTest, PhysicalRegionsMapTheirFrames) {
  RunTest(1, GetParam(), [] {
    Result<hal::PhysAddr> frames = Frames().Alloc({.count = 2});
    ASSERT_TRUE(frames.ok());
    std::memcpy(hal::PhysToVirt(*frames + kPage), "device", 6);
    {
      AddressSpace space;
      ASSERT_EQ(space.Init(), Status::kOk);
      space.Activate();
      Result<hal::VirtAddr> va =
          space.Map(0x800000, 2 * kPage, kReadWrite, RegionKind::kPhysical, *frames);
      ASSERT_TRUE(va.ok());
      EXPECT_EQ(ReadString(*va + kPage, 6), "device");
      ASSERT_TRUE(WriteString(*va, "written"));
      EXPECT_EQ(std::memcmp(hal::PhysToVirt(*frames), "written", 7), 0);
      AddressSpace::DeactivateCurrent();
    }
    // The space never owned the frames: they are still allocated and intact.
    EXPECT_EQ(std::memcmp(hal::PhysToVirt(*frames + kPage), "device", 6), 0);
    EXPECT_EQ(Frames().Free(*frames, 2), Status::kOk);
  });
}

TEST_P(AddressSpaceTest, UnmapAndProtectSplitRegions) {
  RunTest(1, GetParam(), [] {
    AddressSpace space;
    ASSERT_EQ(space.Init(), Status::kOk);
    space.Activate();
    Result<hal::VirtAddr> va = space.Map(0, 4 * kPage, kReadWrite, RegionKind::kPrivate);
    ASSERT_TRUE(va.ok());
    for (int page = 0; page < 4; ++page) ASSERT_TRUE(WriteString(*va + page * kPage, "x"));
    const uint64_t used = UsedFrames();
    ASSERT_EQ(space.Unmap(*va + kPage, kPage), Status::kOk);
    EXPECT_EQ(space.region_count(), 2u);
    EXPECT_EQ(UsedFrames(), used - 1);
    EXPECT_EQ(ReadString(*va + kPage, 1), "<fault>");
    EXPECT_EQ(ReadString(*va + 2 * kPage, 1), "x");

    ASSERT_EQ(space.Protect(*va + 2 * kPage, kPage, Perm::kRead), Status::kOk);
    EXPECT_EQ(space.region_count(), 3u);
    EXPECT_FALSE(WriteString(*va + 2 * kPage, "y"));
    EXPECT_TRUE(WriteString(*va + 3 * kPage, "y"));
    ASSERT_EQ(space.Protect(*va + 2 * kPage, kPage, kReadWrite), Status::kOk);
    EXPECT_TRUE(WriteString(*va + 2 * kPage, "y"));
    EXPECT_EQ(space.Protect(*va + kPage, kPage, kReadWrite), Status::kNotFound);
    AddressSpace::DeactivateCurrent();
  });
}

TEST_P(AddressSpaceTest, EveryFrameComesBackAfterTheSpacesGo) {
  RunTest(1, GetParam(), [] {
    const uint64_t baseline = UsedFrames();
    {
      AddressSpace parent;
      AddressSpace child;
      ASSERT_EQ(parent.Init(), Status::kOk);
      ASSERT_EQ(child.Init(), Status::kOk);
      parent.Activate();
      Result<hal::VirtAddr> private_va = parent.Map(0, 64 * kPage, kReadWrite,
                                                    RegionKind::kPrivate);
      Result<hal::VirtAddr> shared_va = parent.Map(0, 8 * kPage, kReadWrite, RegionKind::kShared);
      ASSERT_TRUE(private_va.ok() && shared_va.ok());
      // Spread over several page-table branches.
      ASSERT_TRUE(parent.Map(0x40000000, 4 * kPage, kReadWrite, RegionKind::kPrivate).ok());
      for (int page = 0; page < 64; ++page) ASSERT_TRUE(WriteString(*private_va + page * kPage, "p"));
      for (int page = 0; page < 8; ++page) ASSERT_TRUE(WriteString(*shared_va + page * kPage, "s"));
      ASSERT_TRUE(WriteString(0x40000000 + kPage, "far"));
      ASSERT_EQ(parent.CloneInto(child), Status::kOk);
      child.Activate();
      for (int page = 0; page < 64; page += 2) ASSERT_TRUE(WriteString(*private_va + page * kPage, "c"));
      ASSERT_EQ(child.Unmap(*private_va, 16 * kPage), Status::kOk);
      AddressSpace::DeactivateCurrent();
      EXPECT_GT(UsedFrames(), baseline);
    }
    EXPECT_EQ(UsedFrames(), baseline);
  });
}

INSTANTIATE_TEST_SUITE_P(AllFormats, AddressSpaceTest,
                         ::testing::Values(hal::PageTableFormat::kX86_64,
                                           hal::PageTableFormat::kAarch64,
                                           hal::PageTableFormat::kSv39,
                                           hal::PageTableFormat::kSv48),
                         [](const auto& info) {
                           return std::string(hal::PageTableFormatName(info.param));
                         });

// --- Shootdowns across CPUs ---

constexpr uint32_t kCpus = 4;

// Shared by CPU 0 and the secondaries of one machine (one per process).
struct ShootdownProbe {
  AddressSpace* space = nullptr;
  hal::VirtAddr va = 0;
  hal::Atomic<uint32_t> warmed{0};
  hal::Atomic<uint32_t> phase{0};
  hal::Atomic<uint32_t> checked{0};
  std::string seen[kCpus];
} probe;

void Secondary(hal::CpuId cpu) {
  hal::InterruptsEnable();
  probe.space->Activate();
  probe.seen[cpu] = ReadString(probe.va, 5);  // Caches the translation.
  probe.warmed.FetchAdd(1);
  while (probe.phase.Load() == 0) hal::CpuRelax();
  probe.seen[cpu] = ReadString(probe.va, 5);
  AddressSpace::DeactivateCurrent();
  probe.checked.FetchAdd(1);
  for (;;) hal::WaitForInterrupt();
}

// Starts the secondaries on a space whose page at probe.va says "hello",
// unmaps it from CPU 0 once they all cached it, and lets them read it again.
void UnmapWhileOthersCacheIt() {
  AddressSpace space;
  ASSERT_EQ(space.Init(), Status::kOk);
  space.Activate();
  Result<hal::VirtAddr> va = space.Map(0, kPage, kReadWrite, RegionKind::kPrivate);
  ASSERT_TRUE(va.ok());
  ASSERT_TRUE(WriteString(*va, "hello"));
  probe.space = &space;
  probe.va = *va;
  for (hal::CpuId cpu = 1; cpu < kCpus; ++cpu) ASSERT_TRUE(hal::StartCpu(cpu, Secondary));
  while (probe.warmed.Load() != kCpus - 1) hal::CpuRelax();
  for (hal::CpuId cpu = 1; cpu < kCpus; ++cpu) EXPECT_EQ(probe.seen[cpu], "hello");
  EXPECT_EQ(space.active_cpus().Snapshot().Count(), kCpus);
  ASSERT_EQ(space.Unmap(*va, kPage), Status::kOk);
  probe.phase.Store(1);
  while (probe.checked.Load() != kCpus - 1) hal::CpuRelax();
  AddressSpace::DeactivateCurrent();
}

TEST(TlbShootdownTest, UnmapInvalidatesEveryCpuWhereTheSpaceIsActive) {
  RunTest(kCpus, hal::PageTableFormat::kX86_64, [] {
    UnmapWhileOthersCacheIt();
    for (hal::CpuId cpu = 1; cpu < kCpus; ++cpu) {
      EXPECT_EQ(probe.seen[cpu], "<fault>") << "cpu " << cpu;
    }
    // One shootdown for the unmap, one when the space is destroyed (its
    // ASID is flushed wherever it ran), each to the three other CPUs.
    const TlbShootdownStats stats = GetTlbShootdownStats();
    EXPECT_EQ(stats.initiated, 2u);
    EXPECT_EQ(stats.ipis_sent, 2 * (kCpus - 1));
    EXPECT_EQ(stats.served, 2 * (kCpus - 1));
  });
}

TEST(TlbShootdownTest, AMissingShootdownLeavesAStaleTranslationInUse) {
  // As hardware would: the simulator lets the stale translation through.
  sim::MachineConfig config = MemoryMachine(kCpus, hal::PageTableFormat::kX86_64);
  config.check_stale_tlb = false;
  RunTest(config, [] {
    SetShootdownSkipForTesting(2);
    UnmapWhileOthersCacheIt();
    EXPECT_EQ(probe.seen[1], "<fault>");
    EXPECT_EQ(probe.seen[3], "<fault>");
    // CPU 2 was never told: it still reads the unmapped (and freed) frame.
    EXPECT_EQ(probe.seen[2], "hello");
  });
}

TEST(TlbShootdownTest, TheSimulatorCatchesTheStaleUseOfAMissingShootdown) {
  RunTest(
      MemoryMachine(kCpus, hal::PageTableFormat::kAarch64),
      [] {
        SetShootdownSkipForTesting(2);
        UnmapWhileOthersCacheIt();
        ADD_FAILURE() << "the run went on after the stale use";
      },
      [](const sim::RunResult& result) {
        EXPECT_EQ(result.outcome, sim::RunOutcome::kPanicked);
        EXPECT_NE(result.failure.find("stale TLB entry used: cpu 2's read"), std::string::npos)
            << result.failure;
      });
}

TEST(TlbShootdownTest, ACpuComingBackAfterAMissedShootdownFlushes) {
  RunTest(2, hal::PageTableFormat::kSv48, [] {
    AddressSpace first;
    AddressSpace second;
    ASSERT_EQ(first.Init(), Status::kOk);
    ASSERT_EQ(second.Init(), Status::kOk);
    first.Activate();
    Result<hal::VirtAddr> va = first.Map(0, kPage, kReadWrite, RegionKind::kPrivate);
    ASSERT_TRUE(va.ok());
    ASSERT_TRUE(WriteString(*va, "old"));
    // Switch away (the TLB keeps the tagged entry), change the mapping with
    // nobody active, come back: the stale entry must not be used.
    second.Activate();
    EXPECT_FALSE(first.active_cpus().Snapshot().Has(0));
    ASSERT_EQ(first.Unmap(*va, kPage), Status::kOk);
    first.Activate();
    EXPECT_EQ(ReadString(*va, 3), "<fault>");
    AddressSpace::DeactivateCurrent();
  });
}

}  // namespace
}  // namespace vos
