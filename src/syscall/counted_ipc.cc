// ipc_call and ipc_send as dispatched: the endpoint handlers
// (ipc_syscalls.cc), counted in the kernel's IPC totals when they succeed,
// a call with its round trip in simulated (monotonic) time.
#include "src/hal/time.h"
#include "src/ipc/ipc_totals.h"
#include "src/syscall/handlers.h"

namespace vos::syscall {

int64_t CountedIpcCall(UserThread& self, Args args) {
  const hal::Nanoseconds start = hal::Now();
  const int64_t result = IpcCall(self, args);
  if (result == 0) {
    // A call that moved to another CPU may read a clock a little behind.
    const hal::Nanoseconds end = hal::Now();
    KernelIpcTotals().CountCall(end > start ? end - start : 0);
  }
  return result;
}

int64_t CountedIpcSend(UserThread& self, Args args) {
  const int64_t result = IpcSend(self, args);
  if (result == 0) KernelIpcTotals().CountSend();
  return result;
}

}  // namespace vos::syscall
