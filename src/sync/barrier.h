// A reusable barrier for a fixed number of threads: each phase ends when
// the last of them arrives, which wakes the others.
#ifndef VERIDIAN_SRC_SYNC_BARRIER_H_
#define VERIDIAN_SRC_SYNC_BARRIER_H_

#include <cstdint>

#include "src/lib/thread_annotations.h"
#include "src/sched/wait_queue.h"

namespace vos {

class Barrier {
 public:
  explicit Barrier(uint32_t parties) : parties_(parties) {}
  Barrier(const Barrier&) = delete;
  Barrier& operator=(const Barrier&) = delete;

  // Sleeps until `parties` threads arrived in this phase. Returns true in
  // exactly one of them per phase (the last to arrive). An interrupted
  // waiter (WaitQueue::Interrupt: its process is dying) returns false at
  // once and its arrival still counts, so the others are not held up by a
  // party that died at the barrier.
  bool ArriveAndWait();

 private:
  const uint32_t parties_;
  WaitQueue waiters_;
  uint32_t arrived_ VOS_GUARDED_BY(waiters_.lock()) = 0;
  uint64_t phase_ VOS_GUARDED_BY(waiters_.lock()) = 0;
};

}  // namespace vos

#endif  // VERIDIAN_SRC_SYNC_BARRIER_H_
