// The slab layer of the kernel heap and its parts: size classes, the page
// map, the metadata pool and one slab cache.
#include "src/mm/slab_cache.h"

#include <set>
#include <span>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "src/mm/metadata_pool.h"
#include "src/mm/page_map.h"
#include "src/mm/size_classes.h"
#include "tests/mm/expect_panic.h"
#include "tests/mm/sim_page_source.h"
#include "tests/support/in_machine.h"

namespace vos {
namespace {

using testing_support::ExpectPanic;
using testing_support::RunInMachine;
using testing_support::SimPageSource;
using testing_support::SmallMachine;

TEST(SizeClassesTest, EverySizeGetsTheSmallestClassThatHoldsIt) {
  for (size_t size = 0; size <= kMaxSmallSize; ++size) {
    uint32_t expected = 0;
    while (kSizeClasses[expected].size < size) ++expected;
    ASSERT_EQ(SizeClassFor(size), expected) << "size " << size;
  }
  EXPECT_EQ(kSizeClasses[SizeClassFor(0)].size, 16u);
  EXPECT_EQ(kSizeClasses[SizeClassFor(17)].size, 32u);
  EXPECT_EQ(kSizeClasses[SizeClassFor(33)].size, 48u);
  EXPECT_EQ(kSizeClasses[SizeClassFor(1025)].size, 1536u);
  EXPECT_EQ(kSizeClasses[SizeClassFor(4096)].size, 4096u);
}

TEST(SizeClassesTest, RoundingWastesAtMostAThirdAboveThirtyTwoBytes) {
  for (size_t size = 33; size <= kMaxSmallSize; ++size) {
    const uint32_t object = kSizeClasses[SizeClassFor(size)].size;
    EXPECT_LT(object - size, object / 3 + 1) << "size " << size;
  }
}

TEST(SizeClassesTest, NaturalAlignment) {
  EXPECT_EQ(SizeClassAlignment(SizeClassFor(16)), 16u);
  EXPECT_EQ(SizeClassAlignment(SizeClassFor(48)), 16u);
  EXPECT_EQ(SizeClassAlignment(SizeClassFor(64)), 64u);
  EXPECT_EQ(SizeClassAlignment(SizeClassFor(96)), 32u);
  EXPECT_EQ(SizeClassAlignment(SizeClassFor(3072)), 1024u);
  EXPECT_EQ(SizeClassAlignment(SizeClassFor(4096)), 4096u);
}

TEST(SizeClassesTest, MultipliesDivideAndTestDivisibilityExactly) {
  for (const SizeClass& c : kSizeClasses) {
    for (uint64_t offset = 0; offset < c.slab_pages * hal::kPageSize; ++offset) {
      ASSERT_EQ((offset * c.reciprocal) >> 32, offset / c.size) << c.size << " " << offset;
      ASSERT_EQ(offset * c.divisibility < c.divisibility, offset % c.size == 0)
          << c.size << " " << offset;
    }
    // Far beyond a slab too (the check sees any 32-bit offset).
    for (uint64_t offset = 1ull << 31; offset < (1ull << 31) + 100000; ++offset) {
      ASSERT_EQ(offset * c.divisibility < c.divisibility, offset % c.size == 0)
          << c.size << " " << offset;
    }
  }
}

// Maps three pages of `source` to a span, checks every lookup around them
// (through both lookups), unmaps them; returns the run.
void ExpectMapsLooksUpAndUnmaps(PageMap& map, SimPageSource& source) {
  void* run = *source.AllocPages(3);
  const auto base = reinterpret_cast<uintptr_t>(run);
  Span span;
  EXPECT_FALSE(map.Lookup(run));
  span.size_class = 5;
  ASSERT_EQ(map.Map(base, 3, &span), Status::kOk);
  EXPECT_EQ(map.Lookup(run).span(), &span);
  EXPECT_EQ(map.Lookup(run).size_class(), 5u);
  const PageMapEntry last = map.Lookup(reinterpret_cast<void*>(base + 3 * hal::kPageSize - 1));
  EXPECT_EQ(last.span(), &span);
  EXPECT_EQ(last.size_class(), 5u);
  EXPECT_FALSE(map.Lookup(reinterpret_cast<void*>(base + 3 * hal::kPageSize)));
  EXPECT_FALSE(map.Lookup(reinterpret_cast<void*>(base - 1)));
  if (map.window_count() > 0) {
    EXPECT_EQ(map.LookupInFirstWindow(run).span(), &span);
    EXPECT_FALSE(map.LookupInFirstWindow(reinterpret_cast<void*>(base + 3 * hal::kPageSize)));
  } else {
    EXPECT_FALSE(map.LookupInFirstWindow(run));
  }
  map.Unmap(base, 3);
  EXPECT_FALSE(map.Lookup(run));
  EXPECT_FALSE(map.LookupInFirstWindow(run));
}

TEST(PageMapTest, RamTheSourceDeclaresIsOneFlatWindow) {
  auto result = RunInMachine(SmallMachine(1), [] {
    SimPageSource source;
    PageMap map;
    map.Init(source);
    ASSERT_EQ(map.window_count(), 1u);
    // One entry per page of the machine's RAM (64 MiB), and no tree node.
    const size_t table_pages = (64u << 20) / hal::kPageSize * sizeof(PageMapEntry) / hal::kPageSize;
    EXPECT_EQ(map.node_pages(), table_pages);
    ExpectMapsLooksUpAndUnmaps(map, source);
    EXPECT_EQ(map.node_pages(), table_pages);
    EXPECT_EQ(source.outstanding_pages(), 3 + table_pages);
    // Outside RAM: empty, whichever lookup.
    int local = 0;
    EXPECT_FALSE(map.Lookup(&local));
    EXPECT_FALSE(map.LookupInFirstWindow(&local));
    EXPECT_FALSE(map.LookupInFirstWindow(nullptr));
  });
  EXPECT_EQ(result.outcome, sim::RunOutcome::kPoweredOff) << result.failure;
}

TEST(PageMapTest, UndeclaredPagesGoToTheTree) {
  auto result = RunInMachine(SmallMachine(1), [] {
    SimPageSource source(/*poison=*/true, /*declare_ranges=*/false);
    PageMap map;
    map.Init(source);
    EXPECT_EQ(map.window_count(), 0u);
    EXPECT_EQ(map.node_pages(), 0u);
    ExpectMapsLooksUpAndUnmaps(map, source);
    // A middle node and a leaf were made, and are kept.
    EXPECT_EQ(map.node_pages(), 2 * PageMap::kNodePages);
    EXPECT_EQ(source.outstanding_pages(), 3 + 2 * PageMap::kNodePages);
  });
  EXPECT_EQ(result.outcome, sim::RunOutcome::kPoweredOff) << result.failure;
}

// Declares made-up ranges (never handed out: Map only writes entries) and
// takes its tables from a SimPageSource.
class DeclaringSource final : public PageSource {
 public:
  explicit DeclaringSource(std::vector<AddressRange> ranges) : ranges_(std::move(ranges)) {}
  Result<void*> AllocPages(size_t count) override { return pages_.AllocPages(count); }
  void FreePages(void* pages, size_t count) override { pages_.FreePages(pages, count); }
  size_t AddressRanges(std::span<AddressRange, kMaxRanges> ranges) const override {
    for (size_t i = 0; i < ranges_.size(); ++i) ranges[i] = ranges_[i];
    return ranges_.size();
  }
  size_t outstanding_pages() const { return pages_.outstanding_pages(); }

