// A run of pages the kernel heap took from its page source: one slab of a
// size class, or one large allocation. Described outside the pages
// themselves, so slab objects can fill whole pages and keep their natural
// alignment.
#ifndef VERIDIAN_SRC_MM_SPAN_H_
#define VERIDIAN_SRC_MM_SPAN_H_

#include <cstdint>

#include "src/hal/types.h"

namespace vos {

struct Span {
  static constexpr uint8_t kLarge = 0xff;

  // Links in the owning slab cache's list of slabs with free objects.
  Span* next = nullptr;
  Span* prev = nullptr;
  uintptr_t base = 0;
  uint32_t pages = 0;
  // The size class of a slab, or kLarge.
  uint8_t size_class = kLarge;
  // Objects of a slab handed out by the slab layer (to magazines or users).
  uint16_t in_use = 0;
  // The slab's free objects, linked through their first word.
  void* free_list = nullptr;
  // One bit per object of a slab, set while the slab layer has handed it
  // out: a second free of an object that came back to the slab panics.
  uint64_t allocated[4] = {};

  uintptr_t end() const { return base + uintptr_t{pages} * hal::kPageSize; }
};

}  // namespace vos

#endif  // VERIDIAN_SRC_MM_SPAN_H_
