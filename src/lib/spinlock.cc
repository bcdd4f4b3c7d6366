#include "src/lib/spinlock.h"

#include "src/hal/atomic.h"
#include "src/hal/cpu.h"
#include "src/hal/interleave.h"
#include "src/hal/trace.h"
#include "src/lib/panic.h"
#include "src/lib/preemption.h"

namespace vos {

SpinLock::Taker SpinLock::BeginTaking() {
  hal::InterleavingPoint(hal::InterleaveReason::kLockAcquire);
  // Read after the interleaving point (one with interrupts enabled may move
  // the thread to another CPU), and good until the release: either
  // interrupts are disabled, or preemption is from now on.
  Taker taker{hal::CurrentCpu(), hal::InterruptsEnabled()};
  if (taker.preemptible) DisablePreemption(taker.cpu);
  return taker;
}

void SpinLock::Acquire() {
  const Taker taker = BeginTaking();
  const uint32_t me = taker.cpu + 1;
  uint32_t expected = kFree;
  if (!hal::CompareExchangeWord(holder_, expected, me, std::memory_order_acquire)) {
    if (expected == me) {
      Panic("spinlock %p acquired recursively on cpu %u", static_cast<void*>(this), taker.cpu);
    }
    contentions_.fetch_add(1, std::memory_order_relaxed);
    // No lock address in the trace: host addresses differ from run to run.
    hal::TraceEvent(hal::TraceKind::kLockContended);
    for (;;) {
      // Test before test-and-set: spin on a read, yielding to the holder.
      while (holder_.load(std::memory_order_relaxed) != kFree) hal::CpuRelax();
      hal::InterleavingPoint(hal::InterleaveReason::kLockAcquire);
      expected = kFree;
      if (hal::CompareExchangeWord(holder_, expected, me, std::memory_order_acquire)) break;
    }
  }
  holder_preemptible_ = taker.preemptible;
}

bool SpinLock::TryAcquire() {
  const Taker taker = BeginTaking();
  uint32_t expected = kFree;
  if (!hal::CompareExchangeWord(holder_, expected, taker.cpu + 1, std::memory_order_acquire)) {
    if (taker.preemptible) EnablePreemption(taker.cpu);
    return false;
  }
  holder_preemptible_ = taker.preemptible;
  return true;
}

void SpinLock::Release() {
  // Still the holder's CPU after the interleaving point below: preemption
  // stays off until the end when the holder took it with interrupts enabled.
  const hal::CpuId cpu = hal::CurrentCpu();
  const uint32_t holder = holder_.load(std::memory_order_relaxed);
  if (holder == kFree) {
    Panic("spinlock %p released by cpu %u but not held", static_cast<void*>(this), cpu);
  }
  if (holder != cpu + 1) {
    Panic("spinlock %p released by cpu %u but held by cpu %u", static_cast<void*>(this), cpu,
          holder - 1);
  }
  const bool preemptible = holder_preemptible_;
  holder_.store(kFree, std::memory_order_release);
  hal::InterleavingPoint(hal::InterleaveReason::kLockRelease);
  if (preemptible) EnablePreemption(cpu);
}

bool SpinLock::IsHeldByCurrentCpu() const {
  return holder_.load(std::memory_order_relaxed) == hal::CurrentCpu() + 1;
}

}  // namespace vos
