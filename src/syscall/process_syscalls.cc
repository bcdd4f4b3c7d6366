// Process syscalls: exit, thread_exit, spawn, thread_create, wait, kill,
// process_info.
#include <span>

#include "src/abi/syscall.h"
#include "src/proc/process_manager.h"
#include "src/proc/process_object.h"
#include "src/proc/user_access.h"
#include "src/syscall/handlers.h"
#include "src/syscall/tokens.h"

namespace vos::syscall {
namespace {

// The process a token argument names (0: the caller) if the capability has
// `rights`.
Result<ProcessId> ProcessArgument(UserThread& self, uint64_t value, Rights rights) {
  if (value == 0) return self.process().id();
  Result<ObjectRef<ProcessObject>> process = AcquireArgument<ProcessObject>(self, value, rights);
  if (!process.ok()) return process.status();
  return (*process)->id();
}

}  // namespace

int64_t Exit(UserThread& self, Args args) {
  ProcessManager::Exit(&self.process(), abi::ExitStatus{static_cast<int64_t>(args[0]),
                                                        abi::ExitReason::kExited, 0});
  return 0;  // Never seen: the thread leaves before returning to user mode.
}

int64_t ThreadExit(UserThread& self, Args args) {
  self.RequestExit(static_cast<int64_t>(args[0]));
  return 0;
}

int64_t Spawn(UserThread& self, Args args) {
  const uint64_t name_size = args[1];
  const uint64_t args_size = args[3];
  const uint64_t grant_count = args[5];
  if (name_size == 0 || name_size > abi::kMaxNameSize || args_size > abi::kMaxArgsSize ||
      grant_count > abi::kMaxSpawnGrants) {
    return Error(Status::kInvalidArgument);
  }
  char name[abi::kMaxNameSize];
  char bytes[abi::kMaxArgsSize];
  uint64_t user_grants[abi::kMaxSpawnGrants];
  {
    ScopedUserAccess access(self);
    if (!access.CopyIn(name, args[0], name_size) ||
        (args_size > 0 && !access.CopyIn(bytes, args[2], args_size)) ||
        (grant_count > 0 &&
         !access.CopyIn(user_grants, args[4], grant_count * sizeof(uint64_t)))) {
      return Error(Status::kInvalidArgument);
    }
  }
  Token grants[abi::kMaxSpawnGrants];
  for (uint64_t i = 0; i < grant_count; ++i) grants[i] = TokenArgument(user_grants[i]);
  Token token = kInvalidToken;
  Result<ProcessId> child =
      ProcessManager::Spawn(&self.process(), name, name_size, bytes, args_size, &token,
                            std::span<const Token>(grants, grant_count));
  if (!child.ok()) return Error(child.status());
  return TokenResult(token);
}

int64_t ThreadCreate(UserThread& self, Args args) {
  Token token = kInvalidToken;
  Result<ThreadId> thread =
      ProcessManager::CreateThread(&self.process(), args[0], args[1], 0, &token);
  if (!thread.ok()) return Error(thread.status());
  return TokenResult(token);
}

int64_t Wait(UserThread& self, Args args) {
  if ((args[2] & ~abi::kWaitNoHang) != 0) return Error(Status::kInvalidArgument);
  ProcessId child;  // Invalid: any child.
  if (args[0] != abi::kAnyChild) {
    Result<ObjectRef<ProcessObject>> process =
        AcquireArgument<ProcessObject>(self, args[0], Rights::kRead);
    if (!process.ok()) return Error(process.status());
    child = (*process)->id();
  }
  abi::ExitStatus status{};
  Result<ProcessId> reaped =
      ProcessManager::Wait(&self.process(), child, &status, (args[2] & abi::kWaitNoHang) != 0);
  if (!reaped.ok()) return Error(reaped.status());
  if (reaped->valid() && args[1] != 0) {
    // The child is gone already: a bad status pointer loses only the status.
    ScopedUserAccess access(self);
    if (!access.CopyOut(args[1], &status, sizeof(status))) return Error(Status::kInvalidArgument);
  }
  return static_cast<int64_t>(reaped->value);
}

int64_t Kill(UserThread& self, Args args) {
  // Holding the right is the permission; a process may always end itself.
  Result<ProcessId> target = ProcessArgument(self, args[0], rights::kProcessKill);
  if (!target.ok()) return Error(target.status());
  return Error(ProcessManager::Kill(*target, static_cast<int64_t>(args[1])));
}

int64_t ProcessInfo(UserThread& self, Args args) {
  Result<ProcessId> id = ProcessArgument(self, args[0], Rights::kRead);
  if (!id.ok()) return Error(id.status());
  abi::ProcessInfo info;
  const Status status = ProcessManager::QueryProcess(*id, &info);
  if (!IsOk(status)) return Error(status);
  ScopedUserAccess access(self);
  if (!access.CopyOut(args[1], &info, sizeof(info))) return Error(Status::kInvalidArgument);
  return 0;
}

}  // namespace vos::syscall
