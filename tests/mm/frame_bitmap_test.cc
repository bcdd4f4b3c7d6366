#include <cstdint>
#include <map>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "src/mm/frame_bitmap.h"

namespace vos {
namespace {

constexpr size_t kChunk = FrameBitmap::kChunkFrames;

class Bitmap {
 public:
  Bitmap(Pfn base, size_t frames) : metadata_(FrameBitmap::MetadataBytes(base, frames)) {
    bitmap_.Init(base, frames, metadata_.data());
  }
  FrameBitmap* operator->() { return &bitmap_; }

 private:
  std::vector<uint8_t> metadata_;
  FrameBitmap bitmap_;
};

TEST(FrameBitmapTest, NothingWithoutChunks) {
  Bitmap bitmap(0, 4 * kChunk);
  EXPECT_EQ(bitmap->Alloc(1, 1).status(), Status::kNoMemory);
  EXPECT_FALSE(bitmap->Owns(0));
  EXPECT_EQ(bitmap->Free(0, 1), Status::kInvalidArgument);
}

TEST(FrameBitmapTest, FirstFitWithAlignment) {
  Bitmap bitmap(0, 4 * kChunk);
  bitmap->AddChunk(kChunk);
  EXPECT_EQ(bitmap->free_frames(), kChunk);
  EXPECT_EQ(bitmap->empty_chunks(), 1u);
  EXPECT_EQ(*bitmap->Alloc(1, 1), kChunk);
  EXPECT_EQ(bitmap->empty_chunks(), 0u);
  EXPECT_EQ(*bitmap->Alloc(16, 16), kChunk + 16);
  EXPECT_EQ(*bitmap->Alloc(3, 1), kChunk + 1);
  EXPECT_EQ(*bitmap->Alloc(1, 1), kChunk + 4);
  // 100 frames across word boundaries, 64-aligned: 64 is free after [16, 32).
  EXPECT_EQ(*bitmap->Alloc(100, 64), kChunk + 64);
  EXPECT_EQ(*bitmap->Alloc(256, 256), kChunk + 256);
  EXPECT_EQ(bitmap->Alloc(256, 256).status(), Status::kNoMemory);
  EXPECT_EQ(bitmap->free_frames(), kChunk - 1 - 16 - 3 - 1 - 100 - 256);
}

TEST(FrameBitmapTest, FreeDetectsDoubleAndForeignFrees) {
  Bitmap bitmap(0, 4 * kChunk);
  bitmap->AddChunk(0);
  Pfn run = *bitmap->Alloc(10, 1);
  EXPECT_EQ(bitmap->Free(run + 5, 5), Status::kOk);
  EXPECT_EQ(bitmap->Free(run + 5, 1), Status::kInvalidArgument);  // Double free.
  EXPECT_EQ(bitmap->Free(run + 4, 2), Status::kInvalidArgument);   // Half of it free.
  EXPECT_EQ(bitmap->Free(kChunk, 1), Status::kInvalidArgument);    // Chunk not owned.
  EXPECT_EQ(bitmap->Free(kChunk - 1, 2), Status::kInvalidArgument);  // Crosses chunks.
  EXPECT_EQ(bitmap->free_frames(), kChunk - 5);
  EXPECT_EQ(bitmap->Free(run, 5), Status::kOk);
  EXPECT_TRUE(bitmap->ChunkEmpty(0));
  EXPECT_EQ(bitmap->empty_chunks(), 1u);
}

TEST(FrameBitmapTest, FullChunksLeaveAndRejoinTheList) {
  Bitmap bitmap(0, 2 * kChunk);
  bitmap->AddChunk(0);
  bitmap->AddChunk(kChunk);
  std::vector<Pfn> frames;
  for (size_t i = 0; i < 2 * kChunk; ++i) frames.push_back(*bitmap->Alloc(1, 1));
  EXPECT_EQ(bitmap->Alloc(1, 1).status(), Status::kNoMemory);
  EXPECT_EQ(bitmap->Free(frames[700], 1), Status::kOk);
  EXPECT_EQ(*bitmap->Alloc(1, 1), frames[700]);
  for (Pfn frame : frames) ASSERT_EQ(bitmap->Free(frame, 1), Status::kOk);
  EXPECT_EQ(bitmap->empty_chunks(), 2u);
  bitmap->RemoveChunk(0);
  EXPECT_FALSE(bitmap->Owns(0));
  EXPECT_EQ(bitmap->chunks(), 1u);
  EXPECT_EQ(bitmap->free_frames(), kChunk);
}

TEST(FrameBitmapTest, UnalignedSpanBase) {
  Bitmap bitmap(1000, 3000);  // Chunks 1..7 overlap [1000, 4000).
  bitmap->AddChunk(7 * kChunk);
  EXPECT_EQ(*bitmap->Alloc(2, 2), 7 * kChunk);
  EXPECT_TRUE(bitmap->Owns(7 * kChunk + 511));
  EXPECT_FALSE(bitmap->Owns(6 * kChunk));
}

TEST(FrameBitmapTest, RejectsRequestsForTheBuddy) {
  Bitmap bitmap(0, kChunk);
  bitmap->AddChunk(0);
  EXPECT_EQ(bitmap->Alloc(0, 1).status(), Status::kInvalidArgument);
  EXPECT_EQ(bitmap->Alloc(kChunk, 1).status(), Status::kInvalidArgument);
  EXPECT_EQ(bitmap->Alloc(1, 1024).status(), Status::kInvalidArgument);
  EXPECT_EQ(bitmap->Alloc(1, 3).status(), Status::kInvalidArgument);
}

TEST(FrameBitmapTest, RandomSequencesMatchAModel) {
  for (uint32_t seed = 1; seed <= 5; ++seed) {
    SCOPED_TRACE(seed);
    std::mt19937_64 random(seed);
    Bitmap bitmap(0, 8 * kChunk);
    for (size_t c = 0; c < 8; c += 2) bitmap->AddChunk(c * kChunk);
    std::map<Pfn, size_t> live;
    std::vector<bool> used(8 * kChunk);
    size_t live_frames = 0;
    for (int step = 0; step < 4000; ++step) {
      if (live.empty() || random() % 100 < 60) {
        const size_t count = 1 + random() % (random() % 4 == 0 ? 200 : 8);
        const size_t alignment = size_t{1} << (random() % 6);
        Result<Pfn> run = bitmap->Alloc(count, alignment);
        if (!run.ok()) {
          ASSERT_EQ(run.status(), Status::kNoMemory);
          continue;
        }
        ASSERT_EQ(*run % alignment, 0u);
        ASSERT_EQ(FrameBitmap::ChunkStart(*run), FrameBitmap::ChunkStart(*run + count - 1));
        ASSERT_EQ(FrameBitmap::ChunkStart(*run) / kChunk % 2, 0u);  // An owned chunk.
        for (Pfn p = *run; p < *run + count; ++p) {
          ASSERT_FALSE(used[p]) << p;
          used[p] = true;
        }
        live[*run] = count;
        live_frames += count;
      } else {
        auto victim = live.begin();
        std::advance(victim, random() % live.size());
        ASSERT_EQ(bitmap->Free(victim->first, victim->second), Status::kOk);
        ASSERT_EQ(bitmap->Free(victim->first, 1), Status::kInvalidArgument);
        for (Pfn p = victim->first; p < victim->first + victim->second; ++p) used[p] = false;
        live_frames -= victim->second;
        live.erase(victim);
      }
      ASSERT_EQ(bitmap->free_frames(), 4 * kChunk - live_frames);
    }
    for (auto [first, count] : live) ASSERT_EQ(bitmap->Free(first, count), Status::kOk);
    EXPECT_EQ(bitmap->empty_chunks(), 4u);
  }
}

}  // namespace
}  // namespace vos
