#include "src/mm/slab_cache.h"

namespace vos {
namespace {

bool TestAndFlip(uint64_t* bits, uint32_t index, bool expected) {
  const uint64_t mask = uint64_t{1} << (index % 64);
  uint64_t& word = bits[index / 64];
  if (((word & mask) != 0) != expected) return false;
  word ^= mask;
  return true;
}

}  // namespace

void SlabCache::Init(uint32_t size_class, PageSource& source, PageMap& map,
                     MetadataPool& spans) {
  size_class_ = size_class;
  source_ = &source;
  map_ = &map;
  spans_ = &spans;
}

Span* SlabCache::NewSlabLocked() {
  const SizeClass& cls = size_class();
  auto* slab = static_cast<Span*>(spans_->Allocate());
  if (slab == nullptr) return nullptr;
  Result<void*> pages = source_->AllocPages(cls.slab_pages);
  if (!pages.ok()) {
    spans_->Free(slab);
    return nullptr;
  }
  *slab = Span{};
  slab->base = reinterpret_cast<uintptr_t>(*pages);
  slab->pages = cls.slab_pages;
  slab->size_class = static_cast<uint8_t>(size_class_);
  slab->object_size = cls.size;
  slab->object_bytes = cls.objects_per_slab * cls.size;
  slab->reciprocal = cls.reciprocal;
  slab->divisibility = cls.divisibility;
  if (map_->Map(slab->base, slab->pages, slab) != Status::kOk) {
    source_->FreePages(*pages, cls.slab_pages);
    spans_->Free(slab);
    return nullptr;
  }
  // Thread the free list in address order, so a fresh slab hands out
  // ascending addresses.
  for (uint32_t i = cls.objects_per_slab; i > 0; --i) {
    void* object = reinterpret_cast<void*>(slab->base + uintptr_t{i - 1} * cls.size);
    *static_cast<void**>(object) = slab->free_list;
    slab->free_list = object;
  }
  partial_.PushFront(slab);
  ++slabs_;
  return slab;
}

void SlabCache::ReleaseSlabLocked(Span* slab) {
  partial_.Remove(slab);
  --slabs_;
  map_->Unmap(slab->base, slab->pages);
  source_->FreePages(reinterpret_cast<void*>(slab->base), slab->pages);
  spans_->Free(slab);
}

size_t SlabCache::AllocateBatch(void** objects, size_t count) {
  SpinLockGuard guard(lock_);
  size_t taken = 0;
  while (taken < count) {
    Span* slab = partial_.front();
    if (slab == nullptr) slab = NewSlabLocked();
    if (slab == nullptr) break;
    while (taken < count && slab->free_list != nullptr) {
      void* object = slab->free_list;
      slab->free_list = *static_cast<void**>(object);
      const bool was_free = TestAndFlip(slab->allocated, SlabObjectIndex(*slab, object), false);
      VOS_ASSERT_MSG(was_free, "kernel heap: free list of slab %p is corrupt at %p",
                     reinterpret_cast<void*>(slab->base), object);
      ++slab->in_use;
      objects[taken++] = object;
    }
    if (slab->free_list == nullptr) partial_.Remove(slab);
  }
  objects_out_ += taken;
  return taken;
}

void SlabCache::FreeOneLocked(void* object) {
  Span* slab = map_->Lookup(object).span();
  VOS_ASSERT_MSG(slab != nullptr && slab->size_class == size_class_,
                 "kernel heap: %p freed to the %u-byte cache is not one of its objects", object,
                 size_class().size);
  const bool was_allocated = TestAndFlip(slab->allocated, SlabObjectIndex(*slab, object), true);
  VOS_ASSERT_MSG(was_allocated, "kernel heap: double free of %p (%u-byte object)", object,
                 size_class().size);
  if (slab->free_list == nullptr) partial_.PushFront(slab);
  *static_cast<void**>(object) = slab->free_list;
  slab->free_list = object;
  if (--slab->in_use == 0) ReleaseSlabLocked(slab);
}

void SlabCache::FreeBatch(void* const* objects, size_t count) {
  SpinLockGuard guard(lock_);
  for (size_t i = 0; i < count; ++i) FreeOneLocked(objects[i]);
  objects_out_ -= count;
}

SlabCache::Stats SlabCache::stats() const {
  SpinLockGuard guard(lock_);
  return Stats{.slabs = slabs_, .objects_out = objects_out_};
}

}  // namespace vos
