// Reference counts of the frames mapped into address spaces: a private page
// shared copy-on-write after a clone, or a shared page, is freed when its
// last mapping goes. One 32-bit count per frame of the memory map's span,
// taken from the frame allocator at init, up to the end of usable memory.
#ifndef VERIDIAN_SRC_MM_FRAME_REFS_H_
#define VERIDIAN_SRC_MM_FRAME_REFS_H_

#include <cstdint>

#include "src/hal/atomic.h"
#include "src/hal/memory_map.h"
#include "src/hal/types.h"
#include "src/lib/status.h"

namespace vos {

class FrameRefs {
 public:
  // Sizes the table for every frame below the end of `map`'s last usable
  // region.
  Status Init(const hal::MemoryMap& map);

  // A frame that was just allocated gets its first reference.
  void SetFirst(hal::PhysAddr frame);
  // Adds a reference; returns the new count.
  uint32_t Ref(hal::PhysAddr frame);
  // Drops a reference; returns the count left (0: free the frame).
  uint32_t Unref(hal::PhysAddr frame);
  uint32_t Count(hal::PhysAddr frame) const;

 private:
  hal::Atomic<uint32_t>& Slot(hal::PhysAddr frame) const;

  hal::Atomic<uint32_t>* counts_ = nullptr;
  uint64_t frames_ = 0;
};

FrameRefs& PageRefs();

}  // namespace vos

#endif  // VERIDIAN_SRC_MM_FRAME_REFS_H_
