#include "src/lib/spinlock.h"

#include "src/hal/atomic.h"
#include "src/hal/cpu.h"
#include "src/hal/interleave.h"
#include "src/hal/trace.h"
#include "src/lib/panic.h"
#include "src/lib/preemption.h"

namespace vos {

hal::CpuId SpinLock::BeginTaking() {
  hal::InterleavingPoint(hal::InterleaveReason::kLockAcquire);
  // Read after the interleaving point (one with interrupts enabled may move
  // the thread to another CPU), and good until the release: preemption is
  // off from now on.
  const hal::CpuId cpu = hal::CurrentCpu();
  DisablePreemption(cpu);
  return cpu;
}

void SpinLock::Acquire() {
  const hal::CpuId cpu = BeginTaking();
  const uint32_t me = cpu + 1;
  uint32_t expected = kFree;
  if (hal::CompareExchangeWord(holder_, expected, me, std::memory_order_acquire)) return;
  if (expected == me) {
    Panic("spinlock %p acquired recursively on cpu %u", static_cast<void*>(this), cpu);
  }
  contentions_.fetch_add(1, std::memory_order_relaxed);
  // No lock address in the trace: host addresses differ from run to run.
  hal::TraceEvent(hal::TraceKind::kLockContended);
  for (;;) {
    // Test before test-and-set: spin on a read, yielding to the holder.
    while (holder_.load(std::memory_order_relaxed) != kFree) hal::CpuRelax();
    hal::InterleavingPoint(hal::InterleaveReason::kLockAcquire);
    expected = kFree;
    if (hal::CompareExchangeWord(holder_, expected, me, std::memory_order_acquire)) return;
  }
}

bool SpinLock::TryAcquire() {
  const hal::CpuId cpu = BeginTaking();
  uint32_t expected = kFree;
  if (hal::CompareExchangeWord(holder_, expected, cpu + 1, std::memory_order_acquire)) {
    return true;
  }
  EnablePreemption(cpu);
  return false;
}

void SpinLock::Release() {
  const hal::CpuId cpu = hal::CurrentCpu();
  const uint32_t holder = holder_.load(std::memory_order_relaxed);
  if (holder == kFree) {
    Panic("spinlock %p released by cpu %u but not held", static_cast<void*>(this), cpu);
  }
  if (holder != cpu + 1) {
    Panic("spinlock %p released by cpu %u but held by cpu %u", static_cast<void*>(this), cpu,
          holder - 1);
  }
  holder_.store(kFree, std::memory_order_release);
  // Free now: preemption may come back before the interleaving point.
  EnablePreemption(cpu);
  hal::InterleavingPoint(hal::InterleaveReason::kLockRelease);
}

bool SpinLock::IsHeldByCurrentCpu() const {
  return holder_.load(std::memory_order_relaxed) == hal::CurrentCpu() + 1;
}

}  // namespace vos
