// An asynchronous channel: a bounded lock-free ring usable from many CPUs,
// whose receivers sleep while it is empty and whose senders sleep while it
// is full. The Try* calls never sleep and take no lock unless somebody on
// the other side is asleep.
#ifndef VERIDIAN_SRC_IPC_CHANNEL_H_
#define VERIDIAN_SRC_IPC_CHANNEL_H_

#include <cstddef>

#include "src/hal/types.h"
#include "src/ipc/message.h"
#include "src/ipc/ring.h"
#include "src/ipc/waiters.h"
#include "src/lib/status.h"
#include "src/sched/timer_queue.h"

namespace vos {

template <size_t kCapacity>
class AsyncChannel {
 public:
  AsyncChannel() = default;
  AsyncChannel(const AsyncChannel&) = delete;
  AsyncChannel& operator=(const AsyncChannel&) = delete;

  // kWouldBlock when full.
  Status TrySend(const Message& message) {
    VOS_RETURN_IF_ERROR(ring_.TrySend(message));
    receivers_.Notify();
    return Status::kOk;
  }

  // kWouldBlock when empty.
  Status TryReceive(Message& out) {
    VOS_RETURN_IF_ERROR(ring_.TryReceive(out));
    senders_.Notify();
    return Status::kOk;
  }

  // Sleeps while full, until `deadline` (kTimedOut). Blocking calls need a
  // scheduler thread with interrupts enabled.
  Status Send(const Message& message, hal::Nanoseconds deadline = kNoDeadline) {
    for (;;) {
      if (IsOk(TrySend(message))) return Status::kOk;
      if (senders_.Wait(deadline, [this] { return ring_.SendReady(); }) == Status::kTimedOut) {
        // Space freed as the deadline passed still counts.
        return IsOk(TrySend(message)) ? Status::kOk : Status::kTimedOut;
      }
    }
  }

  // Sleeps while empty, until `deadline` (kTimedOut).
  Status Receive(Message& out, hal::Nanoseconds deadline = kNoDeadline) {
    for (;;) {
      if (IsOk(TryReceive(out))) return Status::kOk;
      if (receivers_.Wait(deadline, [this] { return ring_.ReceiveReady(); }) ==
          Status::kTimedOut) {
        return IsOk(TryReceive(out)) ? Status::kOk : Status::kTimedOut;
      }
    }
  }

  static constexpr size_t capacity() { return kCapacity; }
  size_t SizeApprox() const { return ring_.SizeApprox(); }
  uint32_t SleepingReceiversApprox() const { return receivers_.WaitingApprox(); }
  uint32_t SleepingSendersApprox() const { return senders_.WaitingApprox(); }

 private:
  MessageRing<kCapacity> ring_;
  ChannelWaiters receivers_;
  ChannelWaiters senders_;
};

// The capacity of the kernel's channel objects; instantiated once, in
// channel.cc (which also keeps this header compiled by every backend).
inline constexpr size_t kChannelCapacity = 64;
extern template class AsyncChannel<kChannelCapacity>;

}  // namespace vos

#endif  // VERIDIAN_SRC_IPC_CHANNEL_H_
