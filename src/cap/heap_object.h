// Kernel objects on the kernel heap: how every object type's Create
// allocates one and its release hook frees it, once.
#ifndef VERIDIAN_SRC_CAP_HEAP_OBJECT_H_
#define VERIDIAN_SRC_CAP_HEAP_OBJECT_H_

#include <new>

#include "src/cap/object.h"
#include "src/lib/status.h"
#include "src/mm/heap.h"

namespace vos {

// A new T on the kernel heap, built by `construct(memory)` (a lambda in the
// type's own Create, so private constructors stay private); kNoMemory when
// the heap is full.
template <typename T, typename Construct>
Result<ObjectRef<T>> NewHeapObject(Construct construct) {
  void* memory = KernelHeap().Allocate(sizeof(T), alignof(T));
  if (memory == nullptr) return Status::kNoMemory;
  return ObjectRef<T>::Adopt(construct(memory));
}

// The release hook of a T that NewHeapObject made: runs when the last
// reference goes.
template <typename T>
void DeleteHeapObject(KernelObject& object) {
  T* self = static_cast<T*>(&object);
  self->~T();
  KernelHeap().Free(self);
}

}  // namespace vos

#endif  // VERIDIAN_SRC_CAP_HEAP_OBJECT_H_
