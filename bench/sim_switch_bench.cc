// A simulated CPU switch through the simulator's scheduler, against a raw
// Boost.Context fiber resume measured in the same process. Every iteration is
// a round trip: two switches.
//
// Both simulated CPUs run the same loop, so each resumed CPU returns from
// hal::CpuRelax to the call site the return-stack predictor expects, as the
// raw peer's inlined resumes do. BM_SimCpuRoundTripDistinctCallers shows the
// cost when the two CPUs call from different places (every return after a
// switch then mispredicts); see docs/simulator.md.
#include <boost/context/fiber.hpp>

#include "bench/sim_bench.h"
#include "benchmark/benchmark.h"
#include "sim/fiber.h"
#include "sim/machine.h"
#include "src/hal/cpu.h"

namespace {

namespace ctx = boost::context;

void BM_RawFiberRoundTrip(benchmark::State& state) {
  ctx::fiber peer{[](ctx::fiber&& back) {
    for (;;) back = std::move(back).resume();
    return std::move(back);
  }};
  for (auto _ : state) peer = std::move(peer).resume();
}
BENCHMARK(BM_RawFiberRoundTrip)->Repetitions(5)->ReportAggregatesOnly(true);

// The simulator's own fiber switch (sim/fiber.h) without the scheduler.
sim::FiberHandle bench_fiber = nullptr;
sim::FiberHandle peer_fiber = nullptr;

void BM_SimFiberRoundTrip(benchmark::State& state) {
  sim::FiberStack stack(64 * 1024);
  peer_fiber = sim::PrepareFiber(
      stack.base(), stack.size(),
      [](void*) {
        for (;;) sim::SwitchFiber(&peer_fiber, bench_fiber);
      },
      nullptr);
  for (auto _ : state) sim::SwitchFiber(&bench_fiber, peer_fiber);
}
BENCHMARK(BM_SimFiberRoundTrip)->Repetitions(5)->ReportAggregatesOnly(true);

using KeepGoing = bool (*)(void* arg);
bool Forever(void*) { return true; }
bool WhileTiming(void* state) { return static_cast<benchmark::State*>(state)->KeepRunning(); }

// One loop for both CPUs; noipa keeps the compiler from cloning it per
// caller, which would give each CPU its own call site again.
[[gnu::noipa]] void RelaxLoop(KeepGoing keep_going, void* arg) {
  while (keep_going(arg)) hal::CpuRelax();
}

void SharedLoop(benchmark::State& state) {
  hal::StartCpu(1, [](hal::CpuId) { RelaxLoop(Forever, nullptr); });
  hal::CpuRelax();  // Let CPU 1 start before timing.
  RelaxLoop(WhileTiming, &state);
}

void DistinctCallers(benchmark::State& state) {
  hal::StartCpu(1, [](hal::CpuId) {
    for (;;) hal::CpuRelax();
  });
  hal::CpuRelax();
  for (auto _ : state) hal::CpuRelax();
}

void RunSimSwitches(benchmark::State& state, sim::SchedulePolicy policy,
                    void (*loop)(benchmark::State&)) {
  sim::MachineConfig config = bench::BenchMachine(2, 4 << 20);
  config.policy = policy;
  config.costs.cpu_start = 0;
  const sim::RunResult result = bench::RunInSim(state, config, [&] { loop(state); });
  state.counters["switches_per_iter"] =
      static_cast<double>(result.cpu_switches) / static_cast<double>(state.iterations());
}

// Round robin: every interleaving point switches CPU, as the raw peer does.
void BM_SimCpuRoundTrip(benchmark::State& state) {
  RunSimSwitches(state, sim::SchedulePolicy::kRoundRobin, SharedLoop);
}
BENCHMARK(BM_SimCpuRoundTrip)->Repetitions(5)->ReportAggregatesOnly(true);

void BM_SimCpuRoundTripDistinctCallers(benchmark::State& state) {
  RunSimSwitches(state, sim::SchedulePolicy::kRoundRobin, DistinctCallers);
}
BENCHMARK(BM_SimCpuRoundTripDistinctCallers)->Repetitions(5)->ReportAggregatesOnly(true);

// The seeded random policy, for reference: it stays on the same CPU about
// half the time, so its cost per iteration is not one full round trip.
void BM_SimInterleaveRandomPolicy(benchmark::State& state) {
  RunSimSwitches(state, sim::SchedulePolicy::kRandom, SharedLoop);
}
BENCHMARK(BM_SimInterleaveRandomPolicy)->Repetitions(5)->ReportAggregatesOnly(true);

}  // namespace

int main(int argc, char** argv) {
  return bench::Main(argc, argv, [](const bench::RatioReporter& reporter) {
    reporter.PrintRatio("simulated CPU switch vs raw fiber resume", "BM_SimCpuRoundTrip",
                        "BM_RawFiberRoundTrip", "target <= 3x");
    reporter.PrintRatio("the same with the CPUs calling from different places",
                        "BM_SimCpuRoundTripDistinctCallers", "BM_RawFiberRoundTrip",
                        "informational");
  });
}
