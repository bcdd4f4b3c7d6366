#include "src/proc/process_object.h"

#include <new>

#include "src/cap/heap_object.h"

namespace vos {

Result<ObjectRef<ProcessObject>> ProcessObject::Create(ProcessId id) {
  return NewHeapObject<ProcessObject>(
      [id](void* memory) { return new (memory) ProcessObject(id); });
}

void ProcessObject::Destroy(KernelObject& object) { DeleteHeapObject<ProcessObject>(object); }

Result<ObjectRef<ThreadObject>> ThreadObject::Create(ProcessId process, ThreadId id) {
  return NewHeapObject<ThreadObject>(
      [process, id](void* memory) { return new (memory) ThreadObject(process, id); });
}

void ThreadObject::Destroy(KernelObject& object) { DeleteHeapObject<ThreadObject>(object); }

}  // namespace vos
