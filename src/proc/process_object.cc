#include "src/proc/process_object.h"

#include <new>

#include "src/mm/heap.h"

namespace vos {
namespace {

template <typename T>
void* AllocateObject() {
  return KernelHeap().Allocate(sizeof(T), alignof(T));
}

template <typename T>
void FreeObject(KernelObject& object) {
  T* self = static_cast<T*>(&object);
  self->~T();
  KernelHeap().Free(self);
}

}  // namespace

Result<ObjectRef<ProcessObject>> ProcessObject::Create(ProcessId id) {
  void* memory = AllocateObject<ProcessObject>();
  if (memory == nullptr) return Status::kNoMemory;
  return ObjectRef<ProcessObject>::Adopt(new (memory) ProcessObject(id));
}

void ProcessObject::Destroy(KernelObject& object) { FreeObject<ProcessObject>(object); }

Result<ObjectRef<ThreadObject>> ThreadObject::Create(ProcessId process, ThreadId id) {
  void* memory = AllocateObject<ThreadObject>();
  if (memory == nullptr) return Status::kNoMemory;
  return ObjectRef<ThreadObject>::Adopt(new (memory) ThreadObject(process, id));
}

void ThreadObject::Destroy(KernelObject& object) { FreeObject<ThreadObject>(object); }

}  // namespace vos
