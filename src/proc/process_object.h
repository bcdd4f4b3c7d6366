// The kernel objects that capabilities name processes and threads by. Each
// is a small heap object holding an id, not a pointer: ids carry their
// slot's generation, so a capability to a process or thread that has been
// reaped keeps naming it (lookups answer kNotFound) and never the slot's
// next occupant.
#ifndef VERIDIAN_SRC_PROC_PROCESS_OBJECT_H_
#define VERIDIAN_SRC_PROC_PROCESS_OBJECT_H_

#include "src/cap/heap_object.h"
#include "src/cap/object.h"
#include "src/cap/rights.h"
#include "src/lib/status.h"
#include "src/proc/process_id.h"
#include "src/sched/thread.h"

namespace vos {

class ProcessObject final : public KernelObject {
 public:
  static constexpr ObjectType kType = ObjectType::kProcess;
  // What the parent's capability to a new child carries.
  static constexpr Rights kChildRights = Rights::kRead | Rights::kWrite | Rights::kGrant |
                                         Rights::kDerive | rights::kProcessKill |
                                         rights::kProcessCreateThread;

  // kNoMemory when the kernel heap is exhausted.
  static Result<ObjectRef<ProcessObject>> Create(ProcessId id);

  ProcessId id() const { return id_; }

 private:
  explicit ProcessObject(ProcessId id)
      : KernelObject(kType, &DeleteHeapObject<ProcessObject>), id_(id) {}

  const ProcessId id_;
};

class ThreadObject final : public KernelObject {
 public:
  static constexpr ObjectType kType = ObjectType::kThread;
  // What the creator's capability to a new thread carries.
  static constexpr Rights kCreatorRights =
      Rights::kRead | Rights::kWrite | Rights::kGrant | Rights::kDerive;

  static Result<ObjectRef<ThreadObject>> Create(ProcessId process, ThreadId id);

  ProcessId process() const { return process_; }
  ThreadId id() const { return id_; }

 private:
  ThreadObject(ProcessId process, ThreadId id)
      : KernelObject(kType, &DeleteHeapObject<ThreadObject>), process_(process), id_(id) {}

  const ProcessId process_;
  const ThreadId id_;
};

}  // namespace vos

#endif  // VERIDIAN_SRC_PROC_PROCESS_OBJECT_H_
