// A kernel thread: its own kernel stack and saved kernel context, its
// scheduling state and its statistics. Threads live in a ThreadTable and are
// named by ThreadIds that never confuse a reused slot with its old thread.
//
// Kept in src/sched rather than src/proc: almost every field is the
// scheduler's, and a process (src/proc, later) only groups threads and points
// at them.
#ifndef VERIDIAN_SRC_SCHED_THREAD_H_
#define VERIDIAN_SRC_SCHED_THREAD_H_

#include <atomic>
#include <cstdint>

#include "src/hal/atomic.h"
#include "src/hal/context.h"
#include "src/hal/types.h"
#include "src/lib/assert.h"
#include "src/lib/status.h"
#include "src/lib/cpu_mask.h"
#include "src/sched/priority.h"
#include "src/sched/timer_queue.h"

namespace vos {

class Mutex;
class WaitQueue;
struct SchedulerImpl;  // scheduler.cc

// Slot index in the low 32 bits, the slot's generation in the high 32 bits.
// Generation 0 is never used, so ThreadId{0} names no thread.
struct ThreadId {
  uint64_t value = 0;

  static constexpr ThreadId Make(uint32_t index, uint32_t generation) {
    return ThreadId{(uint64_t{generation} << 32) | index};
  }
  constexpr uint32_t index() const { return static_cast<uint32_t>(value); }
  constexpr uint32_t generation() const { return static_cast<uint32_t>(value >> 32); }
  constexpr bool valid() const { return generation() != 0; }
  constexpr bool operator==(const ThreadId&) const = default;
};

enum class ThreadState : uint8_t {
  kFree,      // A table slot with no thread.
  kRunnable,  // On a run queue (or moving between two).
  kRunning,
  kBlocked,   // On a wait queue.
  kSleeping,  // Waiting for a deadline only.
  kExited,    // Finished; its stack is given back once it is switched out.
};
const char* ThreadStateName(ThreadState state);

using ThreadEntry = void (*)(void* arg);

struct ThreadOptions {
  const char* name = "thread";
  Priority priority = kDefaultPriority;
  CpuMask affinity = CpuMask::All();
  // The CPU whose run queue receives the new thread; by default the
  // creator's (if the affinity allows it). Balancing moves it later.
  hal::CpuId cpu = CpuMask::kNone;
  // Nobody will Join it: its slot is freed as soon as it exits.
  bool detached = false;
};

// Counted by the scheduler; read them racily for statistics, or exactly
// once the thread exited.
struct ThreadStats {
  uint64_t switches_in = 0;
  uint64_t preemptions = 0;  // Switched out involuntarily (slice or priority).
  uint64_t yields = 0;
  uint64_t blocks = 0;       // Blocked or slept.
  uint64_t wakeups = 0;
  uint64_t migrations = 0;   // Moved to another CPU's run queue.
  hal::Nanoseconds run_time = 0;
  hal::Nanoseconds created_at = 0;
  hal::Nanoseconds last_switch_in = 0;
};

class Thread {
 public:
  Thread() = default;
  Thread(const Thread&) = delete;
  Thread& operator=(const Thread&) = delete;

  ThreadId id() const { return id_; }
  const char* name() const { return name_; }
  ThreadState state() const { return state_.load(std::memory_order_acquire); }
  Priority base_priority() const { return base_priority_; }
  // The base priority, raised by priority inheritance while it owns a
  // mutex higher-priority threads wait for.
  Priority effective_priority() const {
    return effective_priority_.load(std::memory_order_relaxed);
  }
  const CpuMask& affinity() const { return affinity_; }
  // The CPU it runs on, or whose run queue it is on, or it last ran on.
  hal::CpuId cpu() const { return cpu_.load(std::memory_order_relaxed); }
  const ThreadStats& stats() const { return stats_; }
  int64_t exit_code() const { return exit_code_; }

  // Free for the creator's use (tests tag threads with it).
  uint64_t user_data = 0;

