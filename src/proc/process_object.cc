#include "src/proc/process_object.h"

#include <new>

namespace vos {

Result<ObjectRef<ProcessObject>> ProcessObject::Create(ProcessId id) {
  return NewHeapObject<ProcessObject>(
      [id](void* memory) { return new (memory) ProcessObject(id); });
}

Result<ObjectRef<ThreadObject>> ThreadObject::Create(ProcessId process, ThreadId id) {
  return NewHeapObject<ThreadObject>(
      [process, id](void* memory) { return new (memory) ThreadObject(process, id); });
}

}  // namespace vos
