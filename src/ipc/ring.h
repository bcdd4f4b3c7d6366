// A bounded multi-producer multi-consumer ring of messages, lock-free on the
// indices: producers claim a slot by advancing `tail_`, consumers by
// advancing `head_`, and each slot's sequence number says whose turn it is.
//
// Slot i of lap L (position p = L * kCapacity + i) has sequence p while it
// is free for the producer of p, p + 1 once that producer published it, and
// p + kCapacity once its consumer emptied it for the next lap. Positions are
// 64-bit and never wrap in practice.
//
// A producer that claimed a slot but has not published it yet holds back
// consumers at that slot (TryReceive reports empty); it never blocks other
// producers. Blocking and notification live in Channel (channel.h).
#ifndef VERIDIAN_SRC_IPC_RING_H_
#define VERIDIAN_SRC_IPC_RING_H_

#include <array>
#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>

#include "src/hal/atomic.h"
#include "src/ipc/message.h"
#include "src/lib/status.h"

namespace vos {

template <size_t kCapacity>
class MessageRing {
  static_assert(kCapacity >= 2 && std::has_single_bit(kCapacity),
                "capacity must be a power of two, at least 2");

 public:
  static constexpr size_t capacity() { return kCapacity; }

  MessageRing() {
    for (size_t i = 0; i < kCapacity; ++i) slots_[i].sequence.Store(i, std::memory_order_relaxed);
  }
  MessageRing(const MessageRing&) = delete;
  MessageRing& operator=(const MessageRing&) = delete;

  // Appends a copy of `message`, with `stamp` (the channel's send time)
  // beside it; kWouldBlock when the ring is full.
  Status TrySend(const Message& message, uint64_t stamp = 0) {
    uint64_t position = tail_.Load(std::memory_order_relaxed);
    for (;;) {
      Slot& slot = SlotAt(position);
      const uint64_t sequence = slot.sequence.Load(std::memory_order_acquire);
      const int64_t lag = static_cast<int64_t>(sequence - position);
      if (lag == 0) {
        // Free for this position: claim it (a failed claim reloads `position`).
        if (tail_.CompareExchange(position, position + 1, std::memory_order_relaxed)) {
          slot.message = message;
          slot.stamp = stamp;
          slot.sequence.Store(position + 1, std::memory_order_release);
          return Status::kOk;
        }
      } else if (lag < 0) {
        return Status::kWouldBlock;  // Still holds the previous lap's message.
      } else {
        position = tail_.Load(std::memory_order_relaxed);  // Another producer won.
      }
    }
  }

  // Takes the oldest message into `out` (and its stamp into `stamp`, if not
  // null); kWouldBlock when there is none ready (empty, or its producer has
  // not finished publishing it).
  Status TryReceive(Message& out, uint64_t* stamp = nullptr) {
    uint64_t position = head_.Load(std::memory_order_relaxed);
    for (;;) {
      Slot& slot = SlotAt(position);
      const uint64_t sequence = slot.sequence.Load(std::memory_order_acquire);
      const int64_t lag = static_cast<int64_t>(sequence - (position + 1));
      if (lag == 0) {
        if (head_.CompareExchange(position, position + 1, std::memory_order_relaxed)) {
          out = slot.message;
          if (stamp != nullptr) *stamp = slot.stamp;
          slot.sequence.Store(position + kCapacity, std::memory_order_release);
          return Status::kOk;
        }
      } else if (lag < 0) {
        return Status::kWouldBlock;
      } else {
        position = head_.Load(std::memory_order_relaxed);  // Another consumer won.
      }
    }
  }

  // Whether TrySend / TryReceive might succeed now: false only when the
  // slot at the tail (head) was seen still busy (empty). Channel re-checks
  // these before sleeping; a stale index errs towards true.
  bool SendReady() const { return Lag(tail_, 0) >= 0; }
  bool ReceiveReady() const { return Lag(head_, 1) >= 0; }

  // A snapshot; exact only when nobody is sending or receiving.
  size_t SizeApprox() const {
    const uint64_t head = head_.Load(std::memory_order_relaxed);
    const uint64_t tail = tail_.Load(std::memory_order_relaxed);
    return tail > head ? static_cast<size_t>(tail - head) : 0;
  }

 private:
  static constexpr size_t kCacheLine = 64;

  struct Slot {
    hal::Atomic<uint64_t> sequence;
    Message message;
    uint64_t stamp;
  };

  Slot& SlotAt(uint64_t position) { return slots_[position & (kCapacity - 1)]; }
  const Slot& SlotAt(uint64_t position) const { return slots_[position & (kCapacity - 1)]; }

  // How far the slot at `index` is past the turn it would need (`offset` 0
  // for a producer, 1 for a consumer): 0 is its turn, negative not yet.
  int64_t Lag(const hal::Atomic<uint64_t>& index, uint64_t offset) const {
    const uint64_t position = index.Load(std::memory_order_relaxed);
    return static_cast<int64_t>(SlotAt(position).sequence.Load(std::memory_order_acquire) -
                                (position + offset));
  }

  // Producers and consumers each hammer their own index: separate lines.
  alignas(kCacheLine) hal::Atomic<uint64_t> tail_{0};
  alignas(kCacheLine) hal::Atomic<uint64_t> head_{0};
  alignas(kCacheLine) std::array<Slot, kCapacity> slots_;
};

}  // namespace vos

#endif  // VERIDIAN_SRC_IPC_RING_H_
