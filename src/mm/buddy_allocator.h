// The buddy allocator of one zone: owns every frame of a contiguous frame
// span, serves exact-size contiguous runs aligned up to 1 GiB, and keeps the
// per-frame state the layers above (bitmap chunks, per-CPU caches) share, so
// a double free or a free of a frame it never managed is always detected.
//
// Blocks are aligned in absolute frame numbers, so a block of order k is
// physically aligned to 2^k frames whatever the span's base. Free lists are
// intrusive doubly-linked lists in the metadata arrays, never in the free
// frames themselves (a stray write into a freed frame cannot corrupt them).
// Not thread-safe: the caller holds the node's lock.
#ifndef VERIDIAN_SRC_MM_BUDDY_ALLOCATOR_H_
#define VERIDIAN_SRC_MM_BUDDY_ALLOCATOR_H_

#include <cstddef>
#include <cstdint>

#include "src/lib/status.h"

namespace vos {

using Pfn = uint64_t;  // Physical frame number: physical address / 4 KiB.

// Who holds a frame. One byte per frame; 0 (zeroed metadata) is unmanaged.
enum class FrameState : uint8_t {
  kUnmanaged = 0,  // Reserved, a hole, or the boot allocator's: never handed out.
  kAllocated,      // Held by a client.
  kCached,         // Held by a per-CPU cache.
  kChunkFree,      // Free inside a chunk the bitmap allocator owns.
  kBuddyFree,      // Free inside a buddy block (not its first frame).
  kBuddyHead,      // First frame of a free buddy block; the order is kept apart.
};

class BuddyAllocator {
 public:
  // 2^18 frames = 1 GiB, the largest block (and alignment).
  static constexpr uint32_t kMaxOrder = 18;
  static constexpr size_t kMaxBlockFrames = size_t{1} << kMaxOrder;

  // Bytes of zeroed metadata Init needs for a span of `frames`.
  static constexpr size_t MetadataBytes(size_t frames) {
    return frames * (2 * sizeof(uint32_t) + 2 * sizeof(uint8_t));
  }

  constexpr BuddyAllocator() = default;
  BuddyAllocator(const BuddyAllocator&) = delete;
  BuddyAllocator& operator=(const BuddyAllocator&) = delete;

  // Manages [base, base + frames), every frame unmanaged until AddFreeRange.
  // `metadata` holds MetadataBytes(frames) zeroed bytes.
  void Init(Pfn base, size_t frames, void* metadata);

  // Boot: hands [first, first + count) (unmanaged frames) to the allocator.
  void AddFreeRange(Pfn first, size_t count);

  // `count` contiguous frames aligned to `alignment` (a power of two), marked
  // kAllocated. kInvalidArgument beyond 1 GiB, kNoMemory when no block fits.
  Result<Pfn> Alloc(size_t count, size_t alignment);

  // Frees [first, first + count): every frame must be kAllocated (any part of
  // an allocation may be freed). kOutOfRange outside the span, kPermissionDenied
  // on an unmanaged frame, kInvalidArgument on a frame not allocated (double
  // free); on error nothing changes.
  Status Free(Pfn first, size_t count);

  // The status Free would return for the range, without freeing it.
  Status CheckAllocated(Pfn first, size_t count) const;

  bool Contains(Pfn pfn) const { return pfn - base_ < frames_; }
  bool Contains(Pfn first, size_t count) const {
    return Contains(first) && count <= frames_ - (first - base_);
  }
  Pfn base() const { return base_; }
  size_t frames() const { return frames_; }

  // Per-frame state, shared with the layers above (relaxed atomics: a per-CPU
  // cache flips its own frames without the lock, see frame_allocator.h).
  FrameState state(Pfn pfn) const {
    return static_cast<FrameState>(__atomic_load_n(&state_[pfn - base_], __ATOMIC_RELAXED));
  }
  void SetState(Pfn pfn, FrameState state) {
    __atomic_store_n(&state_[pfn - base_], static_cast<uint8_t>(state), __ATOMIC_RELAXED);
  }
  void SetStates(Pfn first, size_t count, FrameState state);

  size_t managed_frames() const { return managed_frames_; }
  size_t free_frames() const { return free_frames_; }
  size_t free_blocks(uint32_t order) const { return free_blocks_[order]; }
  // Free frames in blocks of at least `order`.
  size_t FreeFramesAtOrAbove(uint32_t order) const;
  // Order of the largest free block, or -1 when nothing is free.
  int LargestFreeOrder() const;

 private:
  static constexpr uint32_t kNil = ~uint32_t{0};

  uint32_t Index(Pfn pfn) const { return static_cast<uint32_t>(pfn - base_); }
  void Push(Pfn head, uint32_t order);
  void Remove(Pfn head, uint32_t order);
  // Frees one aligned block and merges it with its free buddies.
  void FreeBlock(Pfn head, uint32_t order);
  // Frees a run as maximal aligned blocks (no checks).
  void FreeRun(Pfn first, size_t count);

  Pfn base_ = 0;
  size_t frames_ = 0;
  uint8_t* state_ = nullptr;
  uint8_t* order_ = nullptr;  // Order of each free block head.
  uint32_t* next_ = nullptr;
  uint32_t* prev_ = nullptr;
  uint32_t heads_[kMaxOrder + 1] = {};
  size_t free_blocks_[kMaxOrder + 1] = {};
  size_t free_frames_ = 0;
  size_t managed_frames_ = 0;
};

}  // namespace vos

#endif  // VERIDIAN_SRC_MM_BUDDY_ALLOCATOR_H_
