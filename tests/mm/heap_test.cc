// The kernel heap: size classes, alignment, large allocations, the per-CPU
// magazines and the depot, statistics, giving memory back, bad frees, and a
// seeded random run against a model on four CPUs.
#include "src/mm/heap.h"

#include <atomic>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "src/hal/cpu.h"
#include "src/hal/interrupts.h"
#include "src/hal/time.h"
#include "tests/mm/expect_panic.h"
#include "tests/mm/sim_page_source.h"
#include "tests/support/in_machine.h"

namespace vos {
namespace {

using ::testing::HasSubstr;
using testing_support::ExpectPanic;
using testing_support::OnAllCpus;
using testing_support::RunInMachine;
using testing_support::SimPageSource;
using testing_support::SmallMachine;

// Runs `body` on CPU 0 of a machine with `cpus` CPUs, with a heap over a
// fresh SimPageSource, and expects the machine to power off.
// Without `declare_ranges`, the source declares no address ranges, so the
// page map has no window and every lookup goes through its tree.
void RunWithHeap(uint32_t cpus, std::function<void(Heap&, SimPageSource&)> body,
                 uint64_t seed = 1, bool declare_ranges = true) {
  auto result = RunInMachine(SmallMachine(cpus, seed), [&] {
    SimPageSource source(/*poison=*/true, declare_ranges);
    auto heap = std::make_unique<Heap>();
    ASSERT_EQ(heap->Init(source), Status::kOk);
    body(*heap, source);
  });
  EXPECT_EQ(result.outcome, sim::RunOutcome::kPoweredOff) << result.failure;
}

// Every page still held is metadata the heap keeps (page map nodes, the
// per-CPU area), and the heap's own count agrees with the source's.
void ExpectBaseline(const Heap& heap, const SimPageSource& source) {
  const Heap::Stats stats = heap.stats();
  EXPECT_EQ(stats.pages, source.outstanding_pages());
  EXPECT_EQ(stats.pages, stats.metadata_pages);
  EXPECT_EQ(stats.large_pages, 0u);
  for (const Heap::CacheStats& cache : stats.caches) {
    EXPECT_EQ(cache.slabs, 0u) << cache.object_size;
    EXPECT_EQ(cache.in_use, 0u) << cache.object_size;
    EXPECT_EQ(cache.in_magazines, 0u) << cache.object_size;
  }
}

TEST(HeapTest, SmallSizesGetTheirClassAlignedAndWritable) {
  RunWithHeap(1, [](Heap& heap, SimPageSource& source) {
    std::vector<void*> objects;
    for (size_t size : {0, 1, 8, 16, 17, 40, 48, 64, 65, 100, 200, 500, 1000, 1025, 2000, 3000,
                        4096}) {
      void* object = heap.Allocate(size);
      ASSERT_NE(object, nullptr) << size;
      const size_t usable = heap.UsableSize(object);
      EXPECT_EQ(usable, kSizeClasses[SizeClassFor(size)].size) << size;
      EXPECT_EQ(reinterpret_cast<uintptr_t>(object) % kMinAlignment, 0u) << size;
      std::memset(object, 0x33, usable);
      objects.push_back(object);
    }
    for (void* object : objects) heap.Free(object);
    heap.FlushCpuCaches();
    heap.DrainDepots();
    ExpectBaseline(heap, source);
  });
}

TEST(HeapTest, AlignedAllocations) {
  RunWithHeap(1, [](Heap& heap, SimPageSource&) {
    for (size_t alignment = 16; alignment <= hal::kPageSize; alignment *= 2) {
      for (size_t size : {1, 24, 100, 1000, 5000}) {
        void* object = heap.Allocate(size, alignment);
        ASSERT_NE(object, nullptr) << size << " @" << alignment;
        EXPECT_EQ(reinterpret_cast<uintptr_t>(object) % alignment, 0u) << size << " @" << alignment;
        EXPECT_GE(heap.UsableSize(object), size);
        std::memset(object, 0x44, size);
        heap.Free(object, size);
      }
    }
    // The first class big enough and aligned enough.
    void* object = heap.Allocate(40, 32);
    EXPECT_EQ(heap.UsableSize(object), 64u);  // 48 is only 16-aligned.
    heap.Free(object);
    EXPECT_EQ(heap.Allocate(64, 48), nullptr);
    EXPECT_EQ(heap.Allocate(64, 2 * hal::kPageSize), nullptr);
  });
}

TEST(HeapTest, LargeAllocationsTakePagesAndGiveThemBack) {
  RunWithHeap(1, [](Heap& heap, SimPageSource& source) {
    const size_t before = source.outstanding_pages();
    void* a = heap.Allocate(4097);
    void* b = heap.Allocate(16 * 1024);
    void* c = heap.Allocate(1 << 20);
    ASSERT_NE(a, nullptr);
    ASSERT_NE(b, nullptr);
    ASSERT_NE(c, nullptr);
    for (void* p : {a, b, c}) EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % hal::kPageSize, 0u);
    EXPECT_EQ(heap.UsableSize(a), 2 * hal::kPageSize);
    EXPECT_EQ(heap.UsableSize(b), 4 * hal::kPageSize);
    EXPECT_EQ(heap.UsableSize(c), size_t{1} << 20);
    std::memset(c, 0x55, 1 << 20);
    Heap::Stats stats = heap.stats();
    EXPECT_EQ(stats.large_allocations, 3u);
    EXPECT_EQ(stats.large_pages, 2u + 4u + 256u);
    EXPECT_GE(source.outstanding_pages(), before + 262);
    heap.Free(b);
    heap.Free(a, 4097);
    heap.Free(c);
    stats = heap.stats();
    EXPECT_EQ(stats.large_frees, 3u);
    EXPECT_EQ(stats.large_pages, 0u);
    ExpectBaseline(heap, source);
  });
}

TEST(HeapTest, FastPathTakesNoLockAndNoInterleavingPoint) {
  RunWithHeap(1, [](Heap& heap, SimPageSource&) {
    heap.Free(heap.Allocate(64));  // Loads a magazine.
    // Virtual time only advances at interleaving points: lock operations,
    // atomic read-modify-writes, interrupt enables, IPIs.
    const hal::Nanoseconds start = hal::Now();
    for (int i = 0; i < 1000; ++i) {
      void* object = heap.Allocate(64);
      heap.Free(object);
    }
    EXPECT_EQ(hal::Now(), start);
    // The slow path does lock: a burst beyond two magazines reaches the depot.
    std::vector<void*> burst(4 * kSizeClasses[SizeClassFor(64)].magazine_capacity);
    for (void*& object : burst) object = heap.Allocate(64);
    for (void* object : burst) heap.Free(object);
    EXPECT_GT(hal::Now(), start);
  });
}

TEST(HeapTest, StatisticsCountEveryOperation) {
  auto result = RunInMachine(SmallMachine(1), [] {
    SimPageSource source;
    Heap heap;
    ASSERT_EQ(heap.Init(source), Status::kOk);
    std::vector<void*> objects;
    for (int i = 0; i < 100; ++i) objects.push_back(heap.Allocate(64));
    for (int i = 0; i < 5; ++i) objects.push_back(heap.Allocate(300));
    for (int i = 0; i < 40; ++i) heap.Free(objects[i]);
    Heap::Stats stats = heap.stats();
    const Heap::CacheStats& c64 = stats.caches[SizeClassFor(64)];
    EXPECT_EQ(c64.object_size, 64u);
    EXPECT_EQ(c64.allocations, 100u);
    EXPECT_EQ(c64.frees, 40u);
    EXPECT_EQ(c64.in_use, 60u);
    EXPECT_EQ(c64.slabs, 2u);  // 64 objects a slab.
    EXPECT_EQ(c64.in_magazines, 40u);
    EXPECT_EQ(c64.failures, 0u);
    const Heap::CacheStats& c384 = stats.caches[SizeClassFor(300)];
    EXPECT_EQ(c384.object_size, 384u);
    EXPECT_EQ(c384.in_use, 5u);
    EXPECT_EQ(stats.pages, source.outstanding_pages());
    heap.PrintStats();
    for (size_t i = 40; i < objects.size(); ++i) heap.Free(objects[i]);
    heap.FlushCpuCaches();
    heap.DrainDepots();
    ExpectBaseline(heap, source);
  });
  ASSERT_EQ(result.outcome, sim::RunOutcome::kPoweredOff) << result.failure;
  EXPECT_THAT(result.console, HasSubstr("kernel heap:"));
  EXPECT_THAT(result.console, HasSubstr("    64        100         40        0         60        2         40"));
  EXPECT_THAT(result.console, HasSubstr("   384          5          0        0          5        1          0"));
}

TEST(HeapTest, ExhaustionReturnsNullAndCountsFailures) {
  RunWithHeap(1, [](Heap& heap, SimPageSource& source) {
    source.set_limit(source.outstanding_pages());
    EXPECT_EQ(heap.Allocate(64), nullptr);
    EXPECT_EQ(heap.Allocate(64 * 1024), nullptr);
    Heap::Stats stats = heap.stats();
    EXPECT_EQ(stats.caches[SizeClassFor(64)].failures, 1u);
    EXPECT_EQ(stats.large_failures, 1u);
    source.set_limit(~size_t{0});
    void* object = heap.Allocate(64);
    EXPECT_NE(object, nullptr);
    heap.Free(object);
  });
}

TEST(HeapTest, EmptySlabsGoBackToThePageSource) {
  RunWithHeap(1, [](Heap& heap, SimPageSource& source) {
    std::vector<void*> objects;
    for (int i = 0; i < 2000; ++i) objects.push_back(heap.Allocate(64));
    EXPECT_GE(heap.stats().caches[SizeClassFor(64)].slabs, 2000u / 64);
    for (void* object : objects) heap.Free(object);
    // Magazines keep some objects (and so their slabs) until drained...
    Heap::Stats stats = heap.stats();
    EXPECT_GT(stats.caches[SizeClassFor(64)].in_magazines, 0u);
    // ...but no more than the depot's limit and this CPU's two magazines.
    EXPECT_LE(stats.caches[SizeClassFor(64)].in_magazines,
              (Depot::kMaxFull + 2) * kSizeClasses[SizeClassFor(64)].magazine_capacity);
    const size_t frees_to_source = source.free_calls();
    EXPECT_GT(frees_to_source, 0u);  // Slabs emptied by depot overflow went back.
    heap.FlushCpuCaches();
    heap.DrainDepots();
    ExpectBaseline(heap, source);
  });
}

// --- Per-CPU magazines on four CPUs -----------------------------------------

TEST(HeapTest, DepotHandsOneCpusFreedObjectsToAnother) {
  RunWithHeap(4, [](Heap& heap, SimPageSource& source) {
    const uint32_t c64 = SizeClassFor(64);
    const size_t capacity = kSizeClasses[c64].magazine_capacity;
    std::vector<void*> objects(5 * capacity);
    std::set<void*> freed_on_1;
    std::atomic<int> step{0};
    size_t slabs_before = 0;
    OnAllCpus([&](hal::CpuId cpu) {
      if (cpu == 0) {
        for (void*& object : objects) object = heap.Allocate(64);
        step = 1;
        while (step != 2) hal::CpuRelax();
      } else if (cpu == 1) {
        while (step != 1) hal::CpuRelax();
        // Freed on another CPU than they were allocated on.
        for (void* object : objects) {
          heap.Free(object);
          freed_on_1.insert(object);
        }
        slabs_before = heap.stats().caches[c64].slabs;
        step = 2;
      } else if (cpu == 2) {
        while (step != 2) hal::CpuRelax();
        // CPU 1 keeps at most two magazines; the rest went to the depot,
        // and CPU 2 gets them from there, without new slabs.
        for (size_t i = 0; i < 3 * capacity; ++i) {
          void* object = heap.Allocate(64);
          EXPECT_EQ(freed_on_1.count(object), 1u) << i;
          heap.Free(object);
        }
        EXPECT_EQ(heap.stats().caches[c64].slabs, slabs_before);
        heap.FlushCpuCaches();
        step = 3;
      }
      while (step != 3) hal::CpuRelax();
      if (cpu == 1) heap.FlushCpuCaches();
    });
    heap.FlushCpuCaches();
    heap.DrainDepots();
    Heap::Stats stats = heap.stats();
    EXPECT_EQ(stats.caches[c64].allocations, 8 * capacity);
    EXPECT_EQ(stats.caches[c64].frees, 8 * capacity);
    ExpectBaseline(heap, source);
  });
}

// --- Bad frees --------------------------------------------------------------

// Runs `bad` with a heap on a one-CPU machine and expects it to panic.
void ExpectBadFree(std::function<void(Heap&, SimPageSource&)> bad, const char* message,
                   bool declare_ranges = true) {
  ExpectPanic(
      [&] {
        SimPageSource source(/*poison=*/true, declare_ranges);
        Heap heap;
        ASSERT_EQ(heap.Init(source), Status::kOk);
        bad(heap, source);
      },
      message);
}

TEST(HeapDeathTest, FreeOfMemoryTheHeapNeverHandedOut) {
  ExpectBadFree(
      [](Heap& heap, SimPageSource& source) {
        heap.Free(*source.AllocPages(1));  // Simulated RAM, but not the heap's.
      },
      "which is not a heap object");
}

TEST(HeapDeathTest, FreeInsideAnObject) {
  ExpectBadFree(
      [](Heap& heap, SimPageSource&) {
        auto* object = static_cast<char*>(heap.Allocate(96));
        heap.Free(object + 32);
      },
      "which is not the start of a 96-byte object");
}

TEST(HeapDeathTest, BadFreesOutsideThePageMapWindows) {
  ExpectBadFree(
      [](Heap& heap, SimPageSource& source) { heap.Free(*source.AllocPages(1)); },
      "which is not a heap object", /*declare_ranges=*/false);
  ExpectBadFree(
      [](Heap& heap, SimPageSource&) {
        auto* object = static_cast<char*>(heap.Allocate(64));
        heap.Free(object + 16, 48);
      },
      "which is not the start of a 64-byte object", /*declare_ranges=*/false);
  ExpectBadFree(
      [](Heap& heap, SimPageSource&) {
        void* object = heap.Allocate(64);
        heap.Free(object);
        heap.Free(object);
      },
      "double free of", /*declare_ranges=*/false);
}

TEST(HeapDeathTest, SizedFreeInsideAnObject) {
  ExpectBadFree(
      [](Heap& heap, SimPageSource&) {
        auto* object = static_cast<char*>(heap.Allocate(64));
        heap.Free(object + 16, 48);
      },
      "which is not the start of a 64-byte object");
}

TEST(HeapDeathTest, FreeInsideALargeAllocation) {
  ExpectBadFree(
      [](Heap& heap, SimPageSource&) {
        auto* object = static_cast<char*>(heap.Allocate(10000));
        heap.Free(object + 16);
      },
      "is inside the large allocation at");
  ExpectBadFree(
      [](Heap& heap, SimPageSource&) {
        auto* object = static_cast<char*>(heap.Allocate(10000));
        heap.Free(object + hal::kPageSize);
      },
      "which is not a heap object");
}

TEST(HeapDeathTest, ImmediateDoubleFree) {
  ExpectBadFree(
      [](Heap& heap, SimPageSource&) {
        void* object = heap.Allocate(64);
        heap.Free(object);
        heap.Free(object);
      },
      "double free of");
}

TEST(HeapDeathTest, DoubleFreeOfAnObjectBackInItsSlab) {
  ExpectBadFree(
      [](Heap& heap, SimPageSource&) {
        void* keep = heap.Allocate(64);  // Keeps the slab alive.
        void* object = heap.Allocate(64);
        heap.Free(object);
        heap.FlushCpuCaches();
        heap.Free(object);
        heap.FlushCpuCaches();
        heap.Free(keep);
      },
      "double free of");
}

TEST(HeapDeathTest, DoubleFreeOfALargeAllocation) {
  ExpectBadFree(
      [](Heap& heap, SimPageSource&) {
        void* object = heap.Allocate(20000);
        heap.Free(object);
        heap.Free(object);
      },
      "which is not a heap object");
}

TEST(HeapDeathTest, SizedFreeWithTheWrongSize) {
  ExpectBadFree(
      [](Heap& heap, SimPageSource&) { heap.Free(heap.Allocate(64), 65); },
      "sized free of");
}

TEST(HeapDeathTest, UseBeforeInit) {
  ExpectPanic([] { Heap().Allocate(8); }, "kernel heap used before Init");
  int local = 0;
  ExpectPanic([&] { Heap().Free(&local); }, "which is not a heap object");
}

// --- Seeded random run against a model --------------------------------------

struct LiveObject {
  size_t size;
  uint8_t fill;
};

// Sizes: mostly small, some up to 4 KiB, a few large.
size_t RandomSize(std::mt19937_64& random) {
  const uint64_t kind = random() % 100;
  if (kind < 70) return random() % 257;
  if (kind < 95) return random() % (kMaxSmallSize + 1);
  return kMaxSmallSize + 1 + random() % (40 * 1024);
}

void RandomRun(uint64_t seed, uint32_t cpus, int operations_per_cpu,
               bool declare_ranges = true) {
  RunWithHeap(
      cpus,
      [&](Heap& heap, SimPageSource& source) {
        // Shared by all CPUs: fibers switch only at interleaving points, none
        // of which is inside the model's code.
        std::map<uintptr_t, LiveObject> live;
        auto check_and_free = [&](std::map<uintptr_t, LiveObject>::iterator it) {
          const auto* bytes = reinterpret_cast<const uint8_t*>(it->first);
          for (size_t i = 0; i < it->second.size; ++i) {
            if (bytes[i] != it->second.fill) {
              ADD_FAILURE() << "object at " << it->first << " changed at byte " << i;
              break;
            }
          }
          void* object = reinterpret_cast<void*>(it->first);
          live.erase(it);
          heap.Free(object);
        };
        OnAllCpus([&](hal::CpuId cpu) {
          std::mt19937_64 random(seed * 31 + cpu);
          for (int op = 0; op < operations_per_cpu; ++op) {
            if (live.empty() || random() % 100 < 55) {
              const size_t size = RandomSize(random);
              const size_t alignment = random() % 8 == 0 ? size_t{16} << (random() % 9) : 16;
              auto* object = static_cast<uint8_t*>(heap.Allocate(size, alignment));
              ASSERT_NE(object, nullptr);
              const auto start = reinterpret_cast<uintptr_t>(object);
              ASSERT_EQ(start % alignment, 0u);
              ASSERT_GE(heap.UsableSize(object), size);
              // No overlap with the neighbours on either side.
              auto next = live.lower_bound(start);
              if (next != live.end()) {
                ASSERT_LE(start + size, next->first);
              }
              if (next != live.begin()) {
                auto previous = std::prev(next);
                ASSERT_LE(previous->first + previous->second.size, start);
              }
              const auto fill = static_cast<uint8_t>(random());
              std::memset(object, fill, size);
              live.emplace(start, LiveObject{size, fill});
            } else {
              // Any live object, whichever CPU allocated it.
              auto it = live.begin();
              std::advance(it, random() % std::min<size_t>(live.size(), 64));
              check_and_free(it);
            }
          }
          heap.FlushCpuCaches();
        });
        while (!live.empty()) check_and_free(live.begin());
        heap.FlushCpuCaches();
        heap.DrainDepots();
        ExpectBaseline(heap, source);
      },
      seed, declare_ranges);
}

TEST(HeapPropertyTest, RandomOperationsOnOneCpu) {
  for (uint64_t seed = 1; seed <= 3; ++seed) RandomRun(seed, 1, 4000);
}

TEST(HeapPropertyTest, RandomOperationsOnFourCpus) {
  for (uint64_t seed = 1; seed <= 3; ++seed) RandomRun(seed, 4, 2000);
}

TEST(HeapPropertyTest, RandomOperationsThroughThePageMapTree) {
  RandomRun(1, 2, 3000, /*declare_ranges=*/false);
}

}  // namespace
}  // namespace vos
