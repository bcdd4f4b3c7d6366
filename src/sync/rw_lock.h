// A reader-writer lock with reader preference and bounded writer waiting.
//
// Readers enter whenever no writer holds the lock, even while writers wait
// (reader preference, as the seed design asks), but once a writer waits at
// most `reader_burst` more readers are admitted before new readers queue
// behind it. A waiting writer therefore gets the lock after at most the
// readers inside when it arrived, `reader_burst` more, and the writers
// queued before it (higher priority first): writer starvation is bounded.
// When a writer leaves, waiting readers go first.
#ifndef VERIDIAN_SRC_SYNC_RW_LOCK_H_
#define VERIDIAN_SRC_SYNC_RW_LOCK_H_

#include <cstdint>

#include "src/hal/types.h"
#include "src/lib/spinlock.h"
#include "src/lib/status.h"
#include "src/lib/thread_annotations.h"
#include "src/sched/timer_queue.h"
#include "src/sched/wait_queue.h"

namespace vos {

class RwLock {
 public:
  static constexpr uint32_t kDefaultReaderBurst = 16;

  explicit RwLock(uint32_t reader_burst = kDefaultReaderBurst) : reader_burst_(reader_burst) {}
  RwLock(const RwLock&) = delete;
  RwLock& operator=(const RwLock&) = delete;

  // kOk, or kTimedOut at `deadline`, or kInterrupted (the waiting thread's
  // process is dying: WaitQueue::Interrupt).
  Status ReadLock(hal::Nanoseconds deadline = kNoDeadline);
  void ReadUnlock();
  Status WriteLock(hal::Nanoseconds deadline = kNoDeadline);
  void WriteUnlock();

 private:
  bool ReaderMustWaitLocked() const VOS_REQUIRES(lock_);

  const uint32_t reader_burst_;
  SpinLock lock_;
  WaitQueue readers_{lock_};
  WaitQueue writers_{lock_};
  uint32_t active_readers_ VOS_GUARDED_BY(lock_) = 0;
  bool writer_active_ VOS_GUARDED_BY(lock_) = false;
  uint32_t waiting_writers_ VOS_GUARDED_BY(lock_) = 0;
  // Readers let in since a writer began waiting (reset when a writer enters).
  uint32_t admitted_past_writer_ VOS_GUARDED_BY(lock_) = 0;
};

}  // namespace vos

#endif  // VERIDIAN_SRC_SYNC_RW_LOCK_H_
