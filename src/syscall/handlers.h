// The syscall handlers, one per abi::Syscall; dispatch.cc indexes them.
// Each gets the calling thread and the six argument registers and returns
// the result register's value (>= 0, or a negative vos::Status).
#ifndef VERIDIAN_SRC_SYSCALL_HANDLERS_H_
#define VERIDIAN_SRC_SYSCALL_HANDLERS_H_

#include <cstdint>

#include "src/lib/status.h"
#include "src/proc/process.h"

namespace vos::syscall {

using Args = const uint64_t (&)[6];
using Handler = int64_t (*)(UserThread& self, Args args);

inline int64_t Error(Status status) { return static_cast<int64_t>(status); }

// process_syscalls.cc
int64_t Exit(UserThread& self, Args args);
int64_t ThreadExit(UserThread& self, Args args);
int64_t Spawn(UserThread& self, Args args);
int64_t ThreadCreate(UserThread& self, Args args);
int64_t Wait(UserThread& self, Args args);
int64_t Kill(UserThread& self, Args args);
int64_t ProcessInfo(UserThread& self, Args args);
// thread_syscalls.cc
int64_t Yield(UserThread& self, Args args);
int64_t Sleep(UserThread& self, Args args);
int64_t ThreadInfo(UserThread& self, Args args);
int64_t ThreadJoin(UserThread& self, Args args);
// misc_syscalls.cc
int64_t GetTime(UserThread& self, Args args);
int64_t DebugWrite(UserThread& self, Args args);
// cap_syscalls.cc
int64_t CapInspect(UserThread& self, Args args);
int64_t CapDerive(UserThread& self, Args args);
int64_t CapDelete(UserThread& self, Args args);
int64_t CapRevoke(UserThread& self, Args args);
// ipc_syscalls.cc
int64_t EndpointCreate(UserThread& self, Args args);
int64_t IpcCall(UserThread& self, Args args);
int64_t IpcSend(UserThread& self, Args args);
int64_t IpcReceive(UserThread& self, Args args);
int64_t IpcReplyWait(UserThread& self, Args args);
// sync_syscalls.cc
int64_t MutexCreate(UserThread& self, Args args);
int64_t MutexLock(UserThread& self, Args args);
int64_t MutexUnlock(UserThread& self, Args args);
int64_t RwLockCreate(UserThread& self, Args args);
int64_t RwLockLock(UserThread& self, Args args);
int64_t RwLockUnlock(UserThread& self, Args args);
int64_t SemaphoreCreate(UserThread& self, Args args);
int64_t SemaphoreDown(UserThread& self, Args args);
int64_t SemaphoreUp(UserThread& self, Args args);
int64_t BarrierCreate(UserThread& self, Args args);
int64_t BarrierWait(UserThread& self, Args args);
// channel_syscalls.cc
int64_t ChannelCreate(UserThread& self, Args args);
int64_t ChannelSend(UserThread& self, Args args);
int64_t ChannelReceive(UserThread& self, Args args);
int64_t ChannelClose(UserThread& self, Args args);
int64_t ChannelSetRateLimit(UserThread& self, Args args);
int64_t ChannelStats(UserThread& self, Args args);
// shm_syscalls.cc
int64_t ShmCreate(UserThread& self, Args args);
int64_t ShmMap(UserThread& self, Args args);
int64_t ShmUnmap(UserThread& self, Args args);
// registry_syscalls.cc
int64_t RegistryRegister(UserThread& self, Args args);
int64_t RegistryLookup(UserThread& self, Args args);
int64_t RegistryUnregister(UserThread& self, Args args);
int64_t RegistryForceUnregister(UserThread& self, Args args);
// counted_ipc.cc: IpcCall, IpcCallRegs and IpcSend, counted in the
// kernel's IPC totals.
int64_t CountedIpcCall(UserThread& self, Args args);
int64_t CountedIpcCallRegs(UserThread& self, Args args);
int64_t CountedIpcSend(UserThread& self, Args args);
// ipc_fast_syscalls.cc: register IPC.
int64_t IpcCallRegs(UserThread& self, Args args);
int64_t IpcReplyWaitRegs(UserThread& self, Args args);

}  // namespace vos::syscall

#endif  // VERIDIAN_SRC_SYSCALL_HANDLERS_H_
