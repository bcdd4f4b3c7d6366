// A simulated CPU switch through the simulator's scheduler, against a raw
// Boost.Context fiber resume measured in the same process. Both iterations
// are a round trip: two switches.
#include <boost/context/fiber.hpp>

#include "bench/ratio_reporter.h"
#include "benchmark/benchmark.h"
#include "sim/machine.h"
#include "src/hal/cpu.h"
#include "src/hal/power.h"

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

benchmark::State* sim_state = nullptr;

void SwitchBoot(const hal::BootInfo&) {
  hal::StartCpu(1, [](hal::CpuId) {
    for (;;) hal::CpuRelax();
  });
  hal::CpuRelax();  // Let CPU 1 start before timing.
  for (auto _ : *sim_state) hal::CpuRelax();
  hal::PowerOff(0);
}

void IgnoreTraps(hal::Trap&) {}

void RunSimSwitches(benchmark::State& state, sim::SchedulePolicy policy) {
  sim::MachineConfig config;
  config.cpus = 2;
  config.ram_per_node = 4 << 20;
  config.policy = policy;
  config.max_interleavings = 0;
  config.costs.cpu_start = 0;
  config.boot_entry = SwitchBoot;
  config.trap_handler = IgnoreTraps;
  config.echo_console = false;
  auto machine = sim::Machine::Create(config);
  if (!machine.ok()) {
    state.SkipWithError("cannot create the machine");
    return;
  }
  sim_state = &state;
  sim::RunResult result = (*machine)->Run();
  state.counters["switches_per_iter"] =
      static_cast<double>(result.cpu_switches) / static_cast<double>(state.iterations());
}

// Round robin: every interleaving point switches CPU, as the raw peer does.
void BM_SimCpuRoundTrip(benchmark::State& state) {
  RunSimSwitches(state, sim::SchedulePolicy::kRoundRobin);
}
BENCHMARK(BM_SimCpuRoundTrip)->Repetitions(5)->ReportAggregatesOnly(true);

// The seeded random policy, for reference: it stays on the same CPU about
// half the time, so its cost per iteration is not one full round trip.
void BM_SimInterleaveRandomPolicy(benchmark::State& state) {
  RunSimSwitches(state, sim::SchedulePolicy::kRandom);
}
BENCHMARK(BM_SimInterleaveRandomPolicy)->Repetitions(5)->ReportAggregatesOnly(true);

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  bench::RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.PrintRatio("simulated CPU switch vs raw fiber resume", "BM_SimCpuRoundTrip",
                      "BM_RawFiberRoundTrip", "target <= 3x");
  benchmark::Shutdown();
  return 0;
}
