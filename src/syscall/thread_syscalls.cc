// Thread syscalls: yield, sleep, thread_info, thread_join.
#include "src/hal/time.h"
#include "src/proc/process_manager.h"
#include "src/proc/user_access.h"
#include "src/sched/scheduler.h"
#include "src/syscall/handlers.h"

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
  const ThreadId id = args[0] == 0 ? self.id() : ThreadId{args[0]};
  abi::ThreadInfo info;
  const Status status = ProcessManager::QueryThread(&self.process(), id, &info);
  if (!IsOk(status)) return Error(status);
  ScopedUserAccess access(self.process().space());
  if (!access.CopyOut(args[1], &info, sizeof(info))) return Error(Status::kInvalidArgument);
  return 0;
}

int64_t ThreadJoin(UserThread& self, Args args) {
  return Error(ProcessManager::JoinThread(self, ThreadId{args[0]}));
}

}  // namespace vos::syscall
