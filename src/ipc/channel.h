// An asynchronous channel: a bounded lock-free ring usable from many CPUs,
// whose receivers sleep while it is empty and whose senders sleep while it
// is full. The Try* calls never sleep and take no lock unless somebody on
// the other side is asleep. Closing (its peer died or let go) wakes every
// sleeper with kPeerClosed and refuses new sends; messages already in the
// ring can still be received.
//
// Optional rate limit (SetRateLimit): a token bucket per sender, held in the
// sender's RateAccount (src/ipc/rate_limiter.h), checked once per send; a
// send over the limit fails with kRateLimited at once (never sleeps), and a
// send that admitted but did not happen (full ring for TrySend, timeout,
// close) gives its token back. Sends without an account are the kernel's
// own and are not limited. Statistics (stats()):
// counters and the send-to-receive latency, from a send time carried in the
// ring slot.
#ifndef VERIDIAN_SRC_IPC_CHANNEL_H_
#define VERIDIAN_SRC_IPC_CHANNEL_H_

#include <cstddef>

#include "src/abi/ipc.h"
#include "src/hal/atomic.h"
#include "src/hal/time.h"
#include "src/hal/trace.h"
#include "src/hal/types.h"
#include "src/ipc/ipc_stats.h"
#include "src/ipc/message.h"
#include "src/ipc/rate_limiter.h"
#include "src/ipc/ring.h"
#include "src/ipc/token_bucket.h"
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

  // kWouldBlock when full, kPeerClosed once closed, kRateLimited when the
  // sender (paying from `account`) is over its rate limit.
  Status TrySend(const Message& message, RateAccount* account = nullptr) {
    if (closed()) return Status::kPeerClosed;
    VOS_RETURN_IF_ERROR(Admit(account));
    const Status sent = TrySendAdmitted(message);
    if (sent != Status::kOk) limiter_.Refund(account);
    return sent;
  }

  // kWouldBlock when empty; kPeerClosed once closed and drained.
  Status TryReceive(Message& out) {
    uint64_t sent_at;
    if (!IsOk(ring_.TryReceive(out, &sent_at))) {
      return closed() ? Status::kPeerClosed : Status::kWouldBlock;
    }
    const hal::Nanoseconds now = hal::Now();
    hal::TraceEvent(hal::TraceKind::kIpcReceive, out.sender, out.length);
    // Another CPU's clock may be a little behind the sender's.
    stats_.CountReceived(out.length, now > sent_at ? now - sent_at : 0);
    senders_.Notify();
    return Status::kOk;
  }

  // Sleeps while full, until `deadline` (kTimedOut). Blocking calls need a
  // scheduler thread with interrupts enabled.
  Status Send(const Message& message, hal::Nanoseconds deadline = kNoDeadline,
              RateAccount* account = nullptr) {
    if (closed()) return Status::kPeerClosed;
    VOS_RETURN_IF_ERROR(Admit(account));
    const Status sent = SendAdmitted(message, deadline);
    if (sent != Status::kOk) limiter_.Refund(account);
    return sent;
  }

  // Sleeps while empty, until `deadline` (kTimedOut). Both end with
  // kInterrupted, taking and sending nothing, when the thread's process dies.
  Status Receive(Message& out, hal::Nanoseconds deadline = kNoDeadline) {
    for (bool waited = false;; waited = true) {
      const Status received = TryReceive(out);
      if (received != Status::kWouldBlock) return received;
      if (!waited) stats_.CountBlockedReceive();
      const Status woken =
          receivers_.Wait(deadline, [this] { return closed() || ring_.ReceiveReady(); });
      if (woken == Status::kInterrupted) return woken;
      if (woken == Status::kTimedOut) {
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

  // Limits every sender to `limit` from now on (kInvalidArgument unless
  // limit.valid()); ClearRateLimit lifts it.
  Status SetRateLimit(const RateLimit& limit) { return limiter_.Configure(limit); }
  void ClearRateLimit() { limiter_.Disable(); }

  // Counters and latencies since the channel was made, for a syscall to
  // copy out.
  abi::ChannelStats stats() const { return stats_.Read(); }

  static constexpr size_t capacity() { return kCapacity; }
  size_t SizeApprox() const { return ring_.SizeApprox(); }
  uint32_t SleepingReceiversApprox() const { return receivers_.WaitingApprox(); }
  uint32_t SleepingSendersApprox() const { return senders_.WaitingApprox(); }

 private:
  Status Admit(RateAccount* account) {
    if (account == nullptr || !limiter_.enabled()) [[likely]] return Status::kOk;
    const Status admitted = limiter_.Admit(account, hal::Now());
    if (admitted == Status::kRateLimited) stats_.CountRateLimited();
    return admitted;
  }

  Status TrySendAdmitted(const Message& message) {
    VOS_RETURN_IF_ERROR(ring_.TrySend(message, hal::Now()));
    hal::TraceEvent(hal::TraceKind::kIpcSend, message.sender, message.length);
    stats_.CountSent(message.length);
    receivers_.Notify();
    return Status::kOk;
  }

  Status SendAdmitted(const Message& message, hal::Nanoseconds deadline) {
    for (bool waited = false;; waited = true) {
      if (closed()) return Status::kPeerClosed;
      const Status sent = TrySendAdmitted(message);
      if (sent != Status::kWouldBlock) return sent;
      if (!waited) stats_.CountBlockedSend();
      const Status woken =
          senders_.Wait(deadline, [this] { return closed() || ring_.SendReady(); });
      if (woken == Status::kInterrupted) return woken;
      if (woken == Status::kTimedOut) {
        // Space freed as the deadline passed still counts.
        if (closed()) return Status::kPeerClosed;
        const Status last = TrySendAdmitted(message);
        return last == Status::kWouldBlock ? Status::kTimedOut : last;
      }
    }
  }

  MessageRing<kCapacity> ring_;
  ChannelWaiters receivers_;
  ChannelWaiters senders_;
  hal::Atomic<bool> closed_{false};
  RateLimiter limiter_;
  ChannelCounters stats_;
};

// The capacity of the kernel's channel objects; instantiated once, in
// channel.cc (which also keeps this header compiled by every backend).
inline constexpr size_t kChannelCapacity = 64;
extern template class AsyncChannel<kChannelCapacity>;

}  // namespace vos

#endif  // VERIDIAN_SRC_IPC_CHANNEL_H_
