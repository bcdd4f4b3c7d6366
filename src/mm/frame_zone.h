// One zone of one NUMA node (DMA below 16 MiB, or Normal): a buddy allocator
// that owns every frame, and in front of it the bitmap allocator for requests
// below 512 frames. The per-frame state in the buddy is the authority on who
// holds a frame; the bitmap mirrors it for the frames of its chunks.
// Not thread-safe: the caller holds the node's lock.
#ifndef VERIDIAN_SRC_MM_FRAME_ZONE_H_
#define VERIDIAN_SRC_MM_FRAME_ZONE_H_

#include <cstddef>
#include <cstdint>

#include "src/lib/status.h"
#include "src/mm/buddy_allocator.h"
#include "src/mm/frame_bitmap.h"

namespace vos {

enum class ZoneType : uint8_t { kDma, kNormal };
inline constexpr size_t kZoneTypes = 2;
// The DMA zone ends at 16 MiB (ISA DMA reach).
inline constexpr Pfn kDmaLimitPfn = (16u << 20) / 4096;

const char* ZoneTypeName(ZoneType type);

// What the zone counts itself; the allocator adds its per-CPU caches.
struct ZoneCounters {
  uint64_t allocations = 0;     // Successful requests served by the zone.
  uint64_t frees = 0;           // Successful frees into the zone.
  uint64_t alloc_failures = 0;  // Requests this zone could not serve.
  uint64_t bad_frees = 0;       // Double frees, frees of unmanaged frames.
};

class FrameZone {
 public:
  // Requests below this go to the bitmap, the others to the buddy.
  static constexpr size_t kSmallLimit = FrameBitmap::kChunkFrames;
  // Wholly free chunks the bitmap keeps before giving one back, so a
  // request pattern at a chunk boundary does not split and merge each time.
  static constexpr size_t kSpareChunks = 1;

  static constexpr size_t MetadataBytes(Pfn base, size_t frames) {
    return BuddyAllocator::MetadataBytes(frames) + FrameBitmap::MetadataBytes(base, frames);
  }

  constexpr FrameZone() = default;
  FrameZone(const FrameZone&) = delete;
  FrameZone& operator=(const FrameZone&) = delete;

  // Covers [base, base + frames) with MetadataBytes zeroed bytes.
  void Init(ZoneType type, uint32_t node, Pfn base, size_t frames, void* metadata);
  void AddFreeRange(Pfn first, size_t count) { buddy_.AddFreeRange(first, count); }

  // Contiguous frames, marked kAllocated. No counters (the caller counts).
  Result<Pfn> Alloc(size_t count, size_t alignment);
  // Frees kAllocated frames (see BuddyAllocator::Free for the errors).
  Status Free(Pfn first, size_t count);

  // Per-CPU cache hand-over: a frame moves kAllocated <-> kCached.
  void MarkCached(Pfn pfn) { buddy_.SetState(pfn, FrameState::kCached); }
  void TakeCached(Pfn pfn) { buddy_.SetState(pfn, FrameState::kAllocated); }
  void ReturnCached(Pfn pfn);

  bool Contains(Pfn pfn) const { return buddy_.Contains(pfn); }
  bool Contains(Pfn first, size_t count) const { return buddy_.Contains(first, count); }
  FrameState state(Pfn pfn) const { return buddy_.state(pfn); }
  bool present() const { return buddy_.managed_frames() != 0; }
  ZoneType type() const { return type_; }
  uint32_t node() const { return node_; }
  Pfn base() const { return buddy_.base(); }
  size_t span_frames() const { return buddy_.frames(); }
  size_t managed_frames() const { return buddy_.managed_frames(); }
  // Frees in the buddy and in the bitmap's chunks.
  size_t free_frames() const { return buddy_.free_frames() + bitmap_.free_frames(); }
  const BuddyAllocator& buddy() const { return buddy_; }
  const FrameBitmap& bitmap() const { return bitmap_; }
  ZoneCounters& counters() { return counters_; }
  const ZoneCounters& counters() const { return counters_; }

 private:
  Result<Pfn> AllocSmall(size_t count, size_t alignment);
  // Gives the chunk holding `pfn` back to the buddy if it is free and spare.
  void MaybeReleaseChunk(Pfn pfn);

  ZoneType type_ = ZoneType::kNormal;
  uint32_t node_ = 0;
  BuddyAllocator buddy_;
  FrameBitmap bitmap_;
  ZoneCounters counters_;
};

}  // namespace vos

#endif  // VERIDIAN_SRC_MM_FRAME_ZONE_H_
