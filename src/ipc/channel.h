// An asynchronous channel: a bounded lock-free ring usable from many CPUs,
// whose receivers sleep while it is empty and whose senders sleep while it
// is full. The Try* calls never sleep and take no lock unless somebody on
// the other side is asleep. Closing (its peer died or let go) wakes every
// sleeper with kPeerClosed and refuses new sends; messages already in the
// ring can still be received.
#ifndef VERIDIAN_SRC_IPC_CHANNEL_H_
#define VERIDIAN_SRC_IPC_CHANNEL_H_

#include <cstddef>

#include "src/hal/atomic.h"
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

  // kWouldBlock when full, kPeerClosed once closed.
  Status TrySend(const Message& message) {
    if (closed()) return Status::kPeerClosed;
    VOS_RETURN_IF_ERROR(ring_.TrySend(message));
    receivers_.Notify();
    return Status::kOk;
  }

  // kWouldBlock when empty; kPeerClosed once closed and drained.
  Status TryReceive(Message& out) {
    if (!IsOk(ring_.TryReceive(out))) {
      return closed() ? Status::kPeerClosed : Status::kWouldBlock;
    }
    senders_.Notify();
    return Status::kOk;
  }

  // Sleeps while full, until `deadline` (kTimedOut). Blocking calls need a
  // scheduler thread with interrupts enabled.
  Status Send(const Message& message, hal::Nanoseconds deadline = kNoDeadline) {
    for (;;) {
      const Status sent = TrySend(message);
      if (sent != Status::kWouldBlock) return sent;
      if (senders_.Wait(deadline, [this] { return closed() || ring_.SendReady(); }) ==
          Status::kTimedOut) {
        // Space freed as the deadline passed still counts.
        const Status last = TrySend(message);
        return last == Status::kWouldBlock ? Status::kTimedOut : last;
      }
    }
  }

  // Sleeps while empty, until `deadline` (kTimedOut).
  Status Receive(Message& out, hal::Nanoseconds deadline = kNoDeadline) {
    for (;;) {
      const Status received = TryReceive(out);
      if (received != Status::kWouldBlock) return received;
      if (receivers_.Wait(deadline, [this] { return closed() || ring_.ReceiveReady(); }) ==
          Status::kTimedOut) {
        const Status last = TryReceive(out);
        return last == Status::kWouldBlock ? Status::kTimedOut : last;
      }
    }
  }

  // Ends every wait with kPeerClosed and refuses further sends. Idempotent.
  void Close() {
    closed_.Store(true);
    hal::MemoryBarrier();  // Before the waiters' locks: see ChannelWaiters.
    receivers_.WakeAll(Status::kPeerClosed);
    senders_.WakeAll(Status::kPeerClosed);
  }
  bool closed() const { return closed_.Load(); }

  static constexpr size_t capacity() { return kCapacity; }
  size_t SizeApprox() const { return ring_.SizeApprox(); }
  uint32_t SleepingReceiversApprox() const { return receivers_.WaitingApprox(); }
  uint32_t SleepingSendersApprox() const { return senders_.WaitingApprox(); }

 private:
  MessageRing<kCapacity> ring_;
  ChannelWaiters receivers_;
  ChannelWaiters senders_;
  hal::Atomic<bool> closed_{false};
};

// The capacity of the kernel's channel objects; instantiated once, in
// channel.cc (which also keeps this header compiled by every backend).
inline constexpr size_t kChannelCapacity = 64;
extern template class AsyncChannel<kChannelCapacity>;

}  // namespace vos

#endif  // VERIDIAN_SRC_IPC_CHANNEL_H_
