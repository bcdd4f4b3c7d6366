// ipc_call, ipc_call_regs and ipc_send as dispatched: the endpoint handlers
// (ipc_syscalls.cc), counted in the kernel's IPC totals when they succeed,
// a call with its round trip in simulated (monotonic) time.
#include "src/hal/time.h"
#include "src/ipc/ipc_totals.h"
#include "src/syscall/handlers.h"

namespace vos::syscall {
namespace {

// A call handler, whose result is >= 0 when the call was answered.
template <Handler kCall>
int64_t TimedCall(UserThread& self, Args args) {
  const hal::Nanoseconds start = hal::Now();
  const int64_t result = kCall(self, args);
  if (result >= 0) {
    // A call that moved to another CPU may read a clock a little behind.
    const hal::Nanoseconds end = hal::Now();
    KernelIpcTotals().CountCall(end > start ? end - start : 0);
  }
  return result;
}

}  // namespace

int64_t CountedIpcCall(UserThread& self, Args args) { return TimedCall<IpcCall>(self, args); }

int64_t CountedIpcCallRegs(UserThread& self, Args args) {
  return TimedCall<IpcCallRegs>(self, args);
}

int64_t CountedIpcSend(UserThread& self, Args args) {
  const int64_t result = IpcSend(self, args);
  if (result == 0) KernelIpcTotals().CountSend();
  return result;
}

}  // namespace vos::syscall
