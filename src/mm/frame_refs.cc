#include "src/mm/frame_refs.h"

#include <new>

#include "src/hal/mmu.h"
#include "src/lib/assert.h"
#include "src/mm/frame_allocator.h"

namespace vos {

Status FrameRefs::Init(const hal::MemoryMap& map) {
  // Only usable memory holds frames the allocator hands out; reserved
  // ranges (MMIO far above RAM) would size the table for nothing.
  hal::PhysAddr end = 0;
  for (size_t i = 0; i < map.count; ++i) {
    const hal::MemoryRegion& region = map.regions[i];
    if (region.type != hal::MemoryType::kUsable) continue;
    if (region.base + region.size > end) end = region.base + region.size;
  }
  const uint64_t frames = end / hal::kPageSize;
  const uint64_t bytes = frames * sizeof(hal::Atomic<uint32_t>);
  FrameRequest request;
  request.count = (bytes + hal::kPageSize - 1) / hal::kPageSize;
  Result<hal::PhysAddr> table = Frames().Alloc(request);
  if (!table.ok()) return table.status();
  counts_ = static_cast<hal::Atomic<uint32_t>*>(hal::PhysToVirt(*table));
  for (uint64_t i = 0; i < frames; ++i) new (&counts_[i]) hal::Atomic<uint32_t>(0);
  frames_ = frames;
  return Status::kOk;
}

hal::Atomic<uint32_t>& FrameRefs::Slot(hal::PhysAddr frame) const {
  const uint64_t index = frame / hal::kPageSize;
  VOS_ASSERT_MSG(counts_ != nullptr && index < frames_,
                 "frame 0x%lx has no reference count (table of %lu frames)",
                 static_cast<unsigned long>(frame), static_cast<unsigned long>(frames_));
  return counts_[index];
}

void FrameRefs::SetFirst(hal::PhysAddr frame) {
  hal::Atomic<uint32_t>& slot = Slot(frame);
  VOS_ASSERT_MSG(slot.Load() == 0, "new frame 0x%lx still has %u references",
                 static_cast<unsigned long>(frame), slot.Load());
  slot.Store(1);
}

uint32_t FrameRefs::Ref(hal::PhysAddr frame) {
  const uint32_t before = Slot(frame).FetchAdd(1);
  VOS_ASSERT_MSG(before > 0, "reference to unreferenced frame 0x%lx",
                 static_cast<unsigned long>(frame));
  return before + 1;
}

uint32_t FrameRefs::Unref(hal::PhysAddr frame) {
  const uint32_t before = Slot(frame).FetchSub(1);
  VOS_ASSERT_MSG(before > 0, "reference count underflow on frame 0x%lx",
                 static_cast<unsigned long>(frame));
  return before - 1;
}

uint32_t FrameRefs::Count(hal::PhysAddr frame) const { return Slot(frame).Load(); }

FrameRefs& PageRefs() {
  static FrameRefs refs;
  return refs;
}

}  // namespace vos
