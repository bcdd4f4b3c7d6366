// Kernel spinlock. Acquire and release are interleaving points, so the
// simulator explores lock hand-over orders. Taking a lock the same CPU
// already holds panics instead of deadlocking.
#ifndef VERIDIAN_SRC_LIB_SPINLOCK_H_
#define VERIDIAN_SRC_LIB_SPINLOCK_H_

#include <atomic>
#include <cstdint>

#include "src/hal/interrupts.h"
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
