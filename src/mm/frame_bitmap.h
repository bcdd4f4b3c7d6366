// The small-request allocator of one zone: requests of fewer than 512 frames
// are served first-fit from 2 MiB chunks (512 frames, one 512-bit bitmap
// each) that the zone takes from its buddy allocator and gives back once a
// chunk is wholly free. Small requests thus never split large buddy blocks
// beyond the chunks they use. Not thread-safe: the caller holds the node's lock.
#ifndef VERIDIAN_SRC_MM_FRAME_BITMAP_H_
#define VERIDIAN_SRC_MM_FRAME_BITMAP_H_

#include <cstddef>
#include <cstdint>

#include "src/lib/status.h"
#include "src/mm/buddy_allocator.h"

namespace vos {

class FrameBitmap {
 public:
  static constexpr size_t kChunkFrames = 512;  // 2 MiB.

  // Bytes of zeroed metadata Init needs for a span of `frames` from `base`.
  static constexpr size_t MetadataBytes(Pfn base, size_t frames) {
    return ChunkCount(base, frames) * sizeof(Chunk);
  }

  constexpr FrameBitmap() = default;
  FrameBitmap(const FrameBitmap&) = delete;
  FrameBitmap& operator=(const FrameBitmap&) = delete;

  // Covers the chunks overlapping [base, base + frames); owns none yet.
  void Init(Pfn base, size_t frames, void* metadata);

  // Takes the chunk at `first` (512-aligned, inside the span), all frames free.
  void AddChunk(Pfn first);
  // Gives the chunk at `first` up; it must be wholly free.
  void RemoveChunk(Pfn first);

  // `count` (1..511) frames aligned to `alignment` (power of two <= 512)
  // from an owned chunk, first fit; kNoMemory when no chunk has such a run.
  Result<Pfn> Alloc(size_t count, size_t alignment);

  // Frees [first, first + count), which must lie in one owned chunk with every
  // frame allocated; kInvalidArgument otherwise, and nothing changes.
  Status Free(Pfn first, size_t count);

  bool Owns(Pfn pfn) const;
  bool ChunkEmpty(Pfn pfn) const { return ChunkOf(pfn).free == kChunkFrames; }
  static Pfn ChunkStart(Pfn pfn) { return pfn & ~Pfn{kChunkFrames - 1}; }

  size_t chunks() const { return chunks_; }
  size_t empty_chunks() const { return empty_chunks_; }
  size_t free_frames() const { return free_frames_; }

 private:
  static constexpr uint32_t kNil = ~uint32_t{0};
  static constexpr size_t kWords = kChunkFrames / 64;

  struct Chunk {
    uint64_t used[kWords];  // Bit set: frame allocated.
    uint32_t next;          // The list of owned chunks with free frames.
    uint32_t prev;
    uint16_t free;
    bool owned;
    bool listed;
  };

  static constexpr size_t ChunkCount(Pfn base, size_t frames) {
    return frames == 0 ? 0 : (base + frames - 1) / kChunkFrames - base / kChunkFrames + 1;
  }
  uint32_t IndexOf(Pfn pfn) const {
    return static_cast<uint32_t>(pfn / kChunkFrames - first_chunk_);
  }
  Chunk& ChunkOf(Pfn pfn) { return chunk_[IndexOf(pfn)]; }
  const Chunk& ChunkOf(Pfn pfn) const { return chunk_[IndexOf(pfn)]; }
  void List(uint32_t index);
  void Unlist(uint32_t index);
  // First `alignment`-aligned run of `count` clear bits, or kChunkFrames.
  static size_t FindRun(const Chunk& chunk, size_t count, size_t alignment);
  static bool RunClear(const Chunk& chunk, size_t start, size_t count, size_t* last_used);
  static bool RunSet(const Chunk& chunk, size_t start, size_t count);
  static void SetRun(Chunk& chunk, size_t start, size_t count, bool used);

  Pfn first_chunk_ = 0;
  size_t chunk_count_ = 0;
  Chunk* chunk_ = nullptr;
  uint32_t available_ = kNil;
  size_t chunks_ = 0;
  size_t empty_chunks_ = 0;
  size_t free_frames_ = 0;
};

}  // namespace vos

#endif  // VERIDIAN_SRC_MM_FRAME_BITMAP_H_
