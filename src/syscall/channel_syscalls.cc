// Channel syscalls: channel_create, channel_send, channel_receive,
// channel_close, channel_set_rate_limit, channel_stats, on kernel channel
// objects (src/ipc/channel_object.h). Message bytes are copied between user
// memory and the kernel's Message with the caller's permissions (a buffer
// the caller may not read, or write, is kInvalidArgument). The kernel sets
// a message's sender to the sending process's pid, and rate limits count
// per sending process.
#include <algorithm>
#include <cstdint>

#include "src/abi/ipc.h"
#include "src/abi/syscall.h"
#include "src/ipc/channel_object.h"
#include "src/ipc/token_bucket.h"
#include "src/proc/user_access.h"
#include "src/syscall/handlers.h"
#include "src/syscall/tokens.h"

namespace vos::syscall {
namespace {

static_assert(abi::kMaxChannelMessage == Message::kMaxPayload &&
              abi::kChannelCapacity == kChannelCapacity);
static_assert(abi::kRightChannelSend == static_cast<uint64_t>(rights::kChannelSend) &&
              abi::kRightChannelReceive == static_cast<uint64_t>(rights::kChannelReceive) &&
              abi::kRightChannelConfigure == static_cast<uint64_t>(rights::kChannelConfigure) &&
              abi::kRightChannelRegister == static_cast<uint64_t>(rights::kChannelRegister));
static_assert(abi::kMaxRatePerSecond == RateLimit::kMaxTokensPerSecond &&
              abi::kMaxRateBurst == RateLimit::kMaxBurst);

}  // namespace

int64_t ChannelCreate(UserThread& self, Args) {
  return NewObjectResult(self, ChannelObject::Create(),
                         static_cast<Rights>(abi::kChannelRights));
}

int64_t ChannelSend(UserThread& self, Args args) {
  Result<ObjectRef<ChannelObject>> channel =
      AcquireArgument<ChannelObject>(self, args[0], rights::kChannelSend);
  if (!channel.ok()) return Error(channel.status());
  const uint64_t length = args[2];
  if (length > abi::kMaxChannelMessage) return Error(Status::kInvalidArgument);
  Message message;
  message.sender = self.process().id().value;
  message.length = static_cast<uint32_t>(length);
  {
    ScopedUserAccess access(self);
    if (!access.CopyIn(message.payload.data(), args[1], length)) {
      return Error(Status::kInvalidArgument);
    }
  }
  return Error((*channel)->channel().Send(message, DeadlineArgument(args[3]),
                                          &self.process().rate_account()));
}

int64_t ChannelReceive(UserThread& self, Args args) {
  Result<ObjectRef<ChannelObject>> channel =
      AcquireArgument<ChannelObject>(self, args[0], rights::kChannelReceive);
  if (!channel.ok()) return Error(channel.status());
  // The buffers are checked (written) first, so that a bad one fails the
  // call without taking a message off the channel.
  const Message empty;
  const uint64_t capacity = std::min<uint64_t>(args[2], abi::kMaxChannelMessage);
  {
    ScopedUserAccess access(self);
    if (!access.CopyOut(args[1], empty.payload.data(), capacity) ||
        (args[4] != 0 && !access.CopyOut(args[4], &empty.sender, sizeof(empty.sender)))) {
      return Error(Status::kInvalidArgument);
    }
  }
  Message message;
  const Status received = (*channel)->channel().Receive(message, DeadlineArgument(args[3]));
  if (!IsOk(received)) return Error(received);
  const uint64_t copied = std::min<uint64_t>(message.length, capacity);
  ScopedUserAccess access(self);
  if (!access.CopyOut(args[1], message.payload.data(), copied)) {
    return Error(Status::kInvalidArgument);
  }
  if (args[4] != 0 && !access.CopyOut(args[4], &message.sender, sizeof(message.sender))) {
    return Error(Status::kInvalidArgument);
  }
  return message.length;
}

int64_t ChannelClose(UserThread& self, Args args) {
  Result<ObjectRef<ChannelObject>> channel =
      AcquireArgument<ChannelObject>(self, args[0], rights::kChannelConfigure);
  if (!channel.ok()) return Error(channel.status());
  (*channel)->channel().Close();
  return 0;
}

int64_t ChannelSetRateLimit(UserThread& self, Args args) {
  Result<ObjectRef<ChannelObject>> channel =
      AcquireArgument<ChannelObject>(self, args[0], rights::kChannelConfigure);
  if (!channel.ok()) return Error(channel.status());
  if (args[1] == 0) {
    (*channel)->channel().ClearRateLimit();
    return 0;
  }
  if (args[2] > RateLimit::kMaxBurst) return Error(Status::kInvalidArgument);
  RateLimit limit;
  limit.tokens_per_second = args[1];
  limit.burst = static_cast<uint32_t>(args[2]);
  return Error((*channel)->channel().SetRateLimit(limit));
}

int64_t ChannelStats(UserThread& self, Args args) {
  Result<ObjectRef<ChannelObject>> channel =
      AcquireArgument<ChannelObject>(self, args[0], Rights::kRead);
  if (!channel.ok()) return Error(channel.status());
  const abi::ChannelStats stats = (*channel)->channel().stats();
  ScopedUserAccess access(self);
  return access.CopyOut(args[1], &stats, sizeof(stats)) ? 0 : Error(Status::kInvalidArgument);
}

}  // namespace vos::syscall
