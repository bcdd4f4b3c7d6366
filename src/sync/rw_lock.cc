#include "src/sync/rw_lock.h"

namespace vos {

// The analysis cannot see that readers_ and writers_ are guarded by lock_
// (they were built on it), so the functions that block or wake on them
// skip it; they all hold lock_ throughout.

bool RwLock::ReaderMustWaitLocked() const {
  return writer_active_ || (waiting_writers_ > 0 && admitted_past_writer_ >= reader_burst_);
}

Status RwLock::ReadLock(hal::Nanoseconds deadline) VOS_NO_THREAD_SAFETY_ANALYSIS {
  IrqSpinLockGuard guard(lock_);
  while (ReaderMustWaitLocked()) {
    const Status woken = readers_.BlockInterruptiblyLocked(deadline);
    if (woken != Status::kOk) return woken;
  }
  ++active_readers_;
  if (waiting_writers_ > 0) ++admitted_past_writer_;
  return Status::kOk;
}

void RwLock::ReadUnlock() VOS_NO_THREAD_SAFETY_ANALYSIS {
  IrqSpinLockGuard guard(lock_);
  if (--active_readers_ == 0 && waiting_writers_ > 0) writers_.WakeOneLocked();
}

Status RwLock::WriteLock(hal::Nanoseconds deadline) VOS_NO_THREAD_SAFETY_ANALYSIS {
  IrqSpinLockGuard guard(lock_);
  ++waiting_writers_;
  while (writer_active_ || active_readers_ > 0) {
    if (const Status woken = writers_.BlockInterruptiblyLocked(deadline); woken != Status::kOk) {
      // Readers held back for us must not wait for a writer that left.
      if (--waiting_writers_ == 0) readers_.WakeAllLocked();
      return woken;
    }
  }
  --waiting_writers_;
  writer_active_ = true;
  admitted_past_writer_ = 0;
  return Status::kOk;
}

void RwLock::WriteUnlock() VOS_NO_THREAD_SAFETY_ANALYSIS {
  IrqSpinLockGuard guard(lock_);
  writer_active_ = false;
  // Reader preference: waiting readers first; the last of them wakes the
  // next writer (ReadUnlock).
  if (readers_.WakeAllLocked() == 0) writers_.WakeOneLocked();
}

}  // namespace vos
