#include "bench/sim_bench.h"

#include <string>

#include "sim/run_body.h"

namespace bench {

sim::MachineConfig BenchMachine(uint32_t cpus, uint64_t ram_per_node) {
  sim::MachineConfig config;
  config.cpus = cpus;
  config.ram_per_node = ram_per_node;
  config.max_interleavings = 0;
  config.echo_console = false;
  return config;
}

sim::RunResult RunInSim(benchmark::State& state, const sim::MachineConfig& config,
                        const std::function<void()>& body) {
  absl::StatusOr<sim::RunResult> result = sim::RunBody(config, body);
  if (!result.ok()) {
    state.SkipWithError(("cannot create the machine: " + result.status().ToString()).c_str());
    return {};
  }
  if (result->outcome != sim::RunOutcome::kPoweredOff || result->exit_code != 0) {
    state.SkipWithError(("the simulated machine failed: " + result->failure).c_str());
  }
  return *std::move(result);
}

int Main(int argc, char** argv, const std::function<void(const RatioReporter&)>& print_ratios) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  print_ratios(reporter);
  benchmark::Shutdown();
  return 0;
}

}  // namespace bench
