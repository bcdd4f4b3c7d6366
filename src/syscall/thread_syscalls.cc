// Thread syscalls: yield, sleep, thread_info, thread_join.
#include "src/hal/time.h"
#include "src/proc/process_manager.h"
#include "src/proc/process_object.h"
#include "src/proc/user_access.h"
#include "src/sched/scheduler.h"
#include "src/syscall/handlers.h"
#include "src/syscall/tokens.h"

namespace vos::syscall {

int64_t Yield(UserThread&, Args) {
  Scheduler::Yield();
  return 0;
}

int64_t Sleep(UserThread& self, Args args) {
  const hal::Nanoseconds now = hal::Now();
  // Saturates: a huge duration sleeps until the process ends.
  const hal::Nanoseconds deadline = args[0] > ~now ? ~hal::Nanoseconds{0} : now + args[0];
  ProcessManager::Sleep(self, deadline);
  return 0;
}

int64_t ThreadInfo(UserThread& self, Args args) {
  ProcessId process = self.process().id();
  ThreadId id = self.id();
  if (args[0] != 0) {
    Result<ObjectRef<ThreadObject>> thread =
        AcquireArgument<ThreadObject>(self, args[0], Rights::kRead);
    if (!thread.ok()) return Error(thread.status());
    process = (*thread)->process();
    id = (*thread)->id();
  }
  abi::ThreadInfo info;
  const Status status = ProcessManager::QueryThread(process, id, &info);
  if (!IsOk(status)) return Error(status);
  ScopedUserAccess access(self);
  if (!access.CopyOut(args[1], &info, sizeof(info))) return Error(Status::kInvalidArgument);
  return 0;
}

int64_t ThreadJoin(UserThread& self, Args args) {
  Result<ObjectRef<ThreadObject>> thread =
      AcquireArgument<ThreadObject>(self, args[0], Rights::kRead);
  if (!thread.ok()) return Error(thread.status());
  if ((*thread)->process() != self.process().id()) return Error(Status::kInvalidArgument);
  return Error(ProcessManager::JoinThread(self, (*thread)->id()));
}

}  // namespace vos::syscall
