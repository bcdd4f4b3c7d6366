#include "src/mm/frame_zone.h"

#include <algorithm>

#include "src/lib/assert.h"

namespace vos {

const char* ZoneTypeName(ZoneType type) {
  switch (type) {
    case ZoneType::kDma: return "DMA";
    case ZoneType::kNormal: return "Normal";
  }
  return "?";
}

void FrameZone::Init(ZoneType type, uint32_t node, Pfn base, size_t frames, void* metadata) {
  type_ = type;
  node_ = node;
  auto* bytes = static_cast<uint8_t*>(metadata);
  buddy_.Init(base, frames, bytes);
  bitmap_.Init(base, frames, bytes + BuddyAllocator::MetadataBytes(frames));
  counters_ = {};
}

Result<Pfn> FrameZone::Alloc(size_t count, size_t alignment) {
  if (count < kSmallLimit && alignment <= FrameBitmap::kChunkFrames) {
    Result<Pfn> small = AllocSmall(count, alignment);
    if (small.ok() || small.status() != Status::kNoMemory) return small;
    // No whole chunk left: the buddy still serves exact runs from the frames
    // around holes and reserved ranges that never form a 2 MiB block.
  }
  return buddy_.Alloc(count, alignment);
}

Result<Pfn> FrameZone::AllocSmall(size_t count, size_t alignment) {
  Result<Pfn> run = bitmap_.Alloc(count, alignment);
  if (run.ok()) {
    buddy_.SetStates(*run, count, FrameState::kAllocated);
    return run;
  }
  if (run.status() != Status::kNoMemory) return run;
  // Every owned chunk is too full: lend the bitmap a fresh one.
  Result<Pfn> chunk = buddy_.Alloc(FrameBitmap::kChunkFrames, FrameBitmap::kChunkFrames);
  if (!chunk.ok()) return chunk.status();
  buddy_.SetStates(*chunk, FrameBitmap::kChunkFrames, FrameState::kChunkFree);
  bitmap_.AddChunk(*chunk);
  Result<Pfn> fresh = bitmap_.Alloc(count, alignment);
  VOS_ASSERT_MSG(fresh.ok(), "a fresh chunk cannot serve %zu frames", count);
  buddy_.SetStates(*fresh, count, FrameState::kAllocated);
  return fresh;
}

Status FrameZone::Free(Pfn first, size_t count) {
  VOS_RETURN_IF_ERROR(buddy_.CheckAllocated(first, count));
  // The range may cover several allocations: free it chunk by chunk to
  // whichever allocator owns each part.
  const Pfn end = first + count;
  for (Pfn part = first; part < end;) {
    const Pfn part_end = std::min(end, FrameBitmap::ChunkStart(part) + FrameBitmap::kChunkFrames);
    const size_t frames = part_end - part;
    if (bitmap_.Owns(part)) {
      const Status freed = bitmap_.Free(part, frames);
      VOS_ASSERT_MSG(IsOk(freed), "bitmap disagrees with frame state at 0x%lx", part);
      buddy_.SetStates(part, frames, FrameState::kChunkFree);
      MaybeReleaseChunk(part);
    } else {
      const Status freed = buddy_.Free(part, frames);
      VOS_ASSERT(IsOk(freed));
    }
    part = part_end;
  }
  return Status::kOk;
}

void FrameZone::ReturnCached(Pfn pfn) {
  VOS_ASSERT_MSG(state(pfn) == FrameState::kCached, "frame 0x%lx is not cached", pfn);
  buddy_.SetState(pfn, FrameState::kAllocated);
  const Status freed = Free(pfn, 1);
  VOS_ASSERT(IsOk(freed));
}

void FrameZone::MaybeReleaseChunk(Pfn pfn) {
  if (!bitmap_.ChunkEmpty(pfn) || bitmap_.empty_chunks() <= kSpareChunks) return;
  const Pfn chunk = FrameBitmap::ChunkStart(pfn);
  bitmap_.RemoveChunk(chunk);
  buddy_.SetStates(chunk, FrameBitmap::kChunkFrames, FrameState::kAllocated);
  const Status freed = buddy_.Free(chunk, FrameBitmap::kChunkFrames);
  VOS_ASSERT(IsOk(freed));
}

}  // namespace vos
