#include <cstdint>
#include <map>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "src/mm/buddy_allocator.h"

namespace vos {
namespace {

// A buddy allocator over host memory for its metadata.
class Buddy {
 public:
  Buddy(Pfn base, size_t frames) : metadata_(BuddyAllocator::MetadataBytes(frames)) {
    buddy_.Init(base, frames, metadata_.data());
  }
  BuddyAllocator* operator->() { return &buddy_; }
  std::vector<size_t> Blocks() const {
    std::vector<size_t> blocks;
    for (uint32_t o = 0; o <= BuddyAllocator::kMaxOrder; ++o) blocks.push_back(buddy_.free_blocks(o));
    return blocks;
  }

 private:
  std::vector<uint8_t> metadata_;
  BuddyAllocator buddy_;
};

TEST(BuddyAllocatorTest, AddedFramesAreFreeAsMaximalAlignedBlocks) {
  Buddy buddy(1000, 5000);  // Not aligned: [1000, 6000).
  buddy->AddFreeRange(1000, 5000);
  EXPECT_EQ(buddy->free_frames(), 5000u);
  EXPECT_EQ(buddy->managed_frames(), 5000u);
  EXPECT_EQ(buddy->FreeFramesAtOrAbove(0), 5000u);
  // 4096 is the only 4096-aligned block inside; nothing of order 12 or more.
  EXPECT_EQ(buddy->LargestFreeOrder(), 11);
  EXPECT_EQ(buddy->state(999 + 1), FrameState::kBuddyHead);
}

TEST(BuddyAllocatorTest, AllocIsExactAlignedAndMarked) {
  Buddy buddy(0, 8192);
  buddy->AddFreeRange(0, 8192);
  Result<Pfn> run = buddy->Alloc(600, 1);
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(buddy->free_frames(), 8192u - 600);
  for (Pfn p = *run; p < *run + 600; ++p) ASSERT_EQ(buddy->state(p), FrameState::kAllocated);
  EXPECT_NE(buddy->state(*run + 600), FrameState::kAllocated);

  Result<Pfn> aligned = buddy->Alloc(3, 1024);
  ASSERT_TRUE(aligned.ok());
  EXPECT_EQ(*aligned % 1024, 0u);
  EXPECT_EQ(buddy->free_frames(), 8192u - 603);
}

TEST(BuddyAllocatorTest, FreeMergesBackToTheInitialBlocks) {
  Buddy buddy(0, 4096);
  buddy->AddFreeRange(0, 4096);
  const std::vector<size_t> initial = buddy.Blocks();
  std::vector<Pfn> runs;
  for (size_t count : {1, 7, 300, 512, 1000}) {
    Result<Pfn> run = buddy->Alloc(count, 1);
    ASSERT_TRUE(run.ok());
    runs.push_back(*run);
  }
  size_t i = 0;
  for (size_t count : {1, 7, 300, 512, 1000}) ASSERT_EQ(buddy->Free(runs[i++], count), Status::kOk);
  EXPECT_EQ(buddy.Blocks(), initial);
  EXPECT_EQ(buddy->free_frames(), 4096u);
  EXPECT_EQ(buddy->LargestFreeOrder(), 12);
}

TEST(BuddyAllocatorTest, PartsOfAnAllocationMayBeFreedSeparately) {
  Buddy buddy(0, 1024);
  buddy->AddFreeRange(0, 1024);
  Result<Pfn> run = buddy->Alloc(100, 1);
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(buddy->Free(*run + 50, 50), Status::kOk);
  EXPECT_EQ(buddy->Free(*run + 50, 1), Status::kInvalidArgument);
  EXPECT_EQ(buddy->Free(*run, 50), Status::kOk);
  EXPECT_EQ(buddy->free_frames(), 1024u);
  EXPECT_EQ(buddy->LargestFreeOrder(), 10);
}

TEST(BuddyAllocatorTest, BadFreesAreReportedAndChangeNothing) {
  Buddy buddy(0, 2048);
  buddy->AddFreeRange(16, 1000);  // [0, 16) and [1016, 2048) stay unmanaged.
  Result<Pfn> run = buddy->Alloc(4, 1);
  ASSERT_TRUE(run.ok());
  ASSERT_EQ(buddy->Free(*run, 4), Status::kOk);
  const std::vector<size_t> blocks = buddy.Blocks();
  EXPECT_EQ(buddy->Free(*run, 4), Status::kInvalidArgument);  // Double free.
  EXPECT_EQ(buddy->Free(200, 1), Status::kInvalidArgument);   // Never allocated.
  EXPECT_EQ(buddy->Free(3, 1), Status::kPermissionDenied);    // Unmanaged.
  EXPECT_EQ(buddy->Free(1500, 2), Status::kPermissionDenied);
  EXPECT_EQ(buddy->Free(2047, 2), Status::kOutOfRange);       // Past the span.
  EXPECT_EQ(buddy->Free(5000, 1), Status::kOutOfRange);
  EXPECT_EQ(buddy->Free(*run, 0), Status::kInvalidArgument);
  EXPECT_EQ(buddy.Blocks(), blocks);
  EXPECT_EQ(buddy->free_frames(), 1000u);
}

TEST(BuddyAllocatorTest, RejectsBadRequestsAndRunsOut) {
  Buddy buddy(0, 64);
  buddy->AddFreeRange(0, 64);
  EXPECT_EQ(buddy->Alloc(0, 1).status(), Status::kInvalidArgument);
  EXPECT_EQ(buddy->Alloc(1, 3).status(), Status::kInvalidArgument);
  EXPECT_EQ(buddy->Alloc(BuddyAllocator::kMaxBlockFrames + 1, 1).status(),
            Status::kInvalidArgument);
  EXPECT_EQ(buddy->Alloc(65, 1).status(), Status::kNoMemory);
  for (int i = 0; i < 64; ++i) ASSERT_TRUE(buddy->Alloc(1, 1).ok());
  EXPECT_EQ(buddy->Alloc(1, 1).status(), Status::kNoMemory);
  EXPECT_EQ(buddy->free_frames(), 0u);
}

TEST(BuddyAllocatorTest, OneGibBlocks) {
  const size_t gib = BuddyAllocator::kMaxBlockFrames;
  Buddy buddy(0, 2 * gib + 100);
  buddy->AddFreeRange(1, 2 * gib + 99);  // Frame 0 reserved: only [1 GiB, 2 GiB) is whole.
  EXPECT_EQ(buddy->LargestFreeOrder(), 18);
  EXPECT_EQ(buddy->free_blocks(18), 1u);
  Result<Pfn> huge = buddy->Alloc(gib, gib);
  ASSERT_TRUE(huge.ok());
  EXPECT_EQ(*huge, gib);
  EXPECT_EQ(buddy->Alloc(gib, gib).status(), Status::kNoMemory);
  ASSERT_EQ(buddy->Free(*huge, gib), Status::kOk);
  EXPECT_EQ(buddy->free_blocks(18), 1u);
}

// Random allocations and frees against a model of the live runs.
TEST(BuddyAllocatorTest, RandomSequencesMatchAModel) {
  for (uint32_t seed = 1; seed <= 5; ++seed) {
    SCOPED_TRACE(seed);
    std::mt19937_64 random(seed);
    Buddy buddy(300, 20000);
    buddy->AddFreeRange(300, 20000);
    const std::vector<size_t> initial = buddy.Blocks();
    std::map<Pfn, size_t> live;  // First frame -> count.
    size_t live_frames = 0;
    for (int step = 0; step < 3000; ++step) {
      if (live.empty() || random() % 100 < 55) {
        const size_t count = 1 + random() % (random() % 4 == 0 ? 3000 : 40);
        const size_t alignment = size_t{1} << (random() % 11);
        Result<Pfn> run = buddy->Alloc(count, alignment);
        if (!run.ok()) {
          ASSERT_EQ(run.status(), Status::kNoMemory);
          continue;
        }
        ASSERT_EQ(*run % alignment, 0u);
        ASSERT_GE(*run, 300u);
        ASSERT_LE(*run + count, 20300u);
        auto next = live.lower_bound(*run);
        if (next != live.end()) {
          ASSERT_LE(*run + count, next->first);
        }
        if (next != live.begin()) {
          ASSERT_LE(std::prev(next)->first + std::prev(next)->second, *run);
        }
        live[*run] = count;
        live_frames += count;
      } else {
        auto victim = live.begin();
        std::advance(victim, random() % live.size());
        ASSERT_EQ(buddy->Free(victim->first, victim->second), Status::kOk);
        if (random() % 8 == 0) {
          ASSERT_EQ(buddy->Free(victim->first, victim->second), Status::kInvalidArgument);
        }
        live_frames -= victim->second;
        live.erase(victim);
      }
      ASSERT_EQ(buddy->free_frames(), 20000 - live_frames);
    }
    for (auto [first, count] : live) ASSERT_EQ(buddy->Free(first, count), Status::kOk);
    EXPECT_EQ(buddy->free_frames(), 20000u);
    EXPECT_EQ(buddy.Blocks(), initial);
  }
}

}  // namespace
}  // namespace vos
