#include "src/ipc/endpoint.h"

#include <algorithm>
#include <new>

#include "src/cap/heap_object.h"
#include "src/cap/rights.h"
#include "src/cap/transfer.h"
#include "src/hal/time.h"
#include "src/hal/trace.h"
#include "src/lib/assert.h"
#include "src/sched/scheduler.h"

namespace vos {

// One sleeping thread, on its own stack. Linked on one of the endpoint's
// lists exactly while its thread sleeps on `queue` (both change in the same
// critical section), so whoever unlinks it under the lock owns waking it.
struct Endpoint::Waiter {
  explicit Waiter(SpinLock& lock) : queue(lock) {}

  WaitQueue queue;  // Just this thread.
  Waiter* next = nullptr;
  Waiter* prev = nullptr;
  WaiterList* list = nullptr;  // The list it is on.
  // A sender's message; a caller also gets its reply, under reply_id.
  const Message* request = nullptr;
  Bulk request_bulk;
  const CapsOut* request_caps = nullptr;
  Message* reply = nullptr;
  BulkBuffer* reply_bulk = nullptr;
  CapsIn* reply_caps = nullptr;
  uint64_t reply_id = 0;
  // A receiver: who it receives for; a taken call: who took it (0: kernel).
  uint64_t taker = 0;
  // A receiver's buffers.
  Message* out = nullptr;
  ReplyHandle* handle = nullptr;
  BulkBuffer* out_bulk = nullptr;
  CapsIn* out_caps = nullptr;
};

namespace {

// False (and `to` without a message) when `from.copy` fails.
[[nodiscard]] bool CopyBulk(Bulk from, BulkBuffer* to) {
  if (to == nullptr) return true;  // The receiver takes the inline part only.
  if (from.copy != nullptr) {
    if (from.size > 0 && !from.copy(from.context, to->data)) return false;
  } else {
    std::copy_n(from.data, from.size, to->data);
  }
  to->size = from.size;
  return true;
}

bool ValidCaps(const CapsOut* caps) {
  return caps == nullptr || (caps->count <= kMaxMessageCaps && caps->space != nullptr);
}

// Moves or copies each capability of `from` into `to`'s space.
void TransferCaps(const CapsOut* from, CapsIn* to) {
  if (to == nullptr) return;
  to->count = from != nullptr ? from->count : 0;
  for (uint32_t i = 0; i < to->count; ++i) {
    Result<Token> moved = from->move
                              ? MoveCapability(*from->space, from->tokens[i], *to->space)
                              : CopyCapability(*from->space, from->tokens[i], *to->space);
    to->tokens[i] = moved.ok() ? *moved : kInvalidToken;
  }
}

}  // namespace

void Endpoint::WaiterList::PushBack(Waiter* waiter) {
  waiter->list = this;
  waiter->next = nullptr;
  waiter->prev = tail_;
  (tail_ != nullptr ? tail_->next : head_) = waiter;
  tail_ = waiter;
  ++size_;
}

void Endpoint::WaiterList::Remove(Waiter* waiter) {
  VOS_ASSERT(waiter->list == this);
  (waiter->prev != nullptr ? waiter->prev->next : head_) = waiter->next;
  (waiter->next != nullptr ? waiter->next->prev : tail_) = waiter->prev;
  waiter->next = nullptr;
  waiter->prev = nullptr;
  waiter->list = nullptr;
  --size_;
}

// Linear in the calls taken but not answered: about one per server thread.
Endpoint::Waiter* Endpoint::WaiterList::Find(uint64_t reply_id) const {
  Waiter* waiter = head_;
  while (waiter != nullptr && waiter->reply_id != reply_id) waiter = waiter->next;
  return waiter;
}

Status Endpoint::BlockLocked(Waiter& waiter, hal::Nanoseconds deadline, Thread* successor)
    VOS_NO_THREAD_SAFETY_ANALYSIS {
  return waiter.queue.BlockInterruptiblyLocked(deadline, successor);
}

void Endpoint::WakeLocked(Waiter& waiter, Status result) VOS_NO_THREAD_SAFETY_ANALYSIS {
  const bool woken = waiter.queue.WakeOneLocked(result);
  VOS_ASSERT(woken);
}

bool Endpoint::SleepingLocked(const Waiter& waiter) VOS_NO_THREAD_SAFETY_ANALYSIS {
  return !waiter.queue.EmptyLocked();
}

Thread* Endpoint::TakeThreadLocked(Waiter& waiter) VOS_NO_THREAD_SAFETY_ANALYSIS {
  Thread* thread = waiter.queue.TakeFirstLocked(Status::kOk);
  VOS_ASSERT(thread != nullptr);
  return thread;
}

Endpoint::Waiter* Endpoint::FirstSleeperLocked(WaiterList& list) {
  Waiter* waiter = list.front();
  // Dropped: its timeout woke it, and it has not taken the lock back yet.
  while (waiter != nullptr && !SleepingLocked(*waiter)) {
    list.Remove(waiter);
    waiter = list.front();
  }
  return waiter;
}

Endpoint::Waiter* Endpoint::PopSleeperLocked(WaiterList& list) {
  Waiter* waiter = FirstSleeperLocked(list);
  if (waiter != nullptr) list.Remove(waiter);
  return waiter;
}

void Endpoint::WakeAllLocked(WaiterList& list, Status result) {
  while (Waiter* waiter = PopSleeperLocked(list)) WakeLocked(*waiter, result);
}

bool Endpoint::DeliverLocked(Waiter& sender, uint64_t taker, Message& out, ReplyHandle& handle,
                             CapsIn* caps) {
  out = *sender.request;
  hal::TraceEvent(hal::TraceKind::kIpcSend, out.sender, out.length);
  TransferCaps(sender.request_caps, caps);
  if (sender.reply == nullptr) {
    handle = ReplyHandle{};
    ++stats_.sends;
    return false;
  }
  sender.reply_id = next_reply_id_++;
  sender.taker = taker;
  handle = ReplyHandle{sender.reply_id};
  replies_.PushBack(&sender);
  return true;
}

Result<Endpoint::Waiter*> Endpoint::AnswerLocked(ReplyHandle handle, const Message& reply,
                                                 Bulk bulk, const CapsOut* caps) {
  if (handle.value == 0) return Status::kNotFound;
  Waiter* caller = replies_.Find(handle.value);
  if (caller == nullptr) return Status::kNotFound;
  if (!SleepingLocked(*caller)) {  // Timed out just now.
    replies_.Remove(caller);
    return Status::kNotFound;
  }
  // First: a bulk that cannot be copied leaves the call unanswered.
  if (!CopyBulk(bulk, caller->reply_bulk)) return Status::kWouldBlock;
  replies_.Remove(caller);
  *caller->reply = reply;
  hal::TraceEvent(hal::TraceKind::kIpcSend, reply.sender, reply.length);
  TransferCaps(caps, caller->reply_caps);
  return caller;
}

Status Endpoint::WaitLocked(Waiter& self, hal::Nanoseconds deadline, Thread* successor) {
  const Status status = BlockLocked(self, deadline, successor);
  if (status == Status::kTimedOut || status == Status::kInterrupted) {
    // Nobody used our buffers: whoever pairs with a waiter checks first
    // that it still sleeps. We may still be listed (or were dropped): a
    // caller on replies_ unlisted makes its reply handle stale.
    if (self.list != nullptr) self.list->Remove(&self);
    if (status == Status::kTimedOut) ++stats_.timeouts;
  }
  return status;
}

Status Endpoint::SendOrCall(const Message& request, Bulk bulk, const CapsOut* caps,
                            Message* reply, BulkBuffer* reply_bulk, CapsIn* reply_caps,
                            hal::Nanoseconds deadline) {
  if (bulk.size > kMaxBulk || !ValidCaps(caps)) return Status::kInvalidArgument;
  IrqSpinLockGuard guard(lock_);
  if (closed_) return Status::kPeerClosed;
  Waiter self(lock_);
  self.request = &request;
  self.request_bulk = bulk;
  self.request_caps = caps;
  self.reply = reply;
  self.reply_bulk = reply_bulk;
  self.reply_caps = reply_caps;
  if (reply_caps != nullptr) reply_caps->count = 0;
  if (reply_bulk != nullptr) reply_bulk->size = 0;
  Waiter* receiver = FirstSleeperLocked(receivers_);
  if (receiver == nullptr) {
    // A queued message's bytes are the receiver's to copy: in kernel memory.
    if (bulk.copy != nullptr) return Status::kWouldBlock;
    if (reply != nullptr) ++stats_.slow_calls;
    senders_.PushBack(&self);
    return WaitLocked(self, deadline, nullptr);
  }
  if (!CopyBulk(bulk, receiver->out_bulk)) return Status::kWouldBlock;
  receivers_.Remove(receiver);
  if (!DeliverLocked(self, receiver->taker, *receiver->out, *receiver->handle,
                     receiver->out_caps)) {
    // A Send is complete once taken.
    WakeLocked(*receiver, Status::kOk);
    return Status::kOk;
  }
  // Fast path: the receiver runs next, here, while we wait on replies_.
  ++stats_.fast_calls;
  return WaitLocked(self, deadline, TakeThreadLocked(*receiver));
}

Status Endpoint::Call(const Message& request, Message& reply, hal::Nanoseconds deadline,
                      Bulk request_bulk, BulkBuffer* reply_bulk, const CapsOut* request_caps,
                      CapsIn* reply_caps) {
  // Past its deadline a call must not reach a server it cannot wait for.
  if (deadline != kNoDeadline && deadline <= hal::Now()) return Status::kTimedOut;
  return SendOrCall(request, request_bulk, request_caps, &reply, reply_bulk, reply_caps,
                    deadline);
}

Status Endpoint::Send(const Message& message, hal::Nanoseconds deadline, Bulk bulk,
                      const CapsOut* caps) {
  return SendOrCall(message, bulk, caps, nullptr, nullptr, nullptr, deadline);
}

Status Endpoint::ReceiveLocked(Message& out, ReplyHandle& handle, BulkBuffer* bulk,
                               CapsIn* caps, uint64_t taker, hal::Nanoseconds deadline,
                               Thread* successor) {
  if (bulk != nullptr) bulk->size = 0;
  if (caps != nullptr) caps->count = 0;
  if (Waiter* sender = PopSleeperLocked(senders_)) {
    VOS_ASSERT(successor == nullptr);  // Callers hand off only to sleep.
    // A queued sender's bulk is in kernel memory (SendOrCall).
    const bool copied = CopyBulk(sender->request_bulk, bulk);
    VOS_ASSERT(copied);
    if (!DeliverLocked(*sender, taker, out, handle, caps)) {
      WakeLocked(*sender, Status::kOk);
    }
    return Status::kOk;
  }
  Waiter self(lock_);
  self.out = &out;
  self.handle = &handle;
  self.out_bulk = bulk;
  self.out_caps = caps;
  self.taker = taker;
  receivers_.PushBack(&self);
  return WaitLocked(self, deadline, successor);
}

Status Endpoint::Receive(Message& out, ReplyHandle& handle, hal::Nanoseconds deadline,
                         BulkBuffer* bulk, CapsIn* caps, uint64_t taker) {
  IrqSpinLockGuard guard(lock_);
  if (closed_) return Status::kPeerClosed;
  return ReceiveLocked(out, handle, bulk, caps, taker, deadline, nullptr);
}

Status Endpoint::Reply(ReplyHandle handle, const Message& reply, Bulk bulk,
                       const CapsOut* caps) {
  if (bulk.size > kMaxBulk || !ValidCaps(caps)) return Status::kInvalidArgument;
  IrqSpinLockGuard guard(lock_);
  if (closed_) return Status::kPeerClosed;
  Result<Waiter*> caller = AnswerLocked(handle, reply, bulk, caps);
  if (!caller.ok()) return caller.status();
  ++stats_.slow_replies;
  WakeLocked(**caller, Status::kOk);
  return Status::kOk;
}

size_t Endpoint::FailCallsTakenBy(uint64_t taker) {
  IrqSpinLockGuard guard(lock_);
  size_t failed = 0;
  for (Waiter* caller = replies_.front(); caller != nullptr;) {
    Waiter* next = caller->next;
    if (caller->taker == taker) {
      replies_.Remove(caller);
      // One a timeout woke unlinks nothing more and keeps its kTimedOut.
      if (SleepingLocked(*caller)) {
        WakeLocked(*caller, Status::kPeerClosed);
        ++failed;
      }
    }
    caller = next;
  }
  return failed;
}

Status Endpoint::ReplyAndReceive(ReplyHandle handle, const Message& reply, Message& out,
                                 ReplyHandle& next, hal::Nanoseconds deadline, Bulk reply_bulk,
                                 BulkBuffer* out_bulk, const CapsOut* reply_caps,
                                 CapsIn* out_caps, uint64_t taker) {
  if (reply_bulk.size > kMaxBulk || !ValidCaps(reply_caps)) return Status::kInvalidArgument;
  IrqSpinLockGuard guard(lock_);
  if (closed_) return Status::kPeerClosed;
  Result<Waiter*> caller = AnswerLocked(handle, reply, reply_bulk, reply_caps);
  if (!caller.ok()) return caller.status();
  if (FirstSleeperLocked(senders_) != nullptr) {
    // A request waits, so we will not sleep: wake the caller normally.
    ++stats_.slow_replies;
    WakeLocked(**caller, Status::kOk);
    return ReceiveLocked(out, next, out_bulk, out_caps, taker, deadline, nullptr);
  }
  // Fast path: the caller runs next, here, while we wait for a request.
  ++stats_.fast_replies;
  return ReceiveLocked(out, next, out_bulk, out_caps, taker, deadline,
                       TakeThreadLocked(**caller));
}

// The server side lives as long as some capability can receive on it.
Endpoint::Endpoint(ReleaseFunction release)
    : KernelObject(kType, release,
                   HolderWatch{.rights = {rights::kEndpointReceive},
                               .last_holder_gone = [](KernelObject& object) {
                                 static_cast<Endpoint&>(object).Close();
                               }}) {}

Result<ObjectRef<Endpoint>> Endpoint::Create() {
  return NewHeapObject<Endpoint>(
      [](void* memory) { return new (memory) Endpoint(&DeleteHeapObject<Endpoint>); });
}

Endpoint::~Endpoint() {
  IrqSpinLockGuard guard(lock_);
  // Also those a timeout woke: they have yet to take the lock back.
  VOS_ASSERT_MSG(senders_.empty() && receivers_.empty() && replies_.empty(),
                 "endpoint destroyed with threads waiting on it");
}

void Endpoint::Close() {
  IrqSpinLockGuard guard(lock_);
  closed_ = true;
  WakeAllLocked(senders_, Status::kPeerClosed);
  WakeAllLocked(receivers_, Status::kPeerClosed);
  WakeAllLocked(replies_, Status::kPeerClosed);
}

bool Endpoint::closed() const {
  IrqSpinLockGuard guard(lock_);
  return closed_;
}

EndpointStats Endpoint::stats() const {
  IrqSpinLockGuard guard(lock_);
  return stats_;
}

uint32_t Endpoint::WaitingSenders() const {
  IrqSpinLockGuard guard(lock_);
  return senders_.size();
}

uint32_t Endpoint::WaitingReceivers() const {
  IrqSpinLockGuard guard(lock_);
  return receivers_.size();
}

uint32_t Endpoint::AwaitingReplies() const {
  IrqSpinLockGuard guard(lock_);
  return replies_.size();
}

}  // namespace vos
