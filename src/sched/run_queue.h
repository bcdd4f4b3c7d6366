// One CPU's runnable threads: a FIFO per priority and a bitmap of the
// non-empty ones, so the highest runnable priority is one count-leading-zeros
// away (O(1) pick). Inline: it is on the context-switch path. Not locked
// itself: the owning CPU's scheduler lock guards it.
#ifndef VERIDIAN_SRC_SCHED_RUN_QUEUE_H_
#define VERIDIAN_SRC_SCHED_RUN_QUEUE_H_

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

#include "src/sched/priority.h"
#include "src/sched/thread.h"

namespace vos {

class RunQueue {
 public:
  static constexpr uint64_t kAllPriorities = ~uint64_t{0};
  // Every priority below the real-time class.
  static constexpr uint64_t kBelowRealTime = (uint64_t{1} << kFirstRealTime) - 1;

  constexpr RunQueue() = default;
  RunQueue(const RunQueue&) = delete;
  RunQueue& operator=(const RunQueue&) = delete;

  bool empty() const { return bitmap_ == 0; }
  size_t size() const { return size_; }
  // Whether any thread of a priority in `priorities` (a bitmap) is queued.
  bool HasAny(uint64_t priorities) const { return (bitmap_ & priorities) != 0; }
  // The highest queued priority; only when !empty().
  Priority HighestPriority() const { return static_cast<Priority>(63 - std::countl_zero(bitmap_)); }

  // At the back of its effective priority's FIFO, or the front.
  void Enqueue(Thread* thread, bool at_front = false) {
    const Priority priority = thread->effective_priority();
    ThreadList& level = levels_[priority];
    if (at_front) {
      level.PushFront(thread);
    } else {
      level.PushBack(thread);
    }
    bitmap_ |= uint64_t{1} << priority;
    ++size_;
  }

  // Off the queue. Uses the priority it was queued at: effective_priority
  // changes only while the thread is off the queue (see
  // Scheduler::SetEffectivePriority).
  void Remove(Thread* thread) {
    const Priority priority = thread->effective_priority();
    ThreadList& level = levels_[priority];
    level.Remove(thread);
    if (level.empty()) bitmap_ &= ~(uint64_t{1} << priority);
    --size_;
  }

  // Dequeues the first thread of the highest priority in `priorities`.
  Thread* PopHighest(uint64_t priorities = kAllPriorities) {
    const uint64_t candidates = bitmap_ & priorities;
    if (candidates == 0) return nullptr;
    const int priority = 63 - std::countl_zero(candidates);
    ThreadList& level = levels_[priority];
    Thread* thread = level.PopFront();
    if (level.empty()) bitmap_ &= ~(uint64_t{1} << priority);
    --size_;
    return thread;
  }

  // The first queued thread, highest priority first, that `accept(thread)`
  // takes; null if none. For stealing.
  template <typename Predicate>
  Thread* FindHighest(Predicate accept) const {
    uint64_t remaining = bitmap_;
    while (remaining != 0) {
      const int priority = 63 - std::countl_zero(remaining);
      remaining &= ~(uint64_t{1} << priority);
      for (Thread* thread = levels_[priority].front(); thread != nullptr;
           thread = ThreadList::Next(thread)) {
        if (accept(thread)) return thread;
      }
    }
    return nullptr;
  }

 private:
  uint64_t bitmap_ = 0;
  size_t size_ = 0;
  std::array<ThreadList, kPriorityCount> levels_;
};

}  // namespace vos

#endif  // VERIDIAN_SRC_SCHED_RUN_QUEUE_H_
