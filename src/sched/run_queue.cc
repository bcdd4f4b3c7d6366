#include "src/sched/run_queue.h"

namespace vos {

void RunQueue::Enqueue(Thread* thread, bool at_front) {
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

void RunQueue::Remove(Thread* thread) {
  // The priority it was queued at: effective_priority changes only while
  // the thread is off the queue (Scheduler::SetEffectivePriority requeues).
  const Priority priority = thread->effective_priority();
  ThreadList& level = levels_[priority];
  level.Remove(thread);
  if (level.empty()) bitmap_ &= ~(uint64_t{1} << priority);
  --size_;
}

Thread* RunQueue::PopHighest(uint64_t priorities) {
  const uint64_t candidates = bitmap_ & priorities;
  if (candidates == 0) return nullptr;
  const int priority = 63 - std::countl_zero(candidates);
  ThreadList& level = levels_[priority];
  Thread* thread = level.PopFront();
  if (level.empty()) bitmap_ &= ~(uint64_t{1} << priority);
  --size_;
  return thread;
}

}  // namespace vos
