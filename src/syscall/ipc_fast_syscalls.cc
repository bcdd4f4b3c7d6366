// Register IPC syscalls: ipc_call_regs and ipc_reply_wait_regs. A small
// message goes from the sender's saved message registers
// (hal::UserContext::message) through the endpoint's inline Message, on the
// kernel stacks, into the receiver's: no user memory is read or written, so
// nothing is translated through the MMU on either side.
#include <algorithm>
#include <cstdint>

#include "src/abi/syscall.h"
#include "src/hal/user.h"
#include "src/ipc/endpoint.h"
#include "src/syscall/handlers.h"
#include "src/syscall/receive_endpoint.h"
#include "src/syscall/tokens.h"

namespace vos::syscall {
namespace {

static_assert(hal::kMessageRegisters == abi::kMessageRegisters &&
              sizeof(hal::UserContext::message) == abi::kMaxRegisterIpc &&
              abi::kMaxRegisterIpc == Message::kMaxPayload);

uint8_t* RegisterBytes(UserThread& self) {
  return reinterpret_cast<uint8_t*>(self.context().message);
}

// The first `length` bytes of the caller's message registers, as a message
// from its process; kInvalidArgument beyond what they hold.
Status MessageFromRegisters(UserThread& self, uint64_t length, Message& out) {
  if (length > abi::kMaxRegisterIpc) return Status::kInvalidArgument;
  out.sender = self.process().id().value;
  out.length = static_cast<uint32_t>(length);
  std::copy_n(RegisterBytes(self), length, out.payload.data());
  return Status::kOk;
}

// Delivers `in` into the caller's registers: its bytes (zero past its
// length, so nothing of an earlier message or a kernel stack shows), its
// sender and `handle`; returns its length.
int64_t MessageToRegisters(UserThread& self, const Message& in, ReplyHandle handle) {
  uint8_t* bytes = RegisterBytes(self);
  std::copy_n(in.payload.data(), in.length, bytes);
  std::fill(bytes + in.length, bytes + abi::kMaxRegisterIpc, 0);
  hal::UserContext& context = self.context();
  context.extra_results[0] = in.sender;
  context.extra_results[1] = handle.value;
  return in.length;
}

}  // namespace

int64_t IpcCallRegs(UserThread& self, Args args) {
  Result<ObjectRef<Endpoint>> endpoint =
      AcquireArgument<Endpoint>(self, args[0], rights::kEndpointSend);
  if (!endpoint.ok()) return Error(endpoint.status());
  Message request;
  if (Status status = MessageFromRegisters(self, args[1], request); !IsOk(status)) {
    return Error(status);
  }
  Message reply;
  const Status called = (*endpoint)->Call(request, reply, DeadlineArgument(args[2]));
  if (!IsOk(called)) return Error(called);
  return MessageToRegisters(self, reply, ReplyHandle{});
}

int64_t IpcReplyWaitRegs(UserThread& self, Args args) {
  Result<ObjectRef<Endpoint>> endpoint = ReceiveEndpointArgument(self, args[0]);
  if (!endpoint.ok()) return Error(endpoint.status());
  const hal::Nanoseconds deadline = DeadlineArgument(args[3]);
  Message in;
  ReplyHandle next;
  Status received;
  if (args[1] == 0) {
    received = (*endpoint)->Receive(in, next, deadline, nullptr, nullptr, TakerOf(self));
  } else {
    Message reply;
    if (Status status = MessageFromRegisters(self, args[2], reply); !IsOk(status)) {
      return Error(status);
    }
    received = (*endpoint)->ReplyAndReceive(ReplyHandle{args[1]}, reply, in, next, deadline, {},
                                            nullptr, nullptr, nullptr, TakerOf(self));
  }
  if (!IsOk(received)) return Error(received);
  return MessageToRegisters(self, in, next);
}

}  // namespace vos::syscall
