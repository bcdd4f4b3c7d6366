// The frame allocator as kernel code on simulated machines: initialisation
// from the memory map and the boot allocator, zones, NUMA fallback, huge
// alignments, bad frees, the per-CPU cache, and seeded random sequences
// checked against a model.
#include "src/mm/frame_allocator.h"

#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "src/hal/atomic.h"
#include "src/hal/cpu.h"
#include "src/hal/interrupts.h"
#include "src/hal/memory_map.h"
#include "src/hal/mmu.h"
#include "tests/support/in_machine.h"

namespace vos {
namespace {

constexpr uint64_t kMiB = 1 << 20;
constexpr uint64_t kPage = hal::kPageSize;
constexpr hal::PhysAddr kDmaLimit = 16 * kMiB;

sim::MachineConfig Machine(uint32_t nodes, uint64_t ram_per_node, uint32_t cpus = 1) {
  sim::MachineConfig config = testing_support::SmallMachine(cpus);
  config.numa_nodes = nodes;
  config.ram_per_node = ram_per_node;
  return config;
}

void RunInMachine(const sim::MachineConfig& config, std::function<void()> body) {
  sim::RunResult result = testing_support::RunInMachine(config, std::move(body));
  EXPECT_EQ(result.outcome, sim::RunOutcome::kPoweredOff) << result.failure << result.console;
}

// A fresh allocator initialised like the kernel does it.
std::unique_ptr<FrameAllocator> NewAllocator(const hal::MemoryMap& map, uint64_t* boot_left = nullptr) {
  BootAllocator boot;
  boot.Init(map);
  auto frames = std::make_unique<FrameAllocator>();
  EXPECT_EQ(frames->Init(map, boot), Status::kOk);
  if (boot_left != nullptr) *boot_left = boot.usable_bytes() - boot.allocated_bytes();
  EXPECT_EQ(boot.AllocPages(1).status(), Status::kNoMemory) << "the boot allocator is retired";
  return frames;
}

// The usable region holding [base, base + bytes), or null.
const hal::MemoryRegion* UsableRegion(const hal::MemoryMap& map, hal::PhysAddr base, uint64_t bytes) {
  for (size_t i = 0; i < map.count; ++i) {
    const hal::MemoryRegion& r = map.regions[i];
    if (r.type == hal::MemoryType::kUsable && base >= r.base && base + bytes <= r.base + r.size) {
      return &r;
    }
  }
  return nullptr;
}

struct Totals {
  uint64_t managed = 0, free = 0, cached = 0, used = 0, bad_frees = 0;
};

Totals Sum(FrameAllocator& frames) {
  Totals t;
  for (uint32_t n = 0; n < frames.node_count(); ++n) {
    for (ZoneType type : {ZoneType::kDma, ZoneType::kNormal}) {
      const ZoneStats z = frames.GetZoneStats(n, type);
      EXPECT_EQ(z.free + z.cached + z.used, z.managed);
      t.managed += z.managed;
      t.free += z.free;
      t.cached += z.cached;
      t.used += z.used;
      t.bad_frees += z.bad_frees;
    }
  }
  return t;
}

TEST(FrameAllocatorTest, TakesWhatTheBootAllocatorLeftInTwoZones) {
  RunInMachine(Machine(1, 64 * kMiB), [] {
    const hal::MemoryMap& map = hal::GetMemoryMap();
    uint64_t boot_left = 0;
    auto frames = NewAllocator(map, &boot_left);
    ASSERT_EQ(frames->node_count(), 1u);
    const ZoneStats dma = frames->GetZoneStats(0, ZoneType::kDma);
    const ZoneStats normal = frames->GetZoneStats(0, ZoneType::kNormal);
    ASSERT_TRUE(dma.present);
    ASSERT_TRUE(normal.present);
    EXPECT_LE(dma.end, kDmaLimit);
    EXPECT_EQ(normal.base, kDmaLimit);
    EXPECT_EQ(normal.end, 64 * kMiB - 64 * 1024);  // The ACPI tables stay out.
    EXPECT_EQ((dma.managed + normal.managed) * kPage, boot_left);
    EXPECT_EQ(dma.free, dma.managed);
    EXPECT_EQ(normal.free, normal.managed);
    EXPECT_EQ(dma.used + normal.used, 0u);
    // Whole 2 MiB blocks up to 62 MiB; the ACPI tables cut the last one to
    // 496 frames, which are all the fragmentation there is.
    EXPECT_EQ(normal.free, (48 * kMiB - 64 * 1024) / kPage);
    EXPECT_EQ(normal.fragmentation_percent, 100 * 496 / normal.free);
    EXPECT_EQ(normal.largest_free_order, 12);  // [32 MiB, 48 MiB) is 16 MiB, 4096 frames.
  });
}

TEST(FrameAllocatorTest, ReservedBootAndForeignFramesAreNeverHandedOutNorFreed) {
  RunInMachine(Machine(1, 64 * kMiB), [] {
    const hal::MemoryMap& map = hal::GetMemoryMap();
    BootAllocator boot;
    boot.Init(map);
    const hal::PhysAddr early_page = *boot.AllocPages(1);  // As the kernel's early check.
    FrameAllocator& frames = *new FrameAllocator;
    ASSERT_EQ(frames.Init(map, boot), Status::kOk);
    const Totals before = Sum(frames);

    EXPECT_EQ(frames.Free(early_page, 1), Status::kPermissionDenied);
    EXPECT_EQ(frames.Free(0xa0000, 1), Status::kPermissionDenied);  // Legacy VGA hole.
    EXPECT_EQ(frames.Free(0x2000, 1), Status::kPermissionDenied);   // Below 1 MiB: firmware's.
    EXPECT_EQ(frames.Free(64 * kMiB - 4096, 1), Status::kOutOfRange);  // ACPI tables.
    EXPECT_EQ(frames.Free(1ull << 40, 1), Status::kOutOfRange);
    EXPECT_EQ(frames.Free(16 * kMiB + 12, 1), Status::kInvalidArgument);  // Misaligned.
    EXPECT_EQ(frames.FreeFrame(0xa0000), Status::kPermissionDenied);

    // Drain the whole machine: nothing handed out is outside free memory.
    std::vector<hal::PhysAddr> all;
    for (;;) {
      Result<hal::PhysAddr> frame = frames.Alloc({.count = 1, .alignment = 1, .node = 0});
      if (!frame.ok()) break;
      ASSERT_NE(UsableRegion(map, *frame, kPage), nullptr);
      ASSERT_NE(*frame, early_page);
      ASSERT_GE(*frame, BootAllocator::kLowMemoryLimit);
      all.push_back(*frame);
    }
    EXPECT_EQ(all.size(), before.managed);
    for (hal::PhysAddr frame : all) ASSERT_EQ(frames.Free(frame, 1), Status::kOk);
    frames.DrainCpuCache();
    const Totals after = Sum(frames);
    EXPECT_EQ(after.free, before.free);
    EXPECT_EQ(after.used, 0u);
    // The boot page, the VGA hole, 0x2000 and the cache-path free are charged
    // to the DMA zone; the three outside every zone are counted apart.
    EXPECT_EQ(after.bad_frees, before.bad_frees + 4);
    delete &frames;
  });
}

TEST(FrameAllocatorTest, DoubleFreesAreDetectedOnEveryPath) {
  RunInMachine(Machine(1, 64 * kMiB), [] {
    auto frames = NewAllocator(hal::GetMemoryMap());
    // Through the per-CPU cache.
    hal::PhysAddr one = *frames->AllocFrame();
    ASSERT_EQ(frames->FreeFrame(one), Status::kOk);
    EXPECT_EQ(frames->FreeFrame(one), Status::kInvalidArgument);
    EXPECT_EQ(frames->Free(one, 1), Status::kInvalidArgument);
    // A small (bitmap) and a large (buddy) allocation.
    hal::PhysAddr small = *frames->Alloc({.count = 16, .alignment = 16});
    hal::PhysAddr large = *frames->Alloc({.count = 600});
    const Totals live = Sum(*frames);
    ASSERT_EQ(frames->Free(small, 16), Status::kOk);
    ASSERT_EQ(frames->Free(large, 600), Status::kOk);
    EXPECT_EQ(frames->Free(small, 16), Status::kInvalidArgument);
    EXPECT_EQ(frames->Free(small + 8 * kPage, 1), Status::kInvalidArgument);
    EXPECT_EQ(frames->Free(large, 600), Status::kInvalidArgument);
    EXPECT_EQ(frames->Free(large + 599 * kPage, 1), Status::kInvalidArgument);
    // Never allocated.
    EXPECT_EQ(frames->Free(large + 1000 * kPage, 3), Status::kInvalidArgument);
    const Totals after = Sum(*frames);
    EXPECT_EQ(after.used, live.used - 616);
    EXPECT_EQ(after.bad_frees, live.bad_frees + 5);
    EXPECT_EQ(after.bad_frees, 7u);
  });
}

TEST(FrameAllocatorTest, DmaZoneOnRequestAndAsLastResort) {
  RunInMachine(Machine(1, 64 * kMiB), [] {
    auto frames = NewAllocator(hal::GetMemoryMap());
    Result<hal::PhysAddr> dma = frames->Alloc({.count = 8, .zones = ZonePolicy::kDmaOnly});
    ASSERT_TRUE(dma.ok());
    EXPECT_LT(*dma + 8 * kPage, kDmaLimit + 1);
    // Normal is used first.
    Result<hal::PhysAddr> any = frames->Alloc({.count = 8, .allow_other_nodes = false});
    ASSERT_TRUE(any.ok());
    EXPECT_GE(*any, kDmaLimit);
    // Exhaust Normal with 2 MiB runs and singles; then kAny falls back to DMA.
    while (frames->Alloc({.count = 512, .zones = ZonePolicy::kNormalOnly}).ok()) {
    }
    while (frames->Alloc({.count = 1, .node = 0, .zones = ZonePolicy::kNormalOnly}).ok()) {
    }
    EXPECT_EQ(frames->GetZoneStats(0, ZoneType::kNormal).free, 0u);
    Result<hal::PhysAddr> last_resort = frames->Alloc({.count = 4});
    ASSERT_TRUE(last_resort.ok());
    EXPECT_LT(*last_resort, kDmaLimit);
    EXPECT_GT(frames->GetZoneStats(0, ZoneType::kNormal).alloc_failures, 0u);
    // DMA-only never dips into Normal: exhaust DMA, Normal is already empty,
    // free one Normal run and DMA-only still fails.
    while (frames->Alloc({.count = 1, .zones = ZonePolicy::kDmaOnly}).ok()) {
    }
    ASSERT_EQ(frames->Free(*any, 8), Status::kOk);
    EXPECT_EQ(frames->Alloc({.count = 1, .zones = ZonePolicy::kDmaOnly}).status(),
              Status::kNoMemory);
    EXPECT_TRUE(frames->Alloc({.count = 8, .node = 0}).ok());
  });
}

TEST(FrameAllocatorTest, HugePageAlignmentsAndNodeFallback) {
  RunInMachine(Machine(2, 2048 * kMiB), [] {
    const hal::MemoryMap& map = hal::GetMemoryMap();
    auto frames = NewAllocator(map);
    ASSERT_EQ(frames->node_count(), 2u);
    EXPECT_EQ(frames->FallbackOrder(0)[0], 0);
    EXPECT_EQ(frames->FallbackOrder(0)[1], 1);
    EXPECT_EQ(frames->FallbackOrder(1)[0], 1);

    Result<hal::PhysAddr> two_mib = frames->Alloc({.count = 512, .alignment = 512, .node = 0});
    ASSERT_TRUE(two_mib.ok());
    EXPECT_EQ(*two_mib % (2 * kMiB), 0u);
    EXPECT_LT(*two_mib, 2048 * kMiB);

    // Node 0 has no whole 1 GiB block (ACPI tables end it, the metadata starts
    // it): the request falls back to node 1, which has two.
    EXPECT_EQ(frames->Alloc({.count = k1GiBFrames, .alignment = k1GiBFrames, .node = 0,
                             .allow_other_nodes = false})
                  .status(),
              Status::kNoMemory);
    std::vector<hal::PhysAddr> gibs;
    for (int i = 0; i < 2; ++i) {
      Result<hal::PhysAddr> gib =
          frames->Alloc({.count = k1GiBFrames, .alignment = k1GiBFrames, .node = 0});
      ASSERT_TRUE(gib.ok());
      EXPECT_EQ(*gib % (1024 * kMiB), 0u);
      EXPECT_EQ(UsableRegion(map, *gib, 1024 * kMiB)->numa_node, 1);
      gibs.push_back(*gib);
    }
    EXPECT_NE(gibs[0], gibs[1]);
    EXPECT_EQ(frames->Alloc({.count = k1GiBFrames, .alignment = k1GiBFrames}).status(),
              Status::kNoMemory);
    EXPECT_EQ(frames->GetNodeStats(0).fallbacks, 2u);
    EXPECT_EQ(frames->GetNodeStats(1).used, 2 * k1GiBFrames);
    for (hal::PhysAddr gib : gibs) ASSERT_EQ(frames->Free(gib, k1GiBFrames), Status::kOk);
    EXPECT_EQ(frames->GetZoneStats(1, ZoneType::kNormal).largest_free_order, 18);
    ASSERT_EQ(frames->Free(*two_mib, 512), Status::kOk);
    const Totals end = Sum(*frames);
    EXPECT_EQ(end.used, 0u);
  });
}

// A three-node map over the simulator's RAM with its own distances, so the
// nearest node is not the next one by number.
TEST(FrameAllocatorTest, FallbackGoesToTheNearestNodeFirst) {
  RunInMachine(Machine(3, 32 * kMiB), [] {
    const hal::MemoryMap& sim_map = hal::GetMemoryMap();
    static const uint8_t kDistance[9] = {10, 40, 15,  //
                                         40, 10, 25,  //
                                         15, 25, 10};
    hal::MemoryMap map = sim_map;
    map.numa_distance = kDistance;
    auto frames = NewAllocator(map);
    EXPECT_EQ(frames->FallbackOrder(0)[1], 2);
    EXPECT_EQ(frames->FallbackOrder(0)[2], 1);
    EXPECT_EQ(frames->FallbackOrder(1)[1], 2);
    EXPECT_EQ(frames->FallbackOrder(2)[1], 0);

    auto node_of = [&](hal::PhysAddr address) { return UsableRegion(map, address, kPage)->numa_node; };
    // Exhaust node 0 with 64-frame runs; the next ones go to node 2, then 1.
    int node = 0;
    std::vector<int> visited = {0};
    for (;;) {
      Result<hal::PhysAddr> run = frames->Alloc({.count = 64, .node = 0});
      if (!run.ok()) break;
      if (node_of(*run) != node) {
        node = node_of(*run);
        visited.push_back(node);
      }
    }
    EXPECT_EQ(visited, (std::vector<int>{0, 2, 1}));
  });
}

TEST(FrameAllocatorTest, PerCpuCachesKeepStatisticsTruthful) {
  RunInMachine(Machine(1, 64 * kMiB, 2), [] {
    auto frames = NewAllocator(hal::GetMemoryMap());
    const Totals start = Sum(*frames);
    hal::PhysAddr frame = *frames->AllocFrame();
    Totals t = Sum(*frames);
    EXPECT_EQ(t.used, 1u);
    EXPECT_EQ(t.cached, FrameAllocator::kCacheBatch - 1);
    EXPECT_EQ(t.free, start.free - FrameAllocator::kCacheBatch);
    EXPECT_EQ(frames->GetZoneStats(0, ZoneType::kNormal).allocations, 1u);
    ASSERT_EQ(frames->FreeFrame(frame), Status::kOk);
    t = Sum(*frames);
    EXPECT_EQ(t.used, 0u);
    EXPECT_EQ(t.cached, FrameAllocator::kCacheBatch);
    // Overflowing the cache drains a batch to the zone.
    std::vector<hal::PhysAddr> held;
    for (size_t i = 0; i < 3 * FrameAllocator::kCacheCapacity; ++i) held.push_back(*frames->AllocFrame());
    for (hal::PhysAddr f : held) ASSERT_EQ(frames->FreeFrame(f), Status::kOk);
    t = Sum(*frames);
    EXPECT_LE(t.cached, FrameAllocator::kCacheCapacity);
    EXPECT_EQ(t.used, 0u);
    frames->DrainCpuCache();
    t = Sum(*frames);
    EXPECT_EQ(t.cached, 0u);
    EXPECT_EQ(t.free, start.free);
    const ZoneStats normal = frames->GetZoneStats(0, ZoneType::kNormal);
    EXPECT_EQ(normal.allocations, normal.frees);
    EXPECT_EQ(normal.allocations, 1 + 3 * FrameAllocator::kCacheCapacity);
  });
}

// Seeded random allocations and frees of random sizes and alignments on
// 1- and 2-node machines, checked after every step against a model.
class FrameAllocatorPropertyTest : public ::testing::TestWithParam<uint32_t> {};

void RunRandomSequence(uint32_t nodes, uint64_t seed) {
  RunInMachine(Machine(nodes, 64 * kMiB), [&] {
    const hal::MemoryMap& map = hal::GetMemoryMap();
    auto frames = NewAllocator(map);
    const Totals baseline = Sum(*frames);
    std::mt19937_64 random(seed);
    struct Live {
      size_t count;
    };
    std::map<hal::PhysAddr, Live> live;
    uint64_t live_frames = 0;
    uint64_t fallbacks_seen = 0;
    auto node_of = [&](hal::PhysAddr a) { return UsableRegion(map, a, kPage)->numa_node; };

    for (int step = 0; step < 2500; ++step) {
      const bool allocate = live.empty() || random() % 100 < 58;
      if (allocate) {
        FrameRequest request;
        const uint32_t shape = random() % 10;
        request.count = shape < 4 ? 1 : shape < 8 ? 1 + random() % 64 : 1 + random() % 2000;
        request.alignment = random() % 3 == 0 ? size_t{1} << (random() % 10) : 1;
        request.node = random() % 4 == 0 ? kCurrentNode : static_cast<uint32_t>(random() % nodes);
        const uint32_t zones = random() % 10;
        request.zones = zones == 0 ? ZonePolicy::kDmaOnly
                        : zones == 1 ? ZonePolicy::kNormalOnly
                                     : ZonePolicy::kAny;
        Result<hal::PhysAddr> run = frames->Alloc(request);
        const uint32_t preferred = request.node == kCurrentNode ? 0 : request.node;
        if (!run.ok()) {
          ASSERT_EQ(run.status(), Status::kNoMemory);
          continue;
        }
        const hal::PhysAddr base = *run;
        const uint64_t bytes = request.count * kPage;
        // Inside one usable region, aligned, in the allowed zone.
        const hal::MemoryRegion* region = UsableRegion(map, base, bytes);
        ASSERT_NE(region, nullptr) << std::hex << base;
        ASSERT_EQ(base % (request.alignment * kPage), 0u);
        if (request.zones == ZonePolicy::kDmaOnly) {
          ASSERT_LE(base + bytes, kDmaLimit);
        }
        if (request.zones == ZonePolicy::kNormalOnly) {
          ASSERT_GE(base, kDmaLimit);
        }
        // No overlap with any live allocation.
        auto next = live.lower_bound(base);
        if (next != live.end()) {
          ASSERT_LE(base + bytes, next->first);
        }
        if (next != live.begin()) {
          ASSERT_LE(std::prev(next)->first + std::prev(next)->second.count * kPage, base);
        }
        live[base] = {request.count};
        live_frames += request.count;
        // Fallbacks only when the preferred choice is exhausted: the same
        // request limited to it fails now (a failure changes nothing).
        const uint32_t got_node = node_of(base);
        if (got_node != preferred) {
          ++fallbacks_seen;
          FrameRequest strict = request;
          strict.node = preferred;
          strict.allow_other_nodes = false;
          ASSERT_EQ(frames->Alloc(strict).status(), Status::kNoMemory) << "needless node fallback";
          ASSERT_EQ(got_node, frames->FallbackOrder(preferred)[1]);  // Nearest (2 nodes at most).
        }
        if (request.zones == ZonePolicy::kAny && base < kDmaLimit) {
          FrameRequest normal = request;
          normal.node = got_node;
          normal.zones = ZonePolicy::kNormalOnly;
          normal.allow_other_nodes = false;
          ASSERT_EQ(frames->Alloc(normal).status(), Status::kNoMemory) << "needless DMA fallback";
        }
      } else {
        auto victim = live.begin();
        std::advance(victim, random() % live.size());
        const hal::PhysAddr base = victim->first;
        const size_t count = victim->second.count;
        ASSERT_EQ(count == 1 ? frames->FreeFrame(base) : frames->Free(base, count), Status::kOk);
        if (random() % 16 == 0) {
          ASSERT_EQ(frames->Free(base, count), Status::kInvalidArgument);
        }
        live_frames -= count;
        live.erase(victim);
      }
      const Totals now = Sum(*frames);
      ASSERT_EQ(now.managed, baseline.managed);
      ASSERT_EQ(now.used, live_frames) << "step " << step;
    }
    for (auto& [base, entry] : live) ASSERT_EQ(frames->Free(base, entry.count), Status::kOk);
    frames->DrainCpuCache();
    const Totals end = Sum(*frames);
    EXPECT_EQ(end.used, 0u);
    EXPECT_EQ(end.cached, 0u);
    EXPECT_EQ(end.free, baseline.free);
    if (nodes > 1) {
      EXPECT_GT(fallbacks_seen, 0u) << "the sequence never exhausted a node";
    }
  });
}

TEST_P(FrameAllocatorPropertyTest, OneNode) { RunRandomSequence(1, GetParam()); }
TEST_P(FrameAllocatorPropertyTest, TwoNodes) { RunRandomSequence(2, GetParam()); }

INSTANTIATE_TEST_SUITE_P(Seeds, FrameAllocatorPropertyTest, ::testing::Values(1, 2, 3));

// Every CPU allocates and frees at once (seeded interleaving at every lock),
// tagging each frame it holds: a frame handed to two holders shows up as a
// tag overwritten by the other.
namespace concurrent {

constexpr uint32_t kCpus = 4;
FrameAllocator* frames = nullptr;
hal::Atomic<uint32_t> done{0};

uint64_t Tag(hal::CpuId cpu, hal::PhysAddr frame) { return (uint64_t{cpu + 1} << 56) ^ frame; }

void Work(hal::CpuId cpu) {
  std::mt19937_64 random(cpu + 100);
  struct Run {
    hal::PhysAddr base;
    size_t count;
  };
  std::vector<Run> live;
  auto check_and_free = [&](const Run& run) {
    for (size_t i = 0; i < run.count; ++i) {
      const hal::PhysAddr frame = run.base + i * kPage;
      ASSERT_EQ(*static_cast<volatile uint64_t*>(hal::PhysToVirt(frame)), Tag(cpu, frame));
    }
    ASSERT_EQ(run.count == 1 ? frames->FreeFrame(run.base) : frames->Free(run.base, run.count),
              Status::kOk);
  };
  for (int step = 0; step < 600; ++step) {
    if (live.empty() || random() % 100 < 55) {
      const size_t count = random() % 2 == 0 ? 1 : 1 + random() % 40;
      Result<hal::PhysAddr> base = count == 1 ? frames->AllocFrame() : frames->Alloc({.count = count});
      ASSERT_TRUE(base.ok());
      for (size_t i = 0; i < count; ++i) {
        const hal::PhysAddr frame = *base + i * kPage;
        *static_cast<volatile uint64_t*>(hal::PhysToVirt(frame)) = Tag(cpu, frame);
      }
      live.push_back({*base, count});
    } else {
      const size_t victim = random() % live.size();
      check_and_free(live[victim]);
      live[victim] = live.back();
      live.pop_back();
    }
  }
  for (const Run& run : live) check_and_free(run);
  frames->DrainCpuCache();
  done.FetchAdd(1);
}

}  // namespace concurrent

TEST(FrameAllocatorTest, ConcurrentCpusNeverShareAFrame) {
  for (uint64_t seed : {1, 2, 3}) {
    sim::MachineConfig config = Machine(2, 64 * kMiB, concurrent::kCpus);
    config.seed = seed;
    RunInMachine(config, [] {
      auto frames = NewAllocator(hal::GetMemoryMap());
      const Totals baseline = Sum(*frames);
      concurrent::frames = frames.get();
      concurrent::done.Store(0);
      for (hal::CpuId cpu = 1; cpu < concurrent::kCpus; ++cpu) {
        ASSERT_TRUE(hal::StartCpu(cpu, [](hal::CpuId me) {
          concurrent::Work(me);
          for (;;) hal::WaitForInterrupt();
        }));
      }
      concurrent::Work(0);
      while (concurrent::done.Load() < concurrent::kCpus) hal::CpuRelax();
      const Totals end = Sum(*frames);
      EXPECT_EQ(end.used, 0u);
      EXPECT_EQ(end.cached, 0u);
      EXPECT_EQ(end.free, baseline.free);
      EXPECT_EQ(end.bad_frees, 0u);
    });
  }
}

TEST(FrameAllocatorTest, GlobalInstanceAndStatsDump) {
  sim::MachineConfig config = Machine(2, 64 * kMiB);
  sim::RunResult result = testing_support::RunInMachine(config, [] {
    BootAllocator boot;
    boot.Init(hal::GetMemoryMap());
    ASSERT_EQ(InitFrameAllocator(hal::GetMemoryMap(), boot), Status::kOk);
    hal::PhysAddr frame = *Frames().AllocFrame();
    ASSERT_EQ(Frames().FreeFrame(frame), Status::kOk);
    Frames().DrainCpuCache();
    Frames().PrintStats();
  });
  ASSERT_EQ(result.outcome, sim::RunOutcome::kPoweredOff) << result.failure;
  EXPECT_NE(result.console.find("frames: node 0 Normal"), std::string::npos) << result.console;
  EXPECT_NE(result.console.find("frames: node 1 total"), std::string::npos) << result.console;
}

}  // namespace
}  // namespace vos
