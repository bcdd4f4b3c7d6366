// The simulator's cost per event as the machine grows: the ipc_channels
// kernel workload (every CPU a sender and a receiver thread on async
// channels, src/workloads/ipc_channels.h) on 1 to 256 simulated CPUs with
// the same total of 8192 messages spread over the senders, and the 64-CPU
// scenario's configuration (scenarios/ipc_channels_64.toml: 64 senders x 32
// messages). Two units (bench/sim_workload.h): host ns per interleaving
// point (a CPU step and a pick: the simulator's unit of work) and per trace
// event. The cost per trace event should stay flat from 1 to 256 CPUs
// (target: within 2x).
#include <algorithm>
#include <cstdio>
#include <string>

#include "bench/ratio_reporter.h"
#include "bench/sim_bench.h"
#include "bench/sim_workload.h"
#include "benchmark/benchmark.h"

namespace {

constexpr uint32_t kTotalMessages = 8192;
constexpr int kCpuCounts[] = {1, 2, 4, 8, 16, 32, 64, 128, 256};

void CpuCounts(benchmark::internal::Benchmark* b) {
  for (int cpus : kCpuCounts) b->Arg(cpus);
}

// Times are per unit (manual time): min_time would ask for millions of
// runs, so a fixed 3 runs, 3 times over.
void PerUnitRuns(benchmark::internal::Benchmark* b) {
  b->UseManualTime()->Iterations(3)->Repetitions(3)->ReportAggregatesOnly(true);
}

void BM_IpcPerInterleaving(benchmark::State& state) {
  const uint32_t cpus = static_cast<uint32_t>(state.range(0));
  bench::RunIpcChannels(state, cpus, kTotalMessages / cpus, bench::PerUnit::kInterleaving);
}
BENCHMARK(BM_IpcPerInterleaving)->Apply(CpuCounts)->Apply(PerUnitRuns);

void BM_IpcPerTraceEvent(benchmark::State& state) {
  const uint32_t cpus = static_cast<uint32_t>(state.range(0));
  bench::RunIpcChannels(state, cpus, kTotalMessages / cpus, bench::PerUnit::kTraceEvent);
}
BENCHMARK(BM_IpcPerTraceEvent)->Apply(CpuCounts)->Apply(PerUnitRuns);

// The 64-CPU scenario's shape; the label carries its trace hash.
void RunScenario64(benchmark::State& state, bench::PerUnit unit) {
  const sim::RunResult result = bench::RunIpcChannels(state, 64, 32, unit);
  char hash[32];
  std::snprintf(hash, sizeof(hash), "trace hash %016lx", result.trace_hash);
  state.SetLabel(hash);
}

void BM_IpcScenario64PerInterleaving(benchmark::State& state) {
  RunScenario64(state, bench::PerUnit::kInterleaving);
}
BENCHMARK(BM_IpcScenario64PerInterleaving)->Apply(PerUnitRuns);

void BM_IpcScenario64PerTraceEvent(benchmark::State& state) {
  RunScenario64(state, bench::PerUnit::kTraceEvent);
}
BENCHMARK(BM_IpcScenario64PerTraceEvent)->Apply(PerUnitRuns);

void PrintTable(const bench::RatioReporter& reporter, const char* benchmark, const char* unit) {
  double cheapest = 0;
  double dearest = 0;
  std::printf("host ns per %s (median) and %ss per host second:\n", unit, unit);
  for (int cpus : kCpuCounts) {
    const double ns = reporter.Median(std::string(benchmark) + "/" + std::to_string(cpus));
    if (ns <= 0) continue;
    std::printf("  %3d cpus: %7.1f ns, %7.2fM/s\n", cpus, ns, 1e3 / ns);
    cheapest = cheapest == 0 ? ns : std::min(cheapest, ns);
    dearest = std::max(dearest, ns);
  }
  if (cheapest > 0) std::printf("  dearest / cheapest CPU count: %.2fx\n", dearest / cheapest);
}

}  // namespace

int main(int argc, char** argv) {
  return bench::Main(argc, argv, [](const bench::RatioReporter& reporter) {
    PrintTable(reporter, "BM_IpcPerInterleaving", "interleaving point");
    PrintTable(reporter, "BM_IpcPerTraceEvent", "trace event");
    struct ScenarioUnit {
      const char* benchmark;
      const char* unit;
    };
    for (const ScenarioUnit& u :
         {ScenarioUnit{"BM_IpcScenario64PerInterleaving", "interleaving point"},
          ScenarioUnit{"BM_IpcScenario64PerTraceEvent", "trace event (simulated event)"}}) {
      const double ns = reporter.Median(u.benchmark);
      if (ns <= 0) continue;
      std::printf("scenarios/ipc_channels_64.toml: %.1f ns per %s, %.2fM per host second\n", ns,
                  u.unit, 1e3 / ns);
    }
    // Per trace event is the simulator's unit of output (what a trace holds)
    // and the flatness target. One CPU never switches fibres and records few
    // events, so its per-event cost is high and its per-interleaving cost
    // low: the interleaving ratios are printed for the record, without target.
    reporter.PrintRatio("cost per trace event, 256 cpus vs 2 cpus", "BM_IpcPerTraceEvent/256",
                        "BM_IpcPerTraceEvent/2", "target: flat, within 2x");
    reporter.PrintRatio("cost per trace event, 256 cpus vs 1 cpu", "BM_IpcPerTraceEvent/256",
                        "BM_IpcPerTraceEvent/1", "target: flat, within 2x");
    reporter.PrintRatio("cost per interleaving point, 256 cpus vs 2 cpus",
                        "BM_IpcPerInterleaving/256", "BM_IpcPerInterleaving/2",
                        "no target: on 2 cpus half the picks stay on the same fibre");
    reporter.PrintRatio("cost per interleaving point, 256 cpus vs 1 cpu",
                        "BM_IpcPerInterleaving/256", "BM_IpcPerInterleaving/1",
                        "no target: 1 cpu never switches fibres");
  });
}