 private:
  friend class Scheduler;
  friend struct SchedulerImpl;
  friend class ThreadTable;
  friend class ThreadList;
  friend class WaitQueue;
  friend class Mutex;

  // Identity and lifetime (ThreadTable).
  ThreadId id_;
  uint32_t generation_ = 0;
  Thread* next_free_ = nullptr;
  const char* name_ = "";
  bool detached_ = false;
  bool joined_ = false;  // A Join claimed it (under the table lock).
  // Set once its stack is given back; then only Join may touch it.
  bool reaped_ = false;
  int64_t exit_code_ = 0;

  // Execution.
  void* stack_ = nullptr;
  hal::KernelContext context_;
  ThreadEntry entry_ = nullptr;
  void* arg_ = nullptr;

  // Scheduling. state_ and links_ change under the lock of the run queue or
  // wait queue the thread is on (or is being put on).
  std::atomic<ThreadState> state_{ThreadState::kFree};
  Priority base_priority_ = kDefaultPriority;
  std::atomic<Priority> effective_priority_{kDefaultPriority};
  CpuMask affinity_;
  std::atomic<hal::CpuId> cpu_{0};
  // True from when a CPU picks it until the next thread on that CPU has
  // finished switching away from it: its context is not saved before that.
  std::atomic<bool> on_cpu_{false};
  // Which kind of list links_ is on (run queue or wait queue), if any.
  bool queued_ = false;
  Thread* next_ = nullptr;
  Thread* prev_ = nullptr;
  // Of the current time slice. A thread preempted before its slice ended
  // is requeued at the head of its level, so it finishes the slice first.
  hal::Nanoseconds slice_left_ = 0;

  // Waiting (WaitQueue). blocked_on_ and wait_result_ change under the wait
  // queue's lock.
  WaitQueue* blocked_on_ = nullptr;
  Status wait_result_ = Status::kOk;
  Timer timeout_;
  // Interruption (WaitQueue::Interrupt). interrupted_ is set once, for the
  // rest of the thread's life, when its process dies. interruptible_ says
  // whether the current wait may end on it (under the queue's lock).
  // interrupters_ counts Interrupt calls that may still take blocked_on_'s
  // lock: a woken interruptible waiter waits them out before it returns, so
  // its queue outlives them.
  std::atomic<bool> interrupted_{false};
  bool interruptible_ = false;
  hal::Atomic<uint32_t> interrupters_{0};

  // Priority inheritance (Mutex), under the global inheritance lock.
  Mutex* waiting_for_ = nullptr;
  Mutex* contended_mutexes_ = nullptr;  // Owned mutexes that have waiters.

  // Join: woken when the thread is reaped. Points into the thread's own
  // storage (see Scheduler); a pointer to keep WaitQueue out of this header.
  WaitQueue* joiners_ = nullptr;

  ThreadStats stats_;
};

// A FIFO of threads through their links_: run queue levels and wait queues.
// The owner's lock protects it.
class ThreadList {
 public:
  constexpr ThreadList() = default;
  ThreadList(const ThreadList&) = delete;
  ThreadList& operator=(const ThreadList&) = delete;

  bool empty() const { return head_ == nullptr; }
  Thread* front() const { return head_; }
  static Thread* Next(const Thread* thread) { return thread->next_; }

  // Inline: on the context-switch path.
  void PushBack(Thread* thread) { InsertBefore(nullptr, thread); }
  void PushFront(Thread* thread) { InsertBefore(head_, thread); }
  // Before `position`, or at the back when `position` is null.
  inline void InsertBefore(Thread* position, Thread* thread);
  inline void Remove(Thread* thread);
  Thread* PopFront() {
    Thread* thread = head_;
    if (thread != nullptr) Remove(thread);
    return thread;
  }

 private:
  Thread* head_ = nullptr;
  Thread* tail_ = nullptr;
};

inline void ThreadList::InsertBefore(Thread* position, Thread* thread) {
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

inline void ThreadList::Remove(Thread* thread) {
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

}  // namespace vos

#endif  // VERIDIAN_SRC_SCHED_THREAD_H_
