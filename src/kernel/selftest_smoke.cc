// The smoke self-test: every CPU contends on one spinlock around a
// read-yield-write of a shared counter (lost updates would show a broken
// lock), posts requests to the other CPUs' mailboxes with an IPI each, and
// takes periodic timer ticks. Passes when the counter is exact and every
// request was consumed exactly once. Hardware may coalesce IPIs (hal/ipi.h),
// so the check counts requests, not traps.
#include <atomic>

#include "src/hal/atomic.h"
#include "src/hal/cpu.h"
#include "src/hal/interrupts.h"
#include "src/hal/ipi.h"
#include "src/hal/time.h"
#include "src/kernel/percpu.h"
#include "src/kernel/selftest.h"
#include "src/lib/assert.h"
#include "src/lib/print.h"
#include "src/lib/spinlock.h"

namespace kernel {
namespace {

constexpr uint64_t kDefaultIterations = 200;
constexpr uint64_t kIpiEvery = 4;
constexpr hal::Nanoseconds kDefaultTick = 10'000;  // tick_ns= overrides it.
// How long the boot CPU waits for IPIs in flight before failing.
constexpr hal::Nanoseconds kDrainTimeout = 1'000'000'000;

struct State {
  uint64_t iterations = 0;
  hal::Nanoseconds tick = kDefaultTick;
  uint32_t cpus = 0;
  vos::SpinLock lock;
  uint64_t counter VOS_GUARDED_BY(lock) = 0;
  bool in_critical_section VOS_GUARDED_BY(lock) = false;
  hal::Atomic<uint64_t> requests_sent_to[hal::kMaxCpus];
  hal::Atomic<uint64_t> mailbox[hal::kMaxCpus];
  hal::Atomic<uint64_t> requests_consumed_by[hal::kMaxCpus];
  hal::Atomic<uint64_t> ticks[hal::kMaxCpus];
  hal::Atomic<uint32_t> finished_cpus;
};
State state;

void OnIpi() {
  const hal::CpuId cpu = hal::CurrentCpu();
  state.requests_consumed_by[cpu].FetchAdd(state.mailbox[cpu].Exchange(0));
}

void OnTick() {
  state.ticks[hal::CurrentCpu()].FetchAdd(1);
  hal::TimerSetDeadline(hal::Now() + state.tick);
}

bool Setup(const vos::CommandLine& command_line, uint32_t cpus) {
  state.cpus = cpus;
  vos::Result<uint64_t> tick = command_line.GetUint("tick_ns", kDefaultTick);
  if (!tick.ok() || *tick == 0) {
    vos::Printf("smoke: tick_ns= must be a positive decimal number\n");
    return false;
  }
  state.tick = *tick;
  return ParseIterations(command_line, "smoke", kDefaultIterations, &state.iterations);
}

void IncrementUnderLock() {
  vos::SpinLockGuard guard(state.lock);
  VOS_ASSERT_MSG(!state.in_critical_section, "two CPUs inside the smoke critical section");
  state.in_critical_section = true;
  uint64_t value = state.counter;
  hal::CpuRelax();  // Invite another CPU in: the lock must keep it out.
  state.counter = value + 1;
  state.in_critical_section = false;
}

void RunOnCpu(hal::CpuId cpu) {
  PerCpu& mine = CpuData(cpu);
  mine.on_ipi = OnIpi;
  mine.on_timer = OnTick;
  hal::TimerSetDeadline(hal::Now() + state.tick);
  hal::InterruptsEnable();
  for (uint64_t i = 0; i < state.iterations; ++i) {
    IncrementUnderLock();
    if (i % kIpiEvery == 0) {
      hal::CpuId target = static_cast<hal::CpuId>((cpu + 1 + i / kIpiEvery) % state.cpus);
      state.requests_sent_to[target].FetchAdd(1);
      state.mailbox[target].FetchAdd(1);
      hal::SendIpi(target);
    }
  }
  hal::InterruptsDisable();
  hal::TimerCancel();
  mine.on_timer = nullptr;
  state.finished_cpus.FetchAdd(1);
}

uint64_t Sum(const hal::Atomic<uint64_t>* values) {
  uint64_t sum = 0;
  for (uint32_t cpu = 0; cpu < state.cpus; ++cpu) sum += values[cpu].Load();
  return sum;
}

bool Finish() {
  // IPIs sent late may still be on their way to idle CPUs.
  hal::InterruptsEnable();
  const hal::Nanoseconds give_up = hal::Now() + kDrainTimeout;
  while (Sum(state.requests_consumed_by) < Sum(state.requests_sent_to) &&
         hal::Now() < give_up) {
    hal::CpuRelax();
  }
  hal::InterruptsDisable();
  bool pass = true;
  uint64_t counter;
  {
    vos::SpinLockGuard guard(state.lock);
    counter = state.counter;
  }
  const uint64_t expected = state.iterations * state.cpus;
  vos::Printf("smoke: counter %lu (expected %lu), lock contentions %lu\n", counter, expected,
              state.lock.contentions());
  if (counter != expected) pass = false;
  for (uint32_t cpu = 0; cpu < state.cpus; ++cpu) {
    uint64_t sent = state.requests_sent_to[cpu].Load();
    uint64_t consumed = state.requests_consumed_by[cpu].Load();
    vos::Printf("smoke: cpu %u: requests sent %lu, consumed %lu, ipi traps %lu, ticks %lu\n",
                cpu, sent, consumed, CpuData(cpu).ipis_received.load(), state.ticks[cpu].Load());
    if (sent != consumed) pass = false;
  }
  return pass;
}

}  // namespace

const SelfTest kSmokeTest = {
    .name = "smoke",
    .description = "spinlock contention, IPIs around the CPU ring, timer ticks (default)",
    .setup = Setup,
    .run_on_cpu = RunOnCpu,
    .finish = Finish,
};

}  // namespace kernel
