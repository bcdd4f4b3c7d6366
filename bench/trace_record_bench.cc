// The cost of recording a run's trace to a file: the same simulated workload
// run without and with a TraceWriter attached, in the same process, and the
// ratio (target: recording costs at most 1.3x). Also the simulator's
// throughput in trace events per host second as the CPU count grows.
//
// The workload is the shape of the kernel's smoke self-test, written
// against the HAL directly so it can boot many times in one process: every
// CPU takes a spinlock around a read-yield-write, sends an IPI to the next
// CPU every 8 iterations and takes timer ticks.
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <string>

#include "bench/ratio_reporter.h"
#include "benchmark/benchmark.h"
#include "sim/machine.h"
#include "sim/trace_file.h"
#include "src/hal/cpu.h"
#include "src/hal/interrupts.h"
#include "src/hal/ipi.h"
#include "src/hal/power.h"
#include "src/hal/time.h"
#include "src/lib/spinlock.h"

namespace {

uint64_t iterations = 0;  // Per CPU, per run.
constexpr hal::Nanoseconds kTick = 10'000;

vos::SpinLock lock;
uint64_t counter VOS_GUARDED_BY(lock) = 0;
std::atomic<uint32_t> cpus_done;

void OnTrap(hal::Trap& trap) {
  if (trap.kind == hal::TrapKind::kTimer) hal::TimerSetDeadline(hal::Now() + kTick);
}

void Work(hal::CpuId cpu) {
  hal::TimerSetDeadline(hal::Now() + kTick);
  hal::InterruptsEnable();
  for (uint64_t i = 0; i < iterations; ++i) {
    {
      vos::SpinLockGuard guard(lock);
      const uint64_t value = counter;
      hal::CpuRelax();
      counter = value + 1;
    }
    if (i % 8 == 0) hal::SendIpi(static_cast<hal::CpuId>((cpu + 1) % hal::CpuCount()));
  }
  hal::InterruptsDisable();
  hal::TimerCancel();
  cpus_done.fetch_add(1);
}

void Boot(const hal::BootInfo&) {
  {
    vos::SpinLockGuard guard(lock);  // Reset for this boot, before any other CPU runs.
    counter = 0;
  }
  for (hal::CpuId cpu = 1; cpu < hal::CpuCount(); ++cpu) {
    hal::StartCpu(cpu, [](hal::CpuId id) {
      Work(id);
      for (;;) hal::WaitForInterrupt();
    });
  }
  Work(0);
  while (cpus_done.load() < hal::CpuCount()) hal::CpuRelax();
  hal::PowerOff(0);
}

// Boots the workload once; with `record`, writes the trace to a file.
void RunOnce(benchmark::State& state, uint32_t cpus, bool record, uint64_t* events) {
  static const std::string path =
      std::string(getenv("TEST_TMPDIR") != nullptr ? getenv("TEST_TMPDIR") : "/tmp") +
      "/trace_record_bench." + std::to_string(getpid()) + ".vostrace";
  cpus_done.store(0);
  sim::MachineConfig config;
  config.cpus = cpus;
  config.ram_per_node = 4 << 20;
  config.boot_entry = Boot;
  config.trap_handler = OnTrap;
  config.echo_console = false;
  config.cpu_stack_size = 64 * 1024;
  std::unique_ptr<sim::TraceWriter> writer;
  if (record) {
    auto created = sim::TraceWriter::Create(path, sim::TraceFileHeader{});
    if (!created.ok()) {
      state.SkipWithError("cannot create the trace file");
      return;
    }
    writer = *std::move(created);
    config.trace_sink = writer.get();
  }
  auto machine = sim::Machine::Create(config);
  if (!machine.ok()) {
    state.SkipWithError("cannot create the machine");
    return;
  }
  const sim::RunResult result = (*machine)->Run();
  if (result.outcome != sim::RunOutcome::kPoweredOff) state.SkipWithError("the run failed");
  if (writer != nullptr) {
    if (!writer->Finish(result.trace_hash, result.trace_events).ok()) {
      state.SkipWithError("writing the trace failed");
    }
    // Each recording is a new file, as `vos_sim run --trace` usually makes:
    // rewriting one in place makes ext4 flush it on close.
    unlink(path.c_str());
  }
  *events += result.trace_events;
}

void RunWorkload(benchmark::State& state, bool record) {
  const uint32_t cpus = static_cast<uint32_t>(state.range(0));
  iterations = static_cast<uint64_t>(state.range(1));
  uint64_t events = 0;
  for (auto _ : state) RunOnce(state, cpus, record, &events);
  state.counters["events_per_run"] =
      static_cast<double>(events) / static_cast<double>(state.iterations());
  state.counters["events_per_s"] =
      benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["ns_per_event"] = benchmark::Counter(
      static_cast<double>(events), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_RunWithoutTrace(benchmark::State& state) { RunWorkload(state, false); }
void BM_RunRecordingTrace(benchmark::State& state) { RunWorkload(state, true); }
// Args: CPUs, iterations per CPU. About 80k events per run.
BENCHMARK(BM_RunWithoutTrace)->Args({4, 4000})->Repetitions(5)->ReportAggregatesOnly(true);
BENCHMARK(BM_RunRecordingTrace)->Args({4, 4000})->Repetitions(5)->ReportAggregatesOnly(true);

// Throughput as the machine grows, the same total work spread over more
// CPUs (ns_per_event should ideally stay flat).
BENCHMARK(BM_RunWithoutTrace)
    ->Args({1, 4096})
    ->Args({16, 256})
    ->Args({64, 64})
    ->Args({256, 16})
    ->Repetitions(3)
    ->ReportAggregatesOnly(true);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  bench::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.PrintRatio("4-cpu run recording its trace vs the same run without",
                      "BM_RunRecordingTrace/4/4000", "BM_RunWithoutTrace/4/4000",
                      "target <= 1.3x");
  reporter.PrintCpuRatio("the same in CPU time (without I/O waits)",
                         "BM_RunRecordingTrace/4/4000", "BM_RunWithoutTrace/4/4000",
                         "target <= 1.3x");
  benchmark::Shutdown();
  return 0;
}
