#include "src/lib/spinlock.h"

#include "src/hal/atomic.h"
#include "src/hal/cpu.h"
#include "src/hal/interleave.h"
#include "src/hal/trace.h"
#include "src/lib/panic.h"

namespace vos {

void SpinLock::Acquire() {
  hal::InterleavingPoint(hal::InterleaveReason::kLockAcquire);
  // The CPU is read after every interleaving point: one with interrupts
  // enabled may preempt the thread and move it to another CPU.
  uint32_t me = hal::CurrentCpu() + 1;
  uint32_t expected = kFree;
  if (hal::CompareExchangeWord(holder_, expected, me, std::memory_order_acquire)) {
    return;
  }
  if (expected == me) {
    Panic("spinlock %p acquired recursively on cpu %u", static_cast<void*>(this), me - 1);
  }
  contentions_.fetch_add(1, std::memory_order_relaxed);
  // No lock address in the trace: host addresses differ from run to run.
  hal::TraceEvent(hal::TraceKind::kLockContended);
  for (;;) {
    // Test before test-and-set: spin on a read, yielding to the holder.
    while (holder_.load(std::memory_order_relaxed) != kFree) hal::CpuRelax();
    hal::InterleavingPoint(hal::InterleaveReason::kLockAcquire);
    me = hal::CurrentCpu() + 1;
    expected = kFree;
    if (hal::CompareExchangeWord(holder_, expected, me, std::memory_order_acquire)) {
      return;
    }
  }
}

bool SpinLock::TryAcquire() {
  hal::InterleavingPoint(hal::InterleaveReason::kLockAcquire);
  uint32_t expected = kFree;
  return hal::CompareExchangeWord(holder_, expected, hal::CurrentCpu() + 1,
                                  std::memory_order_acquire);
}

void SpinLock::Release() {
  const uint32_t holder = holder_.load(std::memory_order_relaxed);
  if (holder == kFree) {
    Panic("spinlock %p released by cpu %u but not held", static_cast<void*>(this),
          hal::CurrentCpu());
  }
  if (holder != hal::CurrentCpu() + 1) {
    Panic("spinlock %p released by cpu %u but held by cpu %u", static_cast<void*>(this),
          hal::CurrentCpu(), holder - 1);
  }
  holder_.store(kFree, std::memory_order_release);
  hal::InterleavingPoint(hal::InterleaveReason::kLockRelease);
}

bool SpinLock::IsHeldByCurrentCpu() const {
  return holder_.load(std::memory_order_relaxed) == hal::CurrentCpu() + 1;
}

}  // namespace vos
