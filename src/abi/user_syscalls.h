// Typed wrappers of the syscall ABI for user programs, and the entry-point
// templates that end a program or thread when its function returns.
#ifndef VERIDIAN_SRC_ABI_USER_SYSCALLS_H_
#define VERIDIAN_SRC_ABI_USER_SYSCALLS_H_

#include <cstddef>
#include <cstdint>

#include "src/abi/syscall.h"
#include "src/abi/user_runtime.h"

namespace vos::user {

// A program's arguments: bytes in its own memory (read them with Load).
struct Args {
  uint64_t address;
  uint64_t size;
};

[[noreturn]] inline void Exit(int64_t code) {
  Syscall(abi::Syscall::kExit, static_cast<uint64_t>(code));
  __builtin_unreachable();
}
[[noreturn]] inline void ThreadExit(int64_t code) {
  Syscall(abi::Syscall::kThreadExit, static_cast<uint64_t>(code));
  __builtin_unreachable();
}
// `grants`: the address of `grant_count` tokens the child gets copies of.
inline int64_t Spawn(uint64_t name, uint64_t name_size, uint64_t args, uint64_t args_size,
                     uint64_t grants = 0, uint64_t grant_count = 0) {
  return Syscall(abi::Syscall::kSpawn, name, name_size, args, args_size, grants, grant_count);
}
inline int64_t ThreadCreate(Entry entry, uint64_t arg) {
  return Syscall(abi::Syscall::kThreadCreate, CodeAddress(entry), arg);
}
inline int64_t Wait(uint64_t token, uint64_t status_address, uint64_t flags = 0) {
  return Syscall(abi::Syscall::kWait, token, status_address, flags);
}
inline int64_t Kill(uint64_t token, int64_t code) {
  return Syscall(abi::Syscall::kKill, token, static_cast<uint64_t>(code));
}
inline int64_t Yield() { return Syscall(abi::Syscall::kYield); }
inline int64_t Sleep(uint64_t nanoseconds) { return Syscall(abi::Syscall::kSleep, nanoseconds); }
inline int64_t ProcessInfo(uint64_t token, uint64_t out) {
  return Syscall(abi::Syscall::kProcessInfo, token, out);
}
inline int64_t ThreadInfo(uint64_t token, uint64_t out) {
  return Syscall(abi::Syscall::kThreadInfo, token, out);
}
inline int64_t GetTime() { return Syscall(abi::Syscall::kGetTime); }
inline int64_t ThreadJoin(uint64_t token) { return Syscall(abi::Syscall::kThreadJoin, token); }
inline int64_t DebugWrite(uint64_t text, uint64_t size) {
  return Syscall(abi::Syscall::kDebugWrite, text, size);
}
inline int64_t CapInspect(uint64_t token, uint64_t out) {
  return Syscall(abi::Syscall::kCapInspect, token, out);
}
inline int64_t CapDerive(uint64_t token, uint64_t rights) {
  return Syscall(abi::Syscall::kCapDerive, token, rights);
}
inline int64_t CapDelete(uint64_t token) { return Syscall(abi::Syscall::kCapDelete, token); }
inline int64_t CapRevoke(uint64_t token) { return Syscall(abi::Syscall::kCapRevoke, token); }
inline int64_t EndpointCreate() { return Syscall(abi::Syscall::kEndpointCreate); }
// Messages are abi::IpcMessage addresses; deadlines monotonic ns, 0 = none.
inline int64_t IpcCall(uint64_t token, uint64_t request, uint64_t reply, uint64_t deadline = 0) {
  return Syscall(abi::Syscall::kIpcCall, token, request, reply, deadline);
}
inline int64_t IpcSend(uint64_t token, uint64_t message, uint64_t deadline = 0) {
  return Syscall(abi::Syscall::kIpcSend, token, message, deadline);
}
inline int64_t IpcReceive(uint64_t token, uint64_t out, uint64_t deadline = 0) {
  return Syscall(abi::Syscall::kIpcReceive, token, out, deadline);
}
inline int64_t IpcReplyWait(uint64_t token, uint64_t reply, uint64_t out, uint64_t deadline = 0) {
  return Syscall(abi::Syscall::kIpcReplyWait, token, reply, out, deadline);
}
// Register IPC (ipc_call_regs, ipc_reply_wait_regs): the message is the
// first `length` bytes of the message registers (WriteMessageRegisters)
// and the answer arrives there (ReadMessageRegisters).
struct RegisterIpcResult {
  int64_t length;         // The received message's; < 0: a vos::Status.
  uint64_t sender;        // Its sender's pid.
  uint64_t reply_handle;  // What answers it (0: nothing to answer).
};
inline RegisterIpcResult IpcCallRegs(uint64_t token, uint64_t length, uint64_t deadline = 0) {
  const int64_t result = Syscall(abi::Syscall::kIpcCallRegs, token, length, deadline);
  const ExtraResults extra = LastExtraResults();
  return {result, extra.second, extra.third};
}
// reply_handle 0: only waits for a message.
inline RegisterIpcResult IpcReplyWaitRegs(uint64_t token, uint64_t reply_handle,
                                          uint64_t length, uint64_t deadline = 0) {
  const int64_t result =
      Syscall(abi::Syscall::kIpcReplyWaitRegs, token, reply_handle, length, deadline);
  const ExtraResults extra = LastExtraResults();
  return {result, extra.second, extra.third};
}
// Synchronisation objects; deadlines monotonic ns, 0 = none.
inline int64_t MutexCreate() { return Syscall(abi::Syscall::kMutexCreate); }
inline int64_t MutexLock(uint64_t token, uint64_t deadline = 0) {
  return Syscall(abi::Syscall::kMutexLock, token, deadline);
}
inline int64_t MutexUnlock(uint64_t token) { return Syscall(abi::Syscall::kMutexUnlock, token); }
inline int64_t RwLockCreate() { return Syscall(abi::Syscall::kRwLockCreate); }
inline int64_t RwLockLock(uint64_t token, uint64_t mode, uint64_t deadline = 0) {
  return Syscall(abi::Syscall::kRwLockLock, token, mode, deadline);
}
inline int64_t RwLockUnlock(uint64_t token) {
  return Syscall(abi::Syscall::kRwLockUnlock, token);
}
inline int64_t SemaphoreCreate(uint64_t initial) {
  return Syscall(abi::Syscall::kSemaphoreCreate, initial);
}
inline int64_t SemaphoreDown(uint64_t token, uint64_t deadline = 0) {
  return Syscall(abi::Syscall::kSemaphoreDown, token, deadline);
}
inline int64_t SemaphoreUp(uint64_t token, uint64_t units = 1) {
  return Syscall(abi::Syscall::kSemaphoreUp, token, units);
}
inline int64_t BarrierCreate(uint64_t parties) {
  return Syscall(abi::Syscall::kBarrierCreate, parties);
}
inline int64_t BarrierWait(uint64_t token) { return Syscall(abi::Syscall::kBarrierWait, token); }
// Asynchronous channels; deadlines monotonic ns, 0 = none.
inline int64_t ChannelCreate() { return Syscall(abi::Syscall::kChannelCreate); }
inline int64_t ChannelSend(uint64_t token, uint64_t buffer, uint64_t length,
                           uint64_t deadline = 0) {
  return Syscall(abi::Syscall::kChannelSend, token, buffer, length, deadline);
}
// `sender`: where the kernel writes the sender's pid (0: nowhere).
inline int64_t ChannelReceive(uint64_t token, uint64_t buffer, uint64_t capacity,
                              uint64_t deadline = 0, uint64_t sender = 0) {
  return Syscall(abi::Syscall::kChannelReceive, token, buffer, capacity, deadline, sender);
}
inline int64_t ChannelClose(uint64_t token) { return Syscall(abi::Syscall::kChannelClose, token); }
// per_second 0 lifts the limit.
inline int64_t ChannelSetRateLimit(uint64_t token, uint64_t per_second, uint64_t burst) {
  return Syscall(abi::Syscall::kChannelSetRateLimit, token, per_second, burst);
}
inline int64_t ChannelStats(uint64_t token, uint64_t out) {
  return Syscall(abi::Syscall::kChannelStats, token, out);
}
// Shared memory. cpu_hint: 0 for the calling CPU's node, or abi::ShmOnCpu(cpu).
inline int64_t ShmCreate(uint64_t pages, uint64_t cpu_hint = 0) {
  return Syscall(abi::Syscall::kShmCreate, pages, cpu_hint);
}
inline int64_t ShmMap(uint64_t token, uint64_t address, bool writable) {
  return Syscall(abi::Syscall::kShmMap, token, address, writable ? 1 : 0);
}
inline int64_t ShmUnmap(uint64_t address) { return Syscall(abi::Syscall::kShmUnmap, address); }
// The service registry; names are `length` bytes at `name`.
inline int64_t RegistryRegister(uint64_t token, uint64_t name, uint64_t length,
                                uint64_t rights) {
  return Syscall(abi::Syscall::kRegistryRegister, token, name, length, rights);
}
inline int64_t RegistryLookup(uint64_t name, uint64_t length, uint64_t rights) {
  return Syscall(abi::Syscall::kRegistryLookup, name, length, rights);
}
inline int64_t RegistryUnregister(uint64_t name, uint64_t length) {
  return Syscall(abi::Syscall::kRegistryUnregister, name, length);
}
inline int64_t RegistryForceUnregister(uint64_t registry, uint64_t name, uint64_t length) {
  return Syscall(abi::Syscall::kRegistryForceUnregister, registry, name, length);
}

// Entry of a program whose main returns its exit code.
template <int64_t (*Main)(Args)>
void ProgramEntry(uint64_t args, uint64_t args_size) {
  Exit(Main(Args{args, args_size}));
}

// Entry of a thread whose function returns its exit code.
template <int64_t (*Function)(uint64_t)>
void ThreadEntry(uint64_t arg, uint64_t) {
  ThreadExit(Function(arg));
}

}  // namespace vos::user

#endif  // VERIDIAN_SRC_ABI_USER_SYSCALLS_H_
