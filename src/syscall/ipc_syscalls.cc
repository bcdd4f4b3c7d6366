// IPC syscalls: endpoint_create, ipc_call, ipc_send, ipc_receive,
// ipc_reply_wait. Messages are abi::IpcMessage in user memory, copied with
// the caller's permissions (a buffer the caller may not read, or write, is
// kInvalidArgument). Up to abi::kMaxInlineIpc bytes travel as the
// endpoint's inline Message (its fast path); longer ones as its Bulk, from
// and to a buffer on the kernel stack. Capabilities travel as CapsOut /
// CapsIn between the two processes' spaces.
#include <cstddef>

#include "src/abi/syscall.h"
#include "src/ipc/endpoint.h"
#include "src/proc/user_access.h"
#include "src/syscall/handlers.h"
#include "src/syscall/receive_endpoint.h"
#include "src/syscall/tokens.h"

namespace vos::syscall {
namespace {

static_assert(abi::kMaxInlineIpc == Message::kMaxPayload && abi::kMaxIpcData == kMaxBulk &&
              abi::kMaxIpcCaps == kMaxMessageCaps);
static_assert(sizeof(abi::IpcMessage) == abi::kIpcHeaderSize + abi::kMaxIpcData);

// The fields of an abi::IpcMessage before its data.
struct Header {
  uint64_t sender;
  uint64_t reply_handle;
  uint32_t length;
  uint16_t cap_count;
  uint16_t flags;
  uint64_t caps[abi::kMaxIpcCaps];
};
static_assert(sizeof(Header) == abi::kIpcHeaderSize &&
              offsetof(abi::IpcMessage, caps) == offsetof(Header, caps) &&
              offsetof(abi::IpcMessage, data) == abi::kIpcHeaderSize);

// One message on its way between user memory and an endpoint.
struct KernelMessage {
  explicit KernelMessage(UserThread& self) {
    caps_out.space = &self.process().capabilities();
    caps_in.space = caps_out.space;
  }

  Message message;
  ReplyHandle handle;
  uint8_t bytes[kMaxBulk];
  BulkBuffer received{bytes};
  CapsOut caps_out;
  CapsIn caps_in;

