#include "src/mm/frame_page_source.h"

#include "src/hal/memory_map.h"
#include "src/hal/mmu.h"
#include "src/lib/assert.h"
#include "src/mm/direct_map_ranges.h"
#include "src/mm/frame_allocator.h"

namespace vos {

Result<void*> FramePageSource::AllocPages(size_t count) {
  FrameRequest request;
  request.count = count;
  Result<hal::PhysAddr> frames = Frames().Alloc(request);
  if (!frames.ok()) return frames.status();
  return hal::PhysToVirt(*frames);
}

void FramePageSource::FreePages(void* pages, size_t count) {
  const Status status = Frames().Free(hal::VirtToPhys(pages), count);
  VOS_ASSERT_MSG(IsOk(status), "heap gave back %zu pages at %p it did not own: %s", count, pages,
                 StatusName(status));
}

size_t FramePageSource::AddressRanges(std::span<AddressRange, kMaxRanges> ranges) const {
  return DirectMapRanges(hal::GetMemoryMap(), ranges);
}

}  // namespace vos
