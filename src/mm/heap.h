// The kernel heap: slab caches for 16 B .. 4 KiB (size_classes.h), each
// fronted by per-CPU magazines (magazine.h) so that a typical allocation and
// free take no lock; allocations above 4 KiB take whole pages from the page
// source. Every object is found from its pointer alone through the page map,
// so Free needs no size, and a pointer the heap never handed out panics.
//
// KernelHeap() is the instance behind operator new/delete in the
// freestanding kernels (backends/common/runtime.cc); tests make their own.
//
// Not for interrupt handlers: the per-CPU layer relies on preemption being
// disabled, not on interrupts being masked.
#ifndef VERIDIAN_SRC_MM_HEAP_H_
#define VERIDIAN_SRC_MM_HEAP_H_

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "src/lib/status.h"
#include "src/mm/magazine.h"
#include "src/mm/metadata_pool.h"
#include "src/mm/page_map.h"
#include "src/mm/page_source.h"
#include "src/mm/size_classes.h"
#include "src/mm/slab_cache.h"

namespace vos {

class Heap {
 public:
  struct CacheStats {
    size_t object_size;
    size_t allocations;
    size_t frees;
    size_t failures;
    size_t in_use;  // Allocated and not yet freed.
    size_t slabs;
    // Free objects cached in magazines (per-CPU and depot); approximate while
    // other CPUs allocate.
    size_t in_magazines;
  };
  struct Stats {
    CacheStats caches[kSizeClassCount];
    size_t large_allocations;
    size_t large_frees;
    size_t large_failures;
    size_t large_pages;  // Held by live large allocations.
    // The page map, span descriptors, magazines and the per-CPU area.
    size_t metadata_pages;
    // Everything held from the page source.
    size_t pages;
  };

  constexpr Heap() = default;
  Heap(const Heap&) = delete;
  Heap& operator=(const Heap&) = delete;

  // Takes the per-CPU area from `source`, which must outlive the heap. Once, on any CPU, with hal::CpuCount() known.
  Status Init(PageSource& source);

  // `size` bytes aligned to `alignment` (a power of two up to the page size;
  // at least 16 is always given); nullptr when memory runs out or the
  // alignment is unsupported. A size of 0 gets a unique 16-byte object.
  void* Allocate(size_t size, size_t alignment = kMinAlignment);

  // Frees what Allocate returned; null is ignored. Panics on a pointer that
  // is not a live heap object's start: one the heap never handed out, one
  // inside an object, and the double frees it can see cheaply (the object
  // this CPU freed last, and any object already back in its slab).
  void Free(void* object);
  // As Free, also checking that `size` is what fits the object. Faster: the
  // size gives the class without waiting for the page map (C++ sized delete).
  void Free(void* object, size_t size);

  // The bytes usable at `object` (its size class, or its pages).
  size_t UsableSize(const void* object) const;

  // Returns this CPU's magazines to the slabs (their objects) and to the
  // pool (the magazines). Other CPUs' magazines are theirs to flush.
  void FlushCpuCaches();
  // Returns every depot's full and empty magazines likewise.
  void DrainDepots();

  Stats stats() const;
  void PrintStats() const;

 private:
  struct alignas(64) CpuCaches {
    CpuMagazines by_class[kSizeClassCount];
  };
  struct ObjectCache {
    SlabCache slabs;
    Depot depot;
    std::atomic<size_t> failures{0};
  };

  // The fast paths (Allocate, Free) are chains of checks that fall through
  // to these general paths, which handle every case, so the fast paths stay
  // leaf functions without a stack frame and correctness lives here.
  [[gnu::noinline]] void* AllocateSlow(size_t size, size_t alignment);
  [[gnu::noinline]] void FreeSlow(void* object);
  [[gnu::noinline]] void FreeSlow(void* object, size_t size);
  // Pushes `object` (of `entry`, a slab of `size_class`) onto this CPU's
  // magazine when that needs no check to fail and no slow path; false
  // otherwise, having done nothing.
  bool TryFreeFast(uint32_t size_class, PageMapEntry entry, void* object);

  PageMapEntry CheckedEntry(const void* object) const;
  void* AllocateSmall(uint32_t size_class);
  void* AllocateUnusual(size_t size, size_t alignment);
  void* AllocateLarge(size_t size);
  void FreeObject(PageMapEntry entry, void* object);
  void FreeSmall(uint32_t size_class, PageMapEntry entry, void* object);
  void FreeLarge(Span& span, void* object);
  // The bytes of the object at `object` in `span`; panics unless `object` is
  // the start of one.
  static size_t ObjectSize(const Span& span, const void* object);
  void* RefillAndPop(uint32_t size_class, CpuMagazines& cpu);
  void PushSlow(uint32_t size_class, CpuMagazines& cpu, void* object);
  Magazine* NewMagazine(uint32_t size_class);
  // Gives a magazine's objects back to the slabs and the magazine to the pool.
  void DestroyMagazine(uint32_t size_class, Magazine* magazine);

  PageSource* source_ = nullptr;
  PageMap page_map_;
  MetadataPool spans_;
  MetadataPool magazines_;
  ObjectCache caches_[kSizeClassCount];
  // hal::CpuCount() entries, from the page source.
  CpuCaches* cpu_caches_ = nullptr;
  size_t cpu_cache_pages_ = 0;
  std::atomic<size_t> large_allocations_{0};
  std::atomic<size_t> large_frees_{0};
  std::atomic<size_t> large_failures_{0};
  std::atomic<size_t> large_pages_{0};
};

// The kernel's heap; KernelHeap().Init(source) before the first operator new.
Heap& KernelHeap();

}  // namespace vos

#endif  // VERIDIAN_SRC_MM_HEAP_H_
