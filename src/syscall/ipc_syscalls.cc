// IPC syscalls: endpoint_create, ipc_call, ipc_send, ipc_receive,
// ipc_reply_wait. Messages are abi::IpcMessage in user memory, copied with
// the caller's permissions (a buffer the caller may not read, or write, is
// kInvalidArgument). Up to abi::kMaxInlineIpc bytes travel as the
// endpoint's inline Message (its fast path); longer ones as its Bulk: from
// the sender's memory straight into a waiting receiver's buffer on its
// kernel stack, or through one on the sender's when nobody waits.
// Capabilities travel as CapsOut / CapsIn between the two processes' spaces.
#include <algorithm>
#include <cstddef>

#include "src/abi/syscall.h"
#include "src/hal/user_memory.h"
#include "src/ipc/endpoint.h"
#include "src/mm/address_space.h"
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
  explicit KernelMessage(UserThread& self) : space(&self.process().space()) {
    caps_out.space = &self.process().capabilities();
    caps_in.space = caps_out.space;
  }

  AddressSpace* space;  // The process's.
  Message message;
  ReplyHandle handle;
  // The header just before the bytes, as in user memory: a received
  // message goes out in one copy.
  Header header;
  uint8_t bytes[kMaxBulk];
  BulkBuffer received{bytes};
  // A message to send: its bulk bytes (received.size of them) in user
  // memory, until a fallback copies them into `bytes` (SendBulk).
  uint64_t bulk_address = 0;
  CapsOut caps_out;
  CapsIn caps_in;

  Bulk bulk_in_kernel() const { return Bulk{bytes, received.size}; }
  Bulk bulk_in_user() const {
    return Bulk{nullptr, received.size, &CopyBulkFromUser, this};
  }
  // Only when there are any: the common case stays off the capability code.
  const CapsOut* caps_to_send() const { return caps_out.count > 0 ? &caps_out : nullptr; }

  // Bulk::copy, under the endpoint's lock: from the sender's memory while
  // its space is still this CPU's (its syscall left it so, unless it was
  // switched out since), without faulting.
  static bool CopyBulkFromUser(const void* context, uint8_t* to) {
    const auto& message = *static_cast<const KernelMessage*>(context);
    return AddressSpace::Current() == message.space &&
           hal::CopyFromUserNoFault(to, message.bulk_address, message.received.size);
  }
};

// Runs `operation(bulk)`, an endpoint operation sending `message`: its bulk
// bytes, if any, straight from user memory into a receiver already waiting,
// or, when they cannot go so (kWouldBlock, see Bulk), through the kernel.
template <typename Operation>
Status SendBulk(UserThread& self, KernelMessage& message, Operation operation) {
  if (message.received.size > 0) {
    const Status straight = operation(message.bulk_in_user());
    if (straight != Status::kWouldBlock) return straight;
    ScopedUserAccess access(self);
    if (!access.CopyIn(message.bytes, message.bulk_address, message.received.size)) {
      return Status::kInvalidArgument;
    }
  }
  return operation(message.bulk_in_kernel());
}

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
  // Read at delivery (SendBulk).
  out.message.length = 0;
  out.received.size = header.length;
  out.bulk_address = data;
  return Status::kOk;
}

// Writes `in` (as received: inline, or bulk when it has bulk bytes) to the
// IpcMessage at `address`, header and data in one copy.
Status WriteMessage(UserThread& self, uint64_t address, KernelMessage& in) {
  static_assert(offsetof(KernelMessage, bytes) ==
                offsetof(KernelMessage, header) + abi::kIpcHeaderSize);
  const bool bulk = in.received.size > 0;
  Header& header = in.header;
  header.sender = in.message.sender;
  header.reply_handle = in.handle.value;
  header.length = bulk ? in.received.size : in.message.length;
  header.cap_count = static_cast<uint16_t>(in.caps_in.count);
  header.flags = 0;
  for (uint32_t i = 0; i < abi::kMaxIpcCaps; ++i) {
    const Token token = i < in.caps_in.count ? in.caps_in.tokens[i] : kInvalidToken;
    header.caps[i] = token == kInvalidToken ? 0 : ToUserToken(token);
  }
  if (!bulk) std::copy_n(in.message.payload.data(), in.message.length, in.bytes);
  ScopedUserAccess access(self);
  return access.CopyOut(address, &header, abi::kIpcHeaderSize + header.length)
             ? Status::kOk
             : Status::kInvalidArgument;
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
  const Status called = SendBulk(self, request, [&](Bulk bulk) {
    return (*endpoint)->Call(request.message, reply.message, DeadlineArgument(args[3]), bulk,
                             &reply.received, request.caps_to_send(), &reply.caps_in);
  });
  if (!IsOk(called)) return Error(called);
  return Error(WriteMessage(self, args[2], reply));
}

int64_t IpcSend(UserThread& self, Args args) {
  Result<ObjectRef<Endpoint>> endpoint =
      AcquireArgument<Endpoint>(self, args[0], rights::kEndpointSend);
  if (!endpoint.ok()) return Error(endpoint.status());
  KernelMessage message(self);
  if (Status status = ReadMessage(self, args[1], message); !IsOk(status)) return Error(status);
  return Error(SendBulk(self, message, [&](Bulk bulk) {
    return (*endpoint)->Send(message.message, DeadlineArgument(args[2]), bulk,
                             message.caps_to_send());
  }));
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
  const Status received = SendBulk(self, reply, [&](Bulk bulk) {
    return (*endpoint)->ReplyAndReceive(reply.handle, reply.message, in.message, in.handle,
                                        DeadlineArgument(args[3]), bulk, &in.received,
                                        reply.caps_to_send(), &in.caps_in, TakerOf(self));
  });
  if (!IsOk(received)) return Error(received);
  return Error(WriteMessage(self, args[2], in));
}

}  // namespace vos::syscall
