#include "src/mm/heap.h"

#include <new>

#include "src/hal/cpu.h"
#include "src/lib/assert.h"
#include "src/lib/preemption.h"
#include "src/lib/print.h"

namespace vos {
namespace {

constinit Heap kernel_heap;

}  // namespace

Heap& KernelHeap() { return kernel_heap; }

Status Heap::Init(PageSource& source) {
  VOS_ASSERT_MSG(source_ == nullptr, "kernel heap initialised twice");
  source_ = &source;
  page_map_.Init(source);
  spans_.Init(source, sizeof(Span));
  magazines_.Init(source, sizeof(Magazine));
  for (uint32_t i = 0; i < kSizeClassCount; ++i) {
    caches_[i].slabs.Init(i, source, page_map_, spans_);
  }
  const size_t cpus = hal::CpuCount();
  cpu_cache_pages_ = (cpus * sizeof(CpuCaches) + hal::kPageSize - 1) / hal::kPageSize;
  Result<void*> area = source.AllocPages(cpu_cache_pages_);
  if (!area.ok()) return area.status();
  auto* caches = static_cast<CpuCaches*>(*area);
  for (size_t cpu = 0; cpu < cpus; ++cpu) new (&caches[cpu]) CpuCaches();
  // Last: Allocate and Free check it to catch use before Init.
  cpu_caches_ = caches;
  return Status::kOk;
}

// --- Allocation ------------------------------------------------------------

void* Heap::Allocate(size_t size, size_t alignment) {
  if (size <= kMaxSmallSize && alignment <= kMinAlignment && cpu_caches_ != nullptr) [[likely]] {
    PreemptionGuard guard;
    CpuMagazines& cpu = cpu_caches_[guard.cpu()].by_class[SizeClassFor(size)];
    if (cpu.CanPopLoaded()) [[likely]] {
      cpu.allocations.Add(1);
      return cpu.PopLoaded();
    }
  }
  return AllocateSlow(size, alignment);
}

void* Heap::AllocateSlow(size_t size, size_t alignment) {
  VOS_ASSERT_MSG(cpu_caches_ != nullptr, "kernel heap used before Init");
  if (size <= kMaxSmallSize && alignment <= kMinAlignment) return AllocateSmall(SizeClassFor(size));
  return AllocateUnusual(size, alignment);
}

void* Heap::AllocateSmall(uint32_t size_class) {
  PreemptionGuard guard;
  CpuMagazines& cpu = cpu_caches_[guard.cpu()].by_class[size_class];
  void* object = cpu.TryPop();
  if (object == nullptr) {
    object = RefillAndPop(size_class, cpu);
    if (object == nullptr) {
      caches_[size_class].failures.fetch_add(1, std::memory_order_relaxed);
      return nullptr;
    }
  }
  cpu.allocations.Add(1);
  return object;
}

void* Heap::AllocateUnusual(size_t size, size_t alignment) {
  if (alignment == 0 || (alignment & (alignment - 1)) != 0 || alignment > hal::kPageSize) {
    return nullptr;
  }
  if (size <= kMaxSmallSize) {
    // The first class big enough whose objects are aligned enough.
    for (uint32_t i = SizeClassFor(size); i < kSizeClassCount; ++i) {
      if (SizeClassAlignment(i) >= alignment) return AllocateSmall(i);
    }
  }
  return AllocateLarge(size);
}

// Both magazines are empty: trade the previous one for a full magazine from
// the depot, else take one object from the slabs.
void* Heap::RefillAndPop(uint32_t size_class, CpuMagazines& cpu) {
  ObjectCache& cache = caches_[size_class];
  if (Magazine* full = cache.depot.TakeFull()) {
    if (CpuMagazines::IsReal(cpu.previous)) cache.depot.PutEmpty(cpu.previous);
    cpu.previous = cpu.loaded;
    cpu.loaded = full;
    return cpu.TryPop();
  }
  void* object = nullptr;
  cache.slabs.AllocateBatch(&object, 1);
  return object;
}

void* Heap::AllocateLarge(size_t size) {
  if (size > ~size_t{0} - hal::kPageSize) return nullptr;
  const size_t pages = (size + hal::kPageSize - 1) / hal::kPageSize;
  if (auto* span = static_cast<Span*>(spans_.Allocate())) {
    Result<void*> memory = source_->AllocPages(pages);
    if (memory.ok()) {
      *span = Span{};
      span->base = reinterpret_cast<uintptr_t>(*memory);
      span->pages = static_cast<uint32_t>(pages);
      span->size_class = Span::kLarge;
      VOS_ASSERT(span->pages == pages);
      // Only the first page: a large allocation is freed by its start alone.
      if (page_map_.Map(span->base, 1, span) == Status::kOk) {
        large_allocations_.fetch_add(1, std::memory_order_relaxed);
        large_pages_.fetch_add(pages, std::memory_order_relaxed);
        return *memory;
      }
      source_->FreePages(*memory, pages);
    }
    spans_.Free(span);
  }
  large_failures_.fetch_add(1, std::memory_order_relaxed);
  return nullptr;
}

// --- Free ------------------------------------------------------------------

PageMapEntry Heap::CheckedEntry(const void* object) const {
  // Before Init the map is empty, so this panics then too.
  const PageMapEntry entry = page_map_.Lookup(object);
  VOS_ASSERT_MSG(entry, "kernel heap: free of %p, which is not a heap object", object);
  return entry;
}

size_t Heap::ObjectSize(const Span& span, const void* object) {
  if (span.size_class == Span::kLarge) {
    VOS_ASSERT_MSG(reinterpret_cast<uintptr_t>(object) == span.base,
                   "kernel heap: %p is inside the large allocation at %p", object,
                   reinterpret_cast<void*>(span.base));
    return size_t{span.pages} * hal::kPageSize;
  }
  SlabObjectIndex(span, object);
  return span.object_size;
}

// The same checks as FreeSmall, but a failing one (or a full magazine)
// leaves the object to the general path, which panics or takes the slow way.
[[gnu::always_inline]] inline bool Heap::TryFreeFast(uint32_t size_class, PageMapEntry entry,
                                                     void* object) {
  if (!entry || size_class == Span::kLarge || !IsSlabObjectStart(*entry.span(), object)) {
    return false;
  }
  PreemptionGuard guard;
  CpuMagazines& cpu = cpu_caches_[guard.cpu()].by_class[size_class];
  if (cpu.IsLastFreed(object) || !cpu.CanPushLoaded()) return false;
  cpu.PushLoaded(object);
  cpu.frees.Add(1);
  return true;
}

// Objects in the page map's first window: one load finds the class.
void Heap::Free(void* object) {
  const PageMapEntry entry = page_map_.LookupInFirstWindow(object);
  if (TryFreeFast(entry.size_class(), entry, object)) [[likely]] return;
  FreeSlow(object);
}

// The size names the class before the page map answers, so the magazine
// does not wait for the lookup; the lookup only confirms it.
void Heap::Free(void* object, size_t size) {
  if (size <= kMaxSmallSize) [[likely]] {
    const uint32_t size_class = SizeClassFor(size);
    const PageMapEntry entry = page_map_.LookupInFirstWindow(object);
    if (entry.size_class() == size_class && TryFreeFast(size_class, entry, object)) [[likely]] {
      return;
    }
  }
  FreeSlow(object, size);
}

void Heap::FreeSlow(void* object) {
  if (object == nullptr) return;
  FreeObject(CheckedEntry(object), object);
}

void Heap::FreeSlow(void* object, size_t size) {
  if (object == nullptr) return;
  const PageMapEntry entry = CheckedEntry(object);
  // Objects of aligned allocations may sit in a bigger class than the size's.
  const size_t usable = ObjectSize(*entry.span(), object);
  VOS_ASSERT_MSG(size <= usable, "kernel heap: sized free of %p with %zu bytes, but it has %zu",
                 object, size, usable);
  FreeObject(entry, object);
}

void Heap::FreeObject(PageMapEntry entry, void* object) {
  const uint32_t size_class = entry.size_class();
  if (size_class == Span::kLarge) {
    FreeLarge(*entry.span(), object);
    return;
  }
  FreeSmall(size_class, entry, object);
}

void Heap::FreeSmall(uint32_t size_class, PageMapEntry entry, void* object) {
  SlabObjectIndex(*entry.span(), object);
  PreemptionGuard guard;
  CpuMagazines& cpu = cpu_caches_[guard.cpu()].by_class[size_class];
  VOS_ASSERT_MSG(!cpu.IsLastFreed(object), "kernel heap: double free of %p (%u-byte object)",
                 object, kSizeClasses[size_class].size);
  if (!cpu.TryPush(object)) PushSlow(size_class, cpu, object);
  cpu.frees.Add(1);
}

// Both magazines are full: give the previous one to the depot (or, when the
// depot is full, its objects to the slabs) and load an empty magazine.
void Heap::PushSlow(uint32_t size_class, CpuMagazines& cpu, void* object) {
  ObjectCache& cache = caches_[size_class];
  Magazine* empty = nullptr;
  if (CpuMagazines::IsReal(cpu.previous) && !cache.depot.PutFull(cpu.previous)) {
    cache.slabs.FreeBatch(cpu.previous->rounds, cpu.previous->count);
    cpu.previous->count = 0;
    empty = cpu.previous;
  } else {
    empty = cache.depot.TakeEmpty();
    if (empty == nullptr) empty = NewMagazine(size_class);
  }
  cpu.previous = cpu.loaded;
  if (empty == nullptr) {
    // No memory for a magazine: straight to the slab, which needs none.
    cpu.loaded = &internal::empty_magazine;
    cache.slabs.FreeBatch(&object, 1);
    return;
  }
  cpu.loaded = empty;
  const bool pushed = cpu.TryPush(object);
  VOS_ASSERT(pushed);
}

void Heap::FreeLarge(Span& span, void* object) {
  const size_t pages = ObjectSize(span, object) / hal::kPageSize;
  page_map_.Unmap(span.base, 1);
  source_->FreePages(object, pages);
  spans_.Free(&span);
  large_frees_.fetch_add(1, std::memory_order_relaxed);
  large_pages_.fetch_sub(pages, std::memory_order_relaxed);
}

size_t Heap::UsableSize(const void* object) const {
  return ObjectSize(*CheckedEntry(object).span(), object);
}

// --- Magazines -------------------------------------------------------------

Magazine* Heap::NewMagazine(uint32_t size_class) {
  auto* magazine = static_cast<Magazine*>(magazines_.Allocate());
  if (magazine != nullptr) magazine->capacity = kSizeClasses[size_class].magazine_capacity;
  return magazine;
}

void Heap::DestroyMagazine(uint32_t size_class, Magazine* magazine) {
  if (!CpuMagazines::IsReal(magazine)) return;
  if (magazine->count > 0) caches_[size_class].slabs.FreeBatch(magazine->rounds, magazine->count);
  magazines_.Free(magazine);
}

void Heap::FlushCpuCaches() {
  PreemptionGuard guard;
  for (uint32_t i = 0; i < kSizeClassCount; ++i) {
    CpuMagazines& cpu = cpu_caches_[guard.cpu()].by_class[i];
    DestroyMagazine(i, cpu.loaded);
    DestroyMagazine(i, cpu.previous);
    cpu.loaded = &internal::empty_magazine;
    cpu.previous = &internal::empty_magazine;
  }
}

void Heap::DrainDepots() {
  for (uint32_t i = 0; i < kSizeClassCount; ++i) {
    Depot& depot = caches_[i].depot;
    while (Magazine* magazine = depot.TakeFull()) DestroyMagazine(i, magazine);
    while (Magazine* magazine = depot.TakeEmpty()) DestroyMagazine(i, magazine);
  }
}

// --- Statistics ------------------------------------------------------------

Heap::Stats Heap::stats() const {
  Stats stats{};
  const size_t cpus = cpu_caches_ != nullptr ? hal::CpuCount() : 0;
  size_t slab_pages = 0;
  for (uint32_t i = 0; i < kSizeClassCount; ++i) {
    CacheStats& cache = stats.caches[i];
    cache.object_size = kSizeClasses[i].size;
    for (size_t cpu = 0; cpu < cpus; ++cpu) {
      cache.allocations += cpu_caches_[cpu].by_class[i].allocations.Get();
      cache.frees += cpu_caches_[cpu].by_class[i].frees.Get();
    }
    cache.failures = caches_[i].failures.load(std::memory_order_relaxed);
    // Counters of different CPUs are read at different moments.
    cache.in_use = cache.allocations > cache.frees ? cache.allocations - cache.frees : 0;
    const SlabCache::Stats slabs = caches_[i].slabs.stats();
    cache.slabs = slabs.slabs;
    cache.in_magazines = slabs.objects_out > cache.in_use ? slabs.objects_out - cache.in_use : 0;
    slab_pages += slabs.slabs * kSizeClasses[i].slab_pages;
  }
  stats.large_allocations = large_allocations_.load(std::memory_order_relaxed);
  stats.large_frees = large_frees_.load(std::memory_order_relaxed);
  stats.large_failures = large_failures_.load(std::memory_order_relaxed);
  stats.large_pages = large_pages_.load(std::memory_order_relaxed);
  stats.metadata_pages =
      page_map_.node_pages() + spans_.pages() + magazines_.pages() + cpu_cache_pages_;
  stats.pages = slab_pages + stats.large_pages + stats.metadata_pages;
  return stats;
}

void Heap::PrintStats() const {
  const Stats s = stats();
  Printf("kernel heap: %zu pages (%zu metadata)\n", s.pages, s.metadata_pages);
  Printf("  %6s %10s %10s %8s %10s %8s %10s\n", "size", "allocs", "frees", "fails", "in use",
         "slabs", "magazined");
  for (const CacheStats& c : s.caches) {
    if (c.allocations == 0 && c.failures == 0 && c.slabs == 0) continue;
    Printf("  %6zu %10zu %10zu %8zu %10zu %8zu %10zu\n", c.object_size, c.allocations, c.frees,
           c.failures, c.in_use, c.slabs, c.in_magazines);
  }
  Printf("  large: %zu allocs, %zu frees, %zu fails, %zu pages in use\n", s.large_allocations,
         s.large_frees, s.large_failures, s.large_pages);
}

}  // namespace vos
