#include "src/sync/sync_object.h"

#include <new>
#include <utility>

#include "src/lib/assert.h"
#include "src/mm/heap.h"

namespace vos {
namespace {

// Runs when the last reference goes.
template <typename T>
void Free(KernelObject& object) {
  T* self = static_cast<T*>(&object);
  self->~T();
  KernelHeap().Free(self);
}

// A new T on the kernel heap, built by `construct(memory)`.
template <typename T, typename Construct>
Result<ObjectRef<T>> Make(Construct construct) {
  void* memory = KernelHeap().Allocate(sizeof(T), alignof(T));
  if (memory == nullptr) return Status::kNoMemory;
  return ObjectRef<T>::Adopt(construct(memory));
}

}  // namespace

MutexObject::MutexObject() : KernelObject(kType, &Free<MutexObject>) {}
RwLockObject::RwLockObject() : KernelObject(kType, &Free<RwLockObject>) {}
SemaphoreObject::SemaphoreObject(uint64_t initial)
    : KernelObject(kType, &Free<SemaphoreObject>), semaphore_(initial) {}
BarrierObject::BarrierObject(uint32_t parties)
    : KernelObject(kType, &Free<BarrierObject>), barrier_(parties) {}

Result<ObjectRef<MutexObject>> MutexObject::Create() {
  return Make<MutexObject>([](void* memory) { return new (memory) MutexObject(); });
}

Result<ObjectRef<RwLockObject>> RwLockObject::Create() {
  return Make<RwLockObject>([](void* memory) { return new (memory) RwLockObject(); });
}

Result<ObjectRef<SemaphoreObject>> SemaphoreObject::Create(uint64_t initial) {
  return Make<SemaphoreObject>(
      [initial](void* memory) { return new (memory) SemaphoreObject(initial); });
}

Result<ObjectRef<BarrierObject>> BarrierObject::Create(uint32_t parties) {
  VOS_ASSERT(parties > 0);
  return Make<BarrierObject>(
      [parties](void* memory) { return new (memory) BarrierObject(parties); });
}

}  // namespace vos
