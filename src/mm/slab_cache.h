// The slab layer of one kernel heap size class: slabs of a few pages cut into
// equal objects, each slab described by a Span outside its pages and found
// from an object through the PageMap. Slabs with free objects sit on a list;
// a slab whose last object comes back goes back to the page source at once
// (the magazines above absorb alloc/free churn).
//
// Every call takes the cache's lock: this is the heap's slow path, reached
// when a CPU's magazines are empty or full. Callers move objects in batches.
#ifndef VERIDIAN_SRC_MM_SLAB_CACHE_H_
#define VERIDIAN_SRC_MM_SLAB_CACHE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "src/lib/assert.h"
#include "src/lib/spinlock.h"
#include "src/mm/intrusive_list.h"
#include "src/mm/metadata_pool.h"
#include "src/mm/page_map.h"
#include "src/mm/page_source.h"
#include "src/mm/size_classes.h"
#include "src/mm/span.h"

namespace vos {

// Whether `object` is the start of one of `slab`'s objects. No divide: one
// multiply (see SizeClass::divisibility).
inline bool IsSlabObjectStart(const Span& slab, const void* object) {
  const uintptr_t offset = reinterpret_cast<uintptr_t>(object) - slab.base;
  return offset < slab.object_bytes && offset * slab.divisibility < slab.divisibility;
}

// The index of `object` in `slab`; panics unless `object` is the start of
// one of the slab's objects. O(1).
inline uint32_t SlabObjectIndex(const Span& slab, const void* object) {
  VOS_ASSERT_MSG(IsSlabObjectStart(slab, object),
                 "kernel heap: free of %p, which is not the start of a %u-byte object "
                 "(slab at %p)",
                 object, slab.object_size, reinterpret_cast<void*>(slab.base));
  const uintptr_t offset = reinterpret_cast<uintptr_t>(object) - slab.base;
  return static_cast<uint32_t>((uint64_t{offset} * slab.reciprocal) >> 32);
}

class SlabCache {
 public:
  struct Stats {
    size_t slabs;
    // Objects the slab layer has handed out (to magazines or to users).
    size_t objects_out;
  };

  constexpr SlabCache() = default;
  SlabCache(const SlabCache&) = delete;
  SlabCache& operator=(const SlabCache&) = delete;

  // Slab descriptors come from `spans`; every slab's pages are entered in `map`.
  void Init(uint32_t size_class, PageSource& source, PageMap& map, MetadataPool& spans);

  // Fills `objects` with up to `count` objects; fewer (perhaps none) only
  // when the page source or the descriptor pool is exhausted.
  size_t AllocateBatch(void** objects, size_t count) VOS_EXCLUDES(lock_);

  // Takes back objects handed out by AllocateBatch. Panics on an object of
  // another class or one that is already free in its slab (double free).
  void FreeBatch(void* const* objects, size_t count) VOS_EXCLUDES(lock_);

  Stats stats() const VOS_EXCLUDES(lock_);
  const SizeClass& size_class() const { return kSizeClasses[size_class_]; }

 private:
  Span* NewSlabLocked() VOS_REQUIRES(lock_);
  void FreeOneLocked(void* object) VOS_REQUIRES(lock_);
  void ReleaseSlabLocked(Span* slab) VOS_REQUIRES(lock_);

  uint32_t size_class_ = 0;
  PageSource* source_ = nullptr;
  PageMap* map_ = nullptr;
  MetadataPool* spans_ = nullptr;
  mutable SpinLock lock_;
  // Slabs with at least one free object; full slabs are on no list.
  IntrusiveList<Span> partial_ VOS_GUARDED_BY(lock_);
  size_t slabs_ VOS_GUARDED_BY(lock_) = 0;
  size_t objects_out_ VOS_GUARDED_BY(lock_) = 0;
};

}  // namespace vos

#endif  // VERIDIAN_SRC_MM_SLAB_CACHE_H_
