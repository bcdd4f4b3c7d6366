// Kernel spinlock. Acquire and release are interleaving points, so the
// simulator explores lock hand-over orders. Taking a lock the same CPU
// already holds panics instead of deadlocking.
//
// Taken with interrupts enabled, the lock also holds off preemption
// (DisablePreemption) until released: a holder switched out at an
// interrupt would leave the lock held for as long as it stays off the CPU,
// spun on by others, and could come back on another CPU. With interrupts
// disabled nothing can switch the holder out, and the lock may pass to
// the next thread on the CPU (the scheduler's hand-offs).
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
  // Who tries to take the lock: from here on the thread stays on `cpu`.
  struct Taker {
    hal::CpuId cpu;
    bool preemptible;  // Interrupts were enabled: preemption is now off.
  };
  static Taker BeginTaking();

  // kFree, or the holder's CPU index + 1.
  std::atomic<uint32_t> holder_{kFree};
  // Whether the holder disabled preemption (only the holder touches it).
  bool holder_preemptible_ = false;
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
