#include "src/sync/sync_object.h"

#include <new>
#include <utility>

#include "src/cap/heap_object.h"
#include "src/lib/assert.h"

namespace vos {
MutexObject::MutexObject() : KernelObject(kType, &DeleteHeapObject<MutexObject>) {}
RwLockObject::RwLockObject() : KernelObject(kType, &DeleteHeapObject<RwLockObject>) {}
SemaphoreObject::SemaphoreObject(uint64_t initial)
    : KernelObject(kType, &DeleteHeapObject<SemaphoreObject>), semaphore_(initial) {}
BarrierObject::BarrierObject(uint32_t parties)
    : KernelObject(kType, &DeleteHeapObject<BarrierObject>), barrier_(parties) {}

Result<ObjectRef<MutexObject>> MutexObject::Create() {
  return NewHeapObject<MutexObject>([](void* memory) { return new (memory) MutexObject(); });
}

Result<ObjectRef<RwLockObject>> RwLockObject::Create() {
  return NewHeapObject<RwLockObject>([](void* memory) { return new (memory) RwLockObject(); });
}

Result<ObjectRef<SemaphoreObject>> SemaphoreObject::Create(uint64_t initial) {
  return NewHeapObject<SemaphoreObject>(
      [initial](void* memory) { return new (memory) SemaphoreObject(initial); });
}

Result<ObjectRef<BarrierObject>> BarrierObject::Create(uint32_t parties) {
  VOS_ASSERT(parties > 0);
  return NewHeapObject<BarrierObject>(
      [parties](void* memory) { return new (memory) BarrierObject(parties); });
}

}  // namespace vos
