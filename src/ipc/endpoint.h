// A synchronous IPC endpoint: rendezvous between senders (Send, Call) and
// receivers (Receive, ReplyAndReceive), with no buffering. A Call sends a
// request and sleeps until the receiver that took it answers with Reply.
//
// Fast path (seL4 style): a Call that finds a receiver already waiting
// copies the request straight into the receiver's buffer and hands this CPU
// to it (WaitQueue::BlockLocked with a successor), without a run-queue
// round trip; a ReplyAndReceive that finds no request pending hands the CPU
// back to the caller it answers in the same way. Everything else (nobody
// waiting, Send, Reply) wakes threads the normal way. stats() counts both.
//
// Reply handles name one received call: a number never reused within the
// endpoint, so a reply can neither reach another caller nor a stale one;
// answering a call whose caller has gone (timed out, closed) gives kNotFound.
//
// Closing wakes every sleeper with kPeerClosed: queued senders and callers,
// callers waiting for a reply (calls a receiver took but has not answered
// included), receivers. A Send returns kOk exactly when its message was
// delivered, and each message is received at most once; a call is answered
// at most once, and otherwise fails.
//
// Who closes it (the server side going away): Close, or the last
// capability with rights::kEndpointReceive going (object.h: HolderWatch),
// wherever it was moved or copied to: deleted, revoked, or destroyed with
// its process. So a server may hand its receive capability to another
// process and exit, and the endpoint stays open for the new holder; and a
// killed server that alone could receive leaves callers kPeerClosed, never a
// hang. Send-only capabilities do not keep it open. An endpoint no
// capability ever carried the receive right to (a kernel-only one) closes
// only by Close.
//
// Peer death on the other side: every wait here is interruptible
// (WaitQueue::Interrupt), so a thread whose process dies leaves its wait at
// once, unlinked: a queued message of a dead sender is never delivered, a
// dead receiver takes nothing, and the reply handle of a dead caller's call
// goes stale (the server's Reply gets kNotFound). And a call whose taker
// dies unanswered fails with kPeerClosed (FailCallsTakenBy, from the
// taker's teardown), even while other processes may still receive here.
//
// Every waiter sleeps on its own WaitQueue sharing the endpoint's lock, so
// whoever pairs with it wakes exactly that thread. Waiters are served FIFO.
#ifndef VERIDIAN_SRC_IPC_ENDPOINT_H_
#define VERIDIAN_SRC_IPC_ENDPOINT_H_

#include <cstdint>

#include "src/cap/capability_space.h"
#include "src/cap/object.h"
#include "src/cap/token.h"
#include "src/hal/types.h"
#include "src/ipc/message.h"
#include "src/lib/spinlock.h"
#include "src/lib/status.h"
#include "src/lib/thread_annotations.h"
#include "src/sched/timer_queue.h"
#include "src/sched/wait_queue.h"