 private:
  std::vector<AddressRange> ranges_;
  SimPageSource pages_{/*poison=*/true, /*declare_ranges=*/false};
};

TEST(PageMapTest, NearRangesShareAWindowAndTheLargestComesFirst) {
  auto result = RunInMachine(SmallMachine(1), [] {
    constexpr uintptr_t kPage = hal::kPageSize;
    constexpr uintptr_t a = uintptr_t{1} << 40;  // 16 pages, then a 4-page gap,
    constexpr uintptr_t b = a + 20 * kPage;        // 16 pages: one window of 36.
    constexpr uintptr_t c = uintptr_t{1} << 41;    // 1000 pages (unaligned ends), far away.
    DeclaringSource source({{b, b + 16 * kPage}, {c + 100, c + 1000 * kPage - 100},
                            {a, a + 16 * kPage}, {a + kPage, a + kPage}});
    PageMap map;
    map.Init(source);
    EXPECT_EQ(map.window_count(), 2u);
    EXPECT_EQ(map.node_pages(), source.outstanding_pages());
    EXPECT_EQ(map.node_pages(), 1 + 2u);  // 36 entries, and 1000 entries.
    Span span;
    span.size_class = 3;
    const size_t pages_before = map.node_pages();
    for (uintptr_t page : {a, a + 17 * kPage, b + 15 * kPage, c, c + 999 * kPage}) {
      ASSERT_EQ(map.Map(page, 1, &span), Status::kOk);
      EXPECT_EQ(map.Lookup(reinterpret_cast<void*>(page + 8)).span(), &span);
      EXPECT_EQ(map.LookupInFirstWindow(reinterpret_cast<void*>(page + 8)).span(),
                page >= c ? &span : nullptr);
      map.Unmap(page, 1);
      EXPECT_FALSE(map.Lookup(reinterpret_cast<void*>(page)));
    }
    EXPECT_EQ(map.node_pages(), pages_before);  // All inside windows.
    // Just outside both windows: the tree.
    ASSERT_EQ(map.Map(b + 16 * kPage, 1, &span), Status::kOk);
    EXPECT_EQ(map.Lookup(reinterpret_cast<void*>(b + 16 * kPage)).span(), &span);
    EXPECT_GT(map.node_pages(), pages_before);
  });
  EXPECT_EQ(result.outcome, sim::RunOutcome::kPoweredOff) << result.failure;
}

TEST(MetadataPoolTest, RecordsAreDistinctZeroedAndPagesGoBack) {
  auto result = RunInMachine(SmallMachine(1), [] {
    SimPageSource source;
    MetadataPool pool;
    pool.Init(source, 200);
    std::vector<char*> records;
    std::set<char*> distinct;
    for (int i = 0; i < 100; ++i) {  // Several pages of 20 records.
      auto* record = static_cast<char*>(pool.Allocate());
      ASSERT_NE(record, nullptr);
      for (int b = 0; b < 200; ++b) ASSERT_EQ(record[b], 0);
      __builtin_memset(record, 0x5a, 200);
      records.push_back(record);
      distinct.insert(record);
    }
    EXPECT_EQ(distinct.size(), 100u);
    EXPECT_GE(pool.pages(), 5u);
    EXPECT_EQ(pool.pages(), source.outstanding_pages());
    for (char* record : records) pool.Free(record);
    EXPECT_EQ(pool.pages(), 0u);
    EXPECT_EQ(pool.records_in_use(), 0u);
    EXPECT_EQ(source.outstanding_pages(), 0u);
  });
  EXPECT_EQ(result.outcome, sim::RunOutcome::kPoweredOff) << result.failure;
}

// A slab cache with the parts it needs, on simulated RAM.
struct SlabFixture {
  explicit SlabFixture(size_t object_size) {
    map.Init(source);
    spans.Init(source, sizeof(Span));
    cache.Init(SizeClassFor(object_size), source, map, spans);
  }
  // Everything went back but the page map's nodes, which are kept.
  bool AtBaseline() const {
    return spans.pages() == 0 && source.outstanding_pages() == map.node_pages();
  }
  SimPageSource source;
  PageMap map;
  MetadataPool spans;
  SlabCache cache;
};

TEST(SlabCacheTest, EveryClassFillsSlabsAndGivesEmptyOnesBack) {
  auto result = RunInMachine(SmallMachine(1), [] {
    for (const SizeClass& c : kSizeClasses) {
      SlabFixture f(c.size);
      const size_t count = 3 * c.objects_per_slab + 1;  // Four slabs, the last barely used.
      std::vector<void*> objects(count);
      ASSERT_EQ(f.cache.AllocateBatch(objects.data(), count), count);
      EXPECT_EQ(f.cache.stats().slabs, 4u);
      EXPECT_EQ(f.cache.stats().objects_out, count);
      std::set<uintptr_t> starts;
      for (void* object : objects) {
        const auto address = reinterpret_cast<uintptr_t>(object);
        EXPECT_EQ(address % SizeClassAlignment(SizeClassFor(c.size)), 0u);
        Span* slab = f.map.Lookup(object).span();
        ASSERT_NE(slab, nullptr);
        EXPECT_LT(address + c.size - 1, slab->end());
        starts.insert(address);
        __builtin_memset(object, 0x11, c.size);
      }
      // Distinct and non-overlapping: sorted starts are a size apart at least.
      ASSERT_EQ(starts.size(), count);
      for (auto it = starts.begin(); std::next(it) != starts.end(); ++it) {
        EXPECT_GE(*std::next(it) - *it, c.size);
      }
      // Returning the last slab's object gives that slab back at once.
      f.cache.FreeBatch(&objects[count - 1], 1);
      EXPECT_EQ(f.cache.stats().slabs, 3u);
      f.cache.FreeBatch(objects.data(), count - 1);
      EXPECT_EQ(f.cache.stats().slabs, 0u);
      EXPECT_EQ(f.cache.stats().objects_out, 0u);
      EXPECT_TRUE(f.AtBaseline()) << "size " << c.size;
    }
  });
  EXPECT_EQ(result.outcome, sim::RunOutcome::kPoweredOff) << result.failure;
}

TEST(SlabCacheTest, FailsCleanlyWhenPagesRunOut) {
  auto result = RunInMachine(SmallMachine(1), [] {
    SlabFixture f(64);
    void* first = nullptr;
    ASSERT_EQ(f.cache.AllocateBatch(&first, 1), 1u);  // One slab and its descriptor page.
    f.source.set_limit(f.source.outstanding_pages());
    std::vector<void*> objects(200);
    EXPECT_EQ(f.cache.AllocateBatch(objects.data(), objects.size()), 63u);
    EXPECT_EQ(f.cache.stats().slabs, 1u);
    f.cache.FreeBatch(objects.data(), 63);
    f.cache.FreeBatch(&first, 1);
    EXPECT_TRUE(f.AtBaseline());
  });
  EXPECT_EQ(result.outcome, sim::RunOutcome::kPoweredOff) << result.failure;
}

TEST(SlabCacheTest, DoubleFreeToTheSlabPanics) {
  ExpectPanic([] {
    SlabFixture f(128);
    void* objects[2];
    ASSERT_EQ(f.cache.AllocateBatch(objects, 2), 2u);
    f.cache.FreeBatch(&objects[0], 1);
    f.cache.FreeBatch(&objects[0], 1);
  }, "double free of");
}

TEST(SlabCacheTest, ObjectOfAnotherClassPanics) {
  ExpectPanic([] {
    SimPageSource source;
    PageMap map;
    MetadataPool spans;
    map.Init(source);
    spans.Init(source, sizeof(Span));
    SlabCache small, big;
    small.Init(SizeClassFor(32), source, map, spans);
    big.Init(SizeClassFor(256), source, map, spans);
    void* object = nullptr;
    ASSERT_EQ(small.AllocateBatch(&object, 1), 1u);
    big.FreeBatch(&object, 1);
  }, "is not one of its objects");
}

}  // namespace
}  // namespace vos
