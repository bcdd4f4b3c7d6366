// Kernel spinlock. Acquire and release are interleaving points, so the
// simulator explores lock hand-over orders. Taking a lock the same CPU
// already holds panics instead of deadlocking.
//
// A holder also holds off preemption on its CPU (DisablePreemption) until
// it releases the lock: a holder switched out at an interrupt would leave
// the lock held for as long as it stays off the CPU, spun on by others, and
// could come back on another CPU. The count is per CPU, so a lock the
// scheduler hands to the next thread on the CPU (with interrupts disabled)
// is released there against the count it was taken with.
#ifndef VERIDIAN_SRC_LIB_SPINLOCK_H_
#define VERIDIAN_SRC_LIB_SPINLOCK_H_

#include <atomic>
#include <cstdint>

#include "src/hal/interrupts.h"
#include "src/hal/types.h"
#include "src/lib/thread_annotations.h"

namespace vos {

class VOS_CAPABILITY("spinlock") SpinLock {
 public:
  constexpr SpinLock() = default;
  SpinLock(const SpinLock&) = delete;
  SpinLock& operator=(const SpinLock&) = delete;

  void Acquire() VOS_ACQUIRE();
  [[nodiscard]] bool TryAcquire() VOS_TRY_ACQUIRE(true);
  void Release() VOS_RELEASE();

  bool IsHeldByCurrentCpu() const;
  // Contended acquisitions since boot (for statistics).
  uint64_t contentions() const { return contentions_.load(std::memory_order_relaxed); }

 private:
  static constexpr uint32_t kFree = 0;
  // The first step of taking the lock: disables preemption and returns the
  // CPU, which the thread now stays on.
  static hal::CpuId BeginTaking();

  // kFree, or the holder's CPU index + 1.
  std::atomic<uint32_t> holder_{kFree};
  std::atomic<uint64_t> contentions_{0};
};

class VOS_SCOPED_CAPABILITY SpinLockGuard {
 public:
  explicit SpinLockGuard(SpinLock& lock) VOS_ACQUIRE(lock) : lock_(lock) { lock_.Acquire(); }
  ~SpinLockGuard() VOS_RELEASE() { lock_.Release(); }
  SpinLockGuard(const SpinLockGuard&) = delete;
  SpinLockGuard& operator=(const SpinLockGuard&) = delete;

 private:
  SpinLock& lock_;
};

// Disables interrupts, then takes the lock: for locks also taken in traps.
class VOS_SCOPED_CAPABILITY IrqSpinLockGuard {
 public:
  explicit IrqSpinLockGuard(SpinLock& lock) VOS_ACQUIRE(lock)
      : saved_(hal::InterruptsSaveAndDisable()), lock_(lock) {
    lock_.Acquire();
  }
  ~IrqSpinLockGuard() VOS_RELEASE() {
    lock_.Release();
    hal::InterruptsRestore(saved_);
  }
  IrqSpinLockGuard(const IrqSpinLockGuard&) = delete;
  IrqSpinLockGuard& operator=(const IrqSpinLockGuard&) = delete;

 private:
  hal::InterruptState saved_;
  SpinLock& lock_;
};

}  // namespace vos

#endif  // VERIDIAN_SRC_LIB_SPINLOCK_H_