  Bulk bulk_to_send() const { return Bulk{bytes, received.size}; }
  // Only when there are any: the common case stays off the capability code.
  const CapsOut* caps_to_send() const { return caps_out.count > 0 ? &caps_out : nullptr; }
};

// Reads the IpcMessage at `address` into `out`, stamped with the caller's pid.
Status ReadMessage(UserThread& self, uint64_t address, KernelMessage& out) {
  Header header;
  ScopedUserAccess access(self);
  if (!access.CopyIn(&header, address, abi::kIpcHeaderSize)) return Status::kInvalidArgument;
  if (header.length > abi::kMaxIpcData || header.cap_count > abi::kMaxIpcCaps ||
      (header.flags & ~abi::kIpcMoveCaps) != 0) {
    return Status::kInvalidArgument;
  }
  // Checked now so that a capability that cannot go fails the call before
  // anything is sent.
  for (uint32_t i = 0; i < header.cap_count; ++i) {
    out.caps_out.tokens[i] = TokenArgument(header.caps[i]);
    VOS_RETURN_IF_ERROR(
        out.caps_out.space->Check(out.caps_out.tokens[i], ObjectType::kNone, Rights::kGrant));
  }
  out.caps_out.count = header.cap_count;
  out.caps_out.move = (header.flags & abi::kIpcMoveCaps) != 0;
  out.message.sender = self.process().id().value;
  out.handle = ReplyHandle{header.reply_handle};
  const uint64_t data = address + abi::kIpcHeaderSize;
  if (header.length <= abi::kMaxInlineIpc) {
    out.message.length = header.length;
    out.received.size = 0;
    return access.CopyIn(out.message.payload.data(), data, header.length)
               ? Status::kOk
               : Status::kInvalidArgument;
  }
  out.message.length = 0;
  out.received.size = header.length;
  return access.CopyIn(out.bytes, data, header.length) ? Status::kOk : Status::kInvalidArgument;
}

// Writes `in` (as received: inline, or bulk when it has bulk bytes) to the
// IpcMessage at `address`.
Status WriteMessage(UserThread& self, uint64_t address, const KernelMessage& in) {
  const bool bulk = in.received.size > 0;
  Header header;
  header.sender = in.message.sender;
  header.reply_handle = in.handle.value;
  header.length = bulk ? in.received.size : in.message.length;
  header.cap_count = static_cast<uint16_t>(in.caps_in.count);
  header.flags = 0;
  for (uint32_t i = 0; i < abi::kMaxIpcCaps; ++i) {
    const Token token = i < in.caps_in.count ? in.caps_in.tokens[i] : kInvalidToken;
    header.caps[i] = token == kInvalidToken ? 0 : ToUserToken(token);
  }
  ScopedUserAccess access(self);
  const bool ok =
      access.CopyOut(address, &header, abi::kIpcHeaderSize) &&
      access.CopyOut(address + abi::kIpcHeaderSize,
                     bulk ? in.bytes : in.message.payload.data(), header.length);
  return ok ? Status::kOk : Status::kInvalidArgument;
}

}  // namespace

int64_t EndpointCreate(UserThread& self, Args) {
  // Open while some capability with the receive right exists (peer death:
  // the caller's death closes it unless it handed that right on).
  return NewObjectResult(self, Endpoint::Create(),
                         static_cast<Rights>(abi::kEndpointRights));
}

int64_t IpcCall(UserThread& self, Args args) {
  Result<ObjectRef<Endpoint>> endpoint =
      AcquireArgument<Endpoint>(self, args[0], rights::kEndpointSend);
  if (!endpoint.ok()) return Error(endpoint.status());
  KernelMessage request(self);
  if (Status status = ReadMessage(self, args[1], request); !IsOk(status)) return Error(status);
  KernelMessage reply(self);
  const Status called = (*endpoint)->Call(
      request.message, reply.message, DeadlineArgument(args[3]), request.bulk_to_send(),
      &reply.received, request.caps_to_send(), &reply.caps_in);
  if (!IsOk(called)) return Error(called);
  return Error(WriteMessage(self, args[2], reply));
}

int64_t IpcSend(UserThread& self, Args args) {
  Result<ObjectRef<Endpoint>> endpoint =
      AcquireArgument<Endpoint>(self, args[0], rights::kEndpointSend);
  if (!endpoint.ok()) return Error(endpoint.status());
  KernelMessage message(self);
  if (Status status = ReadMessage(self, args[1], message); !IsOk(status)) return Error(status);
  return Error((*endpoint)->Send(message.message, DeadlineArgument(args[2]),
                                 message.bulk_to_send(), message.caps_to_send()));
}

int64_t IpcReceive(UserThread& self, Args args) {
  Result<ObjectRef<Endpoint>> endpoint = ReceiveEndpointArgument(self, args[0]);
  if (!endpoint.ok()) return Error(endpoint.status());
  KernelMessage in(self);
  const Status received = (*endpoint)->Receive(in.message, in.handle, DeadlineArgument(args[2]),
                                               &in.received, &in.caps_in, TakerOf(self));
  if (!IsOk(received)) return Error(received);
  return Error(WriteMessage(self, args[1], in));
}

int64_t IpcReplyWait(UserThread& self, Args args) {
  Result<ObjectRef<Endpoint>> endpoint = ReceiveEndpointArgument(self, args[0]);
  if (!endpoint.ok()) return Error(endpoint.status());
  KernelMessage reply(self);
  if (Status status = ReadMessage(self, args[1], reply); !IsOk(status)) return Error(status);
  KernelMessage in(self);
  const Status received = (*endpoint)->ReplyAndReceive(
      reply.handle, reply.message, in.message, in.handle, DeadlineArgument(args[3]),
      reply.bulk_to_send(), &in.received, reply.caps_to_send(), &in.caps_in, TakerOf(self));
  if (!IsOk(received)) return Error(received);
  return Error(WriteMessage(self, args[2], in));
}

}  // namespace vos::syscall
