// Kernel threads on one simulated CPU against their host peers, measured in
// the same process:
//  - context switch: two kernel threads yield to each other, against two
//    host threads pinned to one CPU handing a futex back and forth. Each
//    iteration is a round trip, two switches, on both sides.
//  - uncontended mutex: vos::Mutex Lock+Unlock in a kernel thread, against
//    std::mutex on the host.
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <thread>

#include "bench/ratio_reporter.h"
#include "benchmark/benchmark.h"
#include "src/hal/power.h"
#include "src/sched/scheduler.h"
#include "src/sync/mutex.h"
#include "tests/support/scheduled_machine.h"

namespace {

testing_support::ScheduledMachine OneCpu() {
  return {.cpus = 1,
          .max_threads = 8,
          .time_slice = 1'000'000,
          .policy = sim::SchedulePolicy::kRoundRobin,
          .max_interleavings = 0};
}

void SetSwitchCounter(benchmark::State& state) {
  state.counters["ns_per_switch"] = benchmark::Counter(
      2e9, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

benchmark::State* bench_state = nullptr;
std::atomic<bool> partner_stop{false};

void BM_KernelYieldPingPong(benchmark::State& state) {
  bench_state = &state;
  partner_stop = false;
  sim::RunResult result = testing_support::RunScheduled(OneCpu(), [] {
    vos::Thread* partner = testing_support::StartThread(
        [](void*) {
          while (!partner_stop.load(std::memory_order_relaxed)) vos::Scheduler::Yield();
        },
        nullptr);
    vos::Scheduler::Yield();  // Let the partner start before timing.
    for (auto _ : *bench_state) vos::Scheduler::Yield();
    partner_stop = true;
    (void)vos::Scheduler::Join(partner->id());
  });
  if (result.outcome != sim::RunOutcome::kPoweredOff) state.SkipWithError("machine failed");
  SetSwitchCounter(state);
}
BENCHMARK(BM_KernelYieldPingPong)->Repetitions(5)->ReportAggregatesOnly(true);

long Futex(std::atomic<int>* word, int op, int value) {
  return syscall(SYS_futex, reinterpret_cast<int*>(word), op, value, nullptr, nullptr, 0);
}

void PinToCpu0() {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(0, &set);
  pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

// Host peer: whose turn it is lives in one futex word; 0 = the benchmark
// thread's, 1 = the partner's, 2 = stop.
void BM_HostFutexPingPong(benchmark::State& state) {
  cpu_set_t saved;
  pthread_getaffinity_np(pthread_self(), sizeof(saved), &saved);
  PinToCpu0();
  std::atomic<int> turn{0};
  std::thread partner([&turn] {
    PinToCpu0();
    for (;;) {
      int value = turn.load();
      while (value == 0) {
        Futex(&turn, FUTEX_WAIT_PRIVATE, 0);
        value = turn.load();
      }
      if (value == 2) return;
      turn.store(0);
      Futex(&turn, FUTEX_WAKE_PRIVATE, 1);
    }
  });
  for (auto _ : state) {
    turn.store(1);
    Futex(&turn, FUTEX_WAKE_PRIVATE, 1);
    while (turn.load() == 1) Futex(&turn, FUTEX_WAIT_PRIVATE, 1);
  }
  turn.store(2);
  Futex(&turn, FUTEX_WAKE_PRIVATE, 1);
  partner.join();
  pthread_setaffinity_np(pthread_self(), sizeof(saved), &saved);
  SetSwitchCounter(state);
}
BENCHMARK(BM_HostFutexPingPong)->Repetitions(5)->ReportAggregatesOnly(true)->UseRealTime();

void BM_KernelMutexLockUnlock(benchmark::State& state) {
  bench_state = &state;
  sim::RunResult result = testing_support::RunScheduled(OneCpu(), [] {
    vos::Mutex mutex;
    for (auto _ : *bench_state) {
      mutex.Lock();
      mutex.Unlock();
    }
  });
  if (result.outcome != sim::RunOutcome::kPoweredOff) state.SkipWithError("machine failed");
}
BENCHMARK(BM_KernelMutexLockUnlock)->Repetitions(5)->ReportAggregatesOnly(true);

void BM_HostStdMutexLockUnlock(benchmark::State& state) {
  std::mutex mutex;
  for (auto _ : state) {
    mutex.lock();
    mutex.unlock();
  }
}
BENCHMARK(BM_HostStdMutexLockUnlock)->Repetitions(5)->ReportAggregatesOnly(true);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  bench::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  const double kernel_round_trip = reporter.Median("BM_KernelYieldPingPong");
  if (kernel_round_trip > 0) {
    std::printf("kernel thread context switch: median %.1f ns per switch (target <= 100 ns)\n",
                kernel_round_trip / 2);
  }
  reporter.PrintRatio("host futex ping-pong vs kernel yield ping-pong", "BM_HostFutexPingPong",
                      "BM_KernelYieldPingPong", "target >= 20x");
  reporter.PrintRatio("kernel mutex vs std::mutex, uncontended lock+unlock",
                      "BM_KernelMutexLockUnlock", "BM_HostStdMutexLockUnlock",
                      "target <= 2x");
  benchmark::Shutdown();
  return 0;
}
