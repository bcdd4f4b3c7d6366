// A run of pages the kernel heap took from its page source: one slab of a
// size class, or one large allocation. Described outside the pages
// themselves, so slab objects can fill whole pages and keep their natural
// alignment.
#ifndef VERIDIAN_SRC_MM_SPAN_H_
#define VERIDIAN_SRC_MM_SPAN_H_

#include <cstdint>

#include "src/hal/types.h"

namespace vos {

// Aligned so the page map can keep the size class in a pointer's low bits.
struct alignas(32) Span {
  static constexpr uint8_t kLarge = 31;

  // Links in the owning slab cache's list of slabs with free objects.
  Span* next = nullptr;
  Span* prev = nullptr;
  uintptr_t base = 0;
  uint32_t pages = 0;
  // The size class of a slab, or kLarge.
  uint8_t size_class = kLarge;
  // Copied from the size class, so a free reads one cache line, not two
  // dependent ones (see SizeClass).
  uint32_t object_size = 0;
  uint32_t object_bytes = 0;  // Objects per slab times object_size.
  uint64_t reciprocal = 0;
  uint64_t divisibility = 0;
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
