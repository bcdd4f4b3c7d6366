#include "src/sched/thread.h"

#include "src/lib/assert.h"

namespace vos {

const char* ThreadStateName(ThreadState state) {
  switch (state) {
    case ThreadState::kFree: return "free";
    case ThreadState::kRunnable: return "runnable";
    case ThreadState::kRunning: return "running";
    case ThreadState::kBlocked: return "blocked";
    case ThreadState::kSleeping: return "sleeping";
    case ThreadState::kExited: return "exited";
  }
  return "unknown";
}

void ThreadList::InsertBefore(Thread* position, Thread* thread) {
  VOS_ASSERT_MSG(!thread->queued_, "thread %s is already on a queue", thread->name_);
  thread->queued_ = true;
  thread->next_ = position;
  thread->prev_ = position != nullptr ? position->prev_ : tail_;
  if (thread->prev_ != nullptr) {
    thread->prev_->next_ = thread;
  } else {
    head_ = thread;
  }
  if (position != nullptr) {
    position->prev_ = thread;
  } else {
    tail_ = thread;
  }
}

void ThreadList::PushBack(Thread* thread) { InsertBefore(nullptr, thread); }

void ThreadList::PushFront(Thread* thread) { InsertBefore(head_, thread); }

void ThreadList::Remove(Thread* thread) {
  VOS_ASSERT_MSG(thread->queued_, "thread %s is on no queue", thread->name_);
  if (thread->prev_ != nullptr) {
    thread->prev_->next_ = thread->next_;
  } else {
    head_ = thread->next_;
  }
  if (thread->next_ != nullptr) {
    thread->next_->prev_ = thread->prev_;
  } else {
    tail_ = thread->prev_;
  }
  thread->next_ = nullptr;
  thread->prev_ = nullptr;
  thread->queued_ = false;
}

Thread* ThreadList::PopFront() {
  Thread* thread = head_;
  if (thread != nullptr) Remove(thread);
  return thread;
}

}  // namespace vos