namespace vos {

// Names a call a receiver took, until it is answered.
struct ReplyHandle {
  uint64_t value = 0;  // 0 names no call.
  constexpr bool operator==(const ReplyHandle&) const = default;
};

// The bytes of a large message beyond its inline Message: copied once, at
// delivery, into the receiver's BulkBuffer.
//
// From kernel memory (`data`), or from wherever the sender still holds them
// (a syscall: its user memory) through `copy`, which copies them into `to`
// without sleeping or faulting (it runs under the endpoint's lock), false
// if it cannot. Such a Bulk goes only straight into a receiver already
// waiting (a Call, Send or answer finding its peer asleep): otherwise, or
// when `copy` fails, the operation does nothing and returns kWouldBlock, and
// its caller puts the bytes in kernel memory and runs it again. So a large
// message between processes is copied once, not twice, on the fast path.
inline constexpr uint32_t kMaxBulk = 4096;
struct Bulk {
  const uint8_t* data = nullptr;
  uint32_t size = 0;  // At most kMaxBulk.
  bool (*copy)(const void* context, uint8_t* to) = nullptr;
  const void* context = nullptr;  // For `copy`.
};
// Where a receiver takes a large message's bytes: kMaxBulk bytes at `data`.
// Delivery sets `size` (0 for a small message). A receiver without one gets
// the inline part only.
struct BulkBuffer {
  uint8_t* data = nullptr;
  uint32_t size = 0;
};

// Capabilities riding along with a message: moved or copied (as children,
// with the same rights) from the sender's space into the receiver's at
// delivery. The sender should have checked Rights::kGrant on each; one that
// cannot be transferred any more then (revoked meanwhile, no kGrant, the
// receiver's space full) arrives as kInvalidToken.
inline constexpr uint32_t kMaxMessageCaps = 4;
struct CapsOut {
  CapabilitySpace* space = nullptr;
  Token tokens[kMaxMessageCaps] = {};
  uint32_t count = 0;
  bool move = false;
};
// Where a receiver takes them: `space` is its own; delivery sets the rest
// (count 0 for a message without capabilities). A receiver without one
// leaves them with the sender.
struct CapsIn {
  CapabilitySpace* space = nullptr;
  Token tokens[kMaxMessageCaps] = {};
  uint32_t count = 0;
};

struct EndpointStats {
  uint64_t fast_calls = 0;    // Calls handed straight to a waiting receiver.
  uint64_t slow_calls = 0;    // Calls that queued for a receiver.
  uint64_t fast_replies = 0;  // ReplyAndReceive handing the CPU to the caller.
  uint64_t slow_replies = 0;  // Replies that woke the caller normally.
  uint64_t sends = 0;         // One-way messages delivered.
  uint64_t timeouts = 0;
};

class Endpoint final : public KernelObject {
 public:
  static constexpr ObjectType kType = ObjectType::kEndpoint;

  explicit Endpoint(ReleaseFunction release);
  // On the kernel heap, freed with its last reference; kNoMemory.
  static Result<ObjectRef<Endpoint>> Create();
  // Nobody may still wait (their records live on their stacks).
  ~Endpoint();

  // Every operation takes an optional Bulk to send and BulkBuffer to
  // receive into, for large messages (a Bulk over kMaxBulk is
  // kInvalidArgument), and CapsOut to send and CapsIn to receive into
  // (more than kMaxMessageCaps is kInvalidArgument).
  //
  // Sends `request` and sleeps until a receiver replies into `reply`, or
  // `deadline` (kTimedOut; the whole call, both phases), or the endpoint
  // closes (kPeerClosed). Every sleeping operation also ends with
  // kInterrupted, having sent and taken nothing, when its thread is
  // interrupted (its process is dying).
  Status Call(const Message& request, Message& reply, hal::Nanoseconds deadline = kNoDeadline,
              Bulk request_bulk = {}, BulkBuffer* reply_bulk = nullptr,
              const CapsOut* request_caps = nullptr, CapsIn* reply_caps = nullptr);
  // Sleeps until a receiver takes `message`; errors as Call.
  Status Send(const Message& message, hal::Nanoseconds deadline = kNoDeadline, Bulk bulk = {},
              const CapsOut* caps = nullptr);
  // Sleeps until a message arrives. For a Call, `handle` names it for the
  // reply; for a Send it is ReplyHandle{}. kTimedOut, kPeerClosed. `taker`
  // (the receiving process's id; 0 for the kernel) marks the calls taken,
  // for FailCallsTakenBy.
  Status Receive(Message& out, ReplyHandle& handle, hal::Nanoseconds deadline = kNoDeadline,
                 BulkBuffer* bulk = nullptr, CapsIn* caps = nullptr, uint64_t taker = 0);
  // Answers the call `handle` names; kNotFound if no caller waits for it.
  Status Reply(ReplyHandle handle, const Message& reply, Bulk bulk = {},
               const CapsOut* caps = nullptr);
  // Reply, then Receive, in one step. kNotFound (and nothing received) when
  // no caller waits for `handle`.
  Status ReplyAndReceive(ReplyHandle handle, const Message& reply, Message& out,
                         ReplyHandle& next, hal::Nanoseconds deadline = kNoDeadline,
                         Bulk reply_bulk = {}, BulkBuffer* out_bulk = nullptr,
                         const CapsOut* reply_caps = nullptr, CapsIn* out_caps = nullptr,
                         uint64_t taker = 0);

  // Fails every call `taker` took and has not answered, waking its caller
  // with kPeerClosed: the taker died, so nobody can answer it (another
  // holder of the receive right cannot name the call). Returns how many.
  size_t FailCallsTakenBy(uint64_t taker);

