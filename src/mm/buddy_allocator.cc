#include "src/mm/buddy_allocator.h"

#include <algorithm>
#include <bit>

#include "src/lib/assert.h"

namespace vos {

void BuddyAllocator::Init(Pfn base, size_t frames, void* metadata) {
  VOS_ASSERT(frames < kNil);
  base_ = base;
  frames_ = frames;
  auto* bytes = static_cast<uint8_t*>(metadata);
  next_ = reinterpret_cast<uint32_t*>(bytes);
  prev_ = next_ + frames;
  state_ = reinterpret_cast<uint8_t*>(prev_ + frames);
  order_ = state_ + frames;
  for (uint32_t order = 0; order <= kMaxOrder; ++order) {
    heads_[order] = kNil;
    free_blocks_[order] = 0;
  }
  free_frames_ = 0;
  managed_frames_ = 0;
}

void BuddyAllocator::SetStates(Pfn first, size_t count, FrameState state) {
  for (size_t i = 0; i < count; ++i) SetState(first + i, state);
}

void BuddyAllocator::AddFreeRange(Pfn first, size_t count) {
  VOS_ASSERT(Contains(first, count));
  for (size_t i = 0; i < count; ++i) {
    VOS_ASSERT_MSG(state(first + i) == FrameState::kUnmanaged, "frame 0x%lx added twice",
                   first + i);
  }
  managed_frames_ += count;
  FreeRun(first, count);
}

Result<Pfn> BuddyAllocator::Alloc(size_t count, size_t alignment) {
  if (count == 0 || count > kMaxBlockFrames || !std::has_single_bit(alignment) ||
      alignment > kMaxBlockFrames) {
    return Status::kInvalidArgument;
  }
  const uint32_t order = static_cast<uint32_t>(
      std::max(std::bit_width(count - 1), std::bit_width(alignment) - 1));
  uint32_t found = order;
  while (found <= kMaxOrder && heads_[found] == kNil) ++found;
  if (found > kMaxOrder) return Status::kNoMemory;

  const Pfn head = base_ + heads_[found];
  Remove(head, found);
  // Split: the upper halves go back to the free lists.
  while (found > order) {
    --found;
    const Pfn upper = head + (Pfn{1} << found);
    SetState(upper, FrameState::kBuddyHead);
    Push(upper, found);
  }
  SetStates(head, count, FrameState::kAllocated);
  const size_t block = size_t{1} << order;
  free_frames_ -= block;
  // Exact size: the tail beyond `count` goes straight back as smaller blocks.
  FreeRun(head + count, block - count);
  return head;
}

Status BuddyAllocator::CheckAllocated(Pfn first, size_t count) const {
  if (count == 0) return Status::kInvalidArgument;
  if (!Contains(first, count)) return Status::kOutOfRange;
  for (size_t i = 0; i < count; ++i) {
    const FrameState s = state(first + i);
    if (s == FrameState::kAllocated) continue;
    return s == FrameState::kUnmanaged ? Status::kPermissionDenied : Status::kInvalidArgument;
  }
  return Status::kOk;
}

Status BuddyAllocator::Free(Pfn first, size_t count) {
  VOS_RETURN_IF_ERROR(CheckAllocated(first, count));
  FreeRun(first, count);
  return Status::kOk;
}

void BuddyAllocator::FreeRun(Pfn first, size_t count) {
  while (count > 0) {
    // The largest block that starts at `first`, fits in `count` and is aligned.
    uint32_t order = static_cast<uint32_t>(std::bit_width(count) - 1);
    if (first != 0) order = std::min<uint32_t>(order, std::countr_zero(first));
    order = std::min(order, kMaxOrder);
    FreeBlock(first, order);
    first += Pfn{1} << order;
    count -= size_t{1} << order;
  }
}

void BuddyAllocator::FreeBlock(Pfn head, uint32_t order) {
  const size_t size = size_t{1} << order;
  SetStates(head, size, FrameState::kBuddyFree);
  free_frames_ += size;
  while (order < kMaxOrder) {
    const Pfn buddy = head ^ (Pfn{1} << order);
    if (!Contains(buddy) || state(buddy) != FrameState::kBuddyHead ||
        order_[Index(buddy)] != order) {
      break;
    }
    Remove(buddy, order);
    SetState(buddy, FrameState::kBuddyFree);
    head = std::min(head, buddy);
    ++order;
  }
  SetState(head, FrameState::kBuddyHead);
  Push(head, order);
}

void BuddyAllocator::Push(Pfn head, uint32_t order) {
  const uint32_t index = Index(head);
  order_[index] = static_cast<uint8_t>(order);
  next_[index] = heads_[order];
  prev_[index] = kNil;
  if (heads_[order] != kNil) prev_[heads_[order]] = index;
  heads_[order] = index;
  ++free_blocks_[order];
}

void BuddyAllocator::Remove(Pfn head, uint32_t order) {
  const uint32_t index = Index(head);
  if (prev_[index] != kNil) {
    next_[prev_[index]] = next_[index];
  } else {
    heads_[order] = next_[index];
  }
  if (next_[index] != kNil) prev_[next_[index]] = prev_[index];
  --free_blocks_[order];
}

size_t BuddyAllocator::FreeFramesAtOrAbove(uint32_t order) const {
  size_t frames = 0;
  for (uint32_t o = order; o <= kMaxOrder; ++o) frames += free_blocks_[o] << o;
  return frames;
}

int BuddyAllocator::LargestFreeOrder() const {
  for (int o = kMaxOrder; o >= 0; --o) {
    if (free_blocks_[o] != 0) return o;
  }
  return -1;
}

}  // namespace vos
