// Syscall dispatch: a table indexed by number (src/abi/syscall.h).
#include <array>

#include "src/abi/syscall.h"
#include "src/proc/process.h"
#include "src/syscall/handlers.h"

namespace vos {
namespace {

using abi::Syscall;

constexpr std::array<syscall::Handler, static_cast<size_t>(Syscall::kCount)> MakeTable() {
  std::array<syscall::Handler, static_cast<size_t>(Syscall::kCount)> table{};
  auto set = [&table](Syscall number, syscall::Handler handler) {
    table[static_cast<size_t>(number)] = handler;
  };
  set(Syscall::kExit, syscall::Exit);
  set(Syscall::kThreadExit, syscall::ThreadExit);
  set(Syscall::kSpawn, syscall::Spawn);
  set(Syscall::kThreadCreate, syscall::ThreadCreate);
  set(Syscall::kWait, syscall::Wait);
  set(Syscall::kKill, syscall::Kill);
  set(Syscall::kYield, syscall::Yield);
  set(Syscall::kSleep, syscall::Sleep);
  set(Syscall::kProcessInfo, syscall::ProcessInfo);
  set(Syscall::kThreadInfo, syscall::ThreadInfo);
  set(Syscall::kGetTime, syscall::GetTime);
  set(Syscall::kThreadJoin, syscall::ThreadJoin);
  set(Syscall::kDebugWrite, syscall::DebugWrite);
  set(Syscall::kCapInspect, syscall::CapInspect);
  set(Syscall::kCapDerive, syscall::CapDerive);
  set(Syscall::kCapDelete, syscall::CapDelete);
  set(Syscall::kCapRevoke, syscall::CapRevoke);
  set(Syscall::kEndpointCreate, syscall::EndpointCreate);
  set(Syscall::kIpcCall, syscall::CountedIpcCall);
  set(Syscall::kIpcSend, syscall::CountedIpcSend);
  set(Syscall::kIpcReceive, syscall::IpcReceive);
  set(Syscall::kIpcReplyWait, syscall::IpcReplyWait);
  set(Syscall::kMutexCreate, syscall::MutexCreate);
  set(Syscall::kMutexLock, syscall::MutexLock);
  set(Syscall::kMutexUnlock, syscall::MutexUnlock);
  set(Syscall::kRwLockCreate, syscall::RwLockCreate);
  set(Syscall::kRwLockLock, syscall::RwLockLock);
  set(Syscall::kRwLockUnlock, syscall::RwLockUnlock);
  set(Syscall::kSemaphoreCreate, syscall::SemaphoreCreate);
  set(Syscall::kSemaphoreDown, syscall::SemaphoreDown);
  set(Syscall::kSemaphoreUp, syscall::SemaphoreUp);
  set(Syscall::kBarrierCreate, syscall::BarrierCreate);
  set(Syscall::kBarrierWait, syscall::BarrierWait);
  set(Syscall::kChannelCreate, syscall::ChannelCreate);
  set(Syscall::kChannelSend, syscall::ChannelSend);
  set(Syscall::kChannelReceive, syscall::ChannelReceive);
  set(Syscall::kChannelClose, syscall::ChannelClose);
  set(Syscall::kChannelSetRateLimit, syscall::ChannelSetRateLimit);
  set(Syscall::kChannelStats, syscall::ChannelStats);
  set(Syscall::kShmCreate, syscall::ShmCreate);
  set(Syscall::kShmMap, syscall::ShmMap);
  set(Syscall::kShmUnmap, syscall::ShmUnmap);
  set(Syscall::kRegistryRegister, syscall::RegistryRegister);
  set(Syscall::kRegistryLookup, syscall::RegistryLookup);
  set(Syscall::kRegistryUnregister, syscall::RegistryUnregister);
  set(Syscall::kRegistryForceUnregister, syscall::RegistryForceUnregister);
  set(Syscall::kIpcCallRegs, syscall::CountedIpcCallRegs);
  set(Syscall::kIpcReplyWaitRegs, syscall::IpcReplyWaitRegs);
  return table;
}

constexpr auto kTable = MakeTable();
static_assert([] {
  for (syscall::Handler handler : kTable) {
    if (handler == nullptr) return false;
  }
  return true;
}(), "every syscall number has a handler");

}  // namespace

int64_t DispatchSyscall(UserThread& thread, const hal::SyscallArgs& args) {
  if (args.number >= kTable.size()) return syscall::Error(Status::kNotSupported);
  return kTable[args.number](thread, args.args);
}

}  // namespace vos