  // Wakes every sleeper with kPeerClosed and fails every later operation
  // with it. Idempotent.
  void Close();
  bool closed() const;

  EndpointStats stats() const;
  // Threads asleep in each role (for tests).
  uint32_t WaitingSenders() const;
  uint32_t WaitingReceivers() const;
  uint32_t AwaitingReplies() const;

 private:
  struct Waiter;
  // A FIFO of waiters; the endpoint lock guards it.
  class WaiterList {
   public:
    bool empty() const { return head_ == nullptr; }
    uint32_t size() const { return size_; }
    void PushBack(Waiter* waiter);
    Waiter* front() const { return head_; }
    void Remove(Waiter* waiter);
    Waiter* Find(uint64_t reply_id) const;

   private:
    Waiter* head_ = nullptr;
    Waiter* tail_ = nullptr;
    uint32_t size_ = 0;
  };

  // Copies `sender`'s message into a receiver's buffers (its bulk bytes
  // are copied first, by the caller). A Call then waits on replies_ under a
  // fresh handle (true); a Send is complete (false) and its sender still to
  // be woken.
  bool DeliverLocked(Waiter& sender, uint64_t taker, Message& out, ReplyHandle& handle,
                     CapsIn* caps) VOS_REQUIRES(lock_);
  // Removes `handle`'s caller from replies_ with `reply` copied in, still
  // to be woken. kNotFound if none; kWouldBlock (nothing done) if `bulk`
  // could not be copied.
  Result<Waiter*> AnswerLocked(ReplyHandle handle, const Message& reply, Bulk bulk,
                               const CapsOut* caps) VOS_REQUIRES(lock_);
  // Receives into `out`, or queues as a receiver and sleeps, handing the
  // CPU to `successor` if given.
  Status ReceiveLocked(Message& out, ReplyHandle& handle, BulkBuffer* bulk, CapsIn* caps,
                       uint64_t taker, hal::Nanoseconds deadline, Thread* successor)
      VOS_REQUIRES(lock_);
  // Sleeps as `self` (already on a list), handing the CPU to `successor` if
  // given; afterwards `self` is on no list.
  Status WaitLocked(Waiter& self, hal::Nanoseconds deadline, Thread* successor)
      VOS_REQUIRES(lock_);
  // The first waiter of `list` still asleep (Pop: unlinked), after
  // dropping those a timeout woke (they are about to unlink themselves).
  Waiter* FirstSleeperLocked(WaiterList& list) VOS_REQUIRES(lock_);
  Waiter* PopSleeperLocked(WaiterList& list) VOS_REQUIRES(lock_);
  // The waiters' queues share lock_, which the analysis cannot tell from
  // their own lock member: these four are the only bypass.
  bool SleepingLocked(const Waiter& waiter) VOS_REQUIRES(lock_);
  Status BlockLocked(Waiter& waiter, hal::Nanoseconds deadline, Thread* successor)
      VOS_REQUIRES(lock_);
  void WakeLocked(Waiter& waiter, Status result) VOS_REQUIRES(lock_);
  Thread* TakeThreadLocked(Waiter& waiter) VOS_REQUIRES(lock_);
  void WakeAllLocked(WaiterList& list, Status result) VOS_REQUIRES(lock_);
  // Sends as Send (reply null) or Call.
  Status SendOrCall(const Message& request, Bulk bulk, const CapsOut* caps, Message* reply,
                    BulkBuffer* reply_bulk, CapsIn* reply_caps, hal::Nanoseconds deadline);

  mutable SpinLock lock_;
  WaiterList senders_ VOS_GUARDED_BY(lock_);    // Send and Call, not yet taken.
  WaiterList receivers_ VOS_GUARDED_BY(lock_);
  WaiterList replies_ VOS_GUARDED_BY(lock_);    // Calls taken, not answered.
  uint64_t next_reply_id_ VOS_GUARDED_BY(lock_) = 1;
  bool closed_ VOS_GUARDED_BY(lock_) = false;
  EndpointStats stats_ VOS_GUARDED_BY(lock_);
};

}  // namespace vos

#endif  // VERIDIAN_SRC_IPC_ENDPOINT_H_
