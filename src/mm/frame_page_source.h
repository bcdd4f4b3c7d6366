// The kernel heap's page source: runs of frames from the frame allocator,
// addressed through the direct map, whose per-node ranges it declares.
#ifndef VERIDIAN_SRC_MM_FRAME_PAGE_SOURCE_H_
#define VERIDIAN_SRC_MM_FRAME_PAGE_SOURCE_H_

#include "src/mm/page_source.h"

namespace vos {

class FramePageSource final : public PageSource {
 public:
  Result<void*> AllocPages(size_t count) override;
  void FreePages(void* pages, size_t count) override;
  size_t AddressRanges(std::span<AddressRange, kMaxRanges> ranges) const override;
};

}  // namespace vos

#endif  // VERIDIAN_SRC_MM_FRAME_PAGE_SOURCE_H_
