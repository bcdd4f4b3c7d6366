#include "bench/sim_workload.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "bench/sim_bench.h"
#include "sim/scheduled_workload.h"

namespace bench {

sim::RunResult RunIpcChannels(benchmark::State& state, uint32_t cpus,
                              uint32_t messages_per_sender, PerUnit unit) {
  sim::MachineConfig config = BenchMachine(cpus, 4 << 20);
  config.seed = 1;
  config.cpu_stack_size = 64 * 1024;
  config.command_line = absl::StrCat("workload=ipc_channels iterations=", messages_per_sender);
  sim::UseScheduledWorkload(&config);
  const uint64_t messages = uint64_t{cpus} * messages_per_sender;
  sim::RunResult result;
  uint64_t events = 0;
  uint64_t interleavings = 0;
  double seconds = 0;
  for (auto _ : state) {
    absl::StatusOr<std::unique_ptr<sim::Machine>> machine = sim::Machine::Create(config);
    if (!machine.ok()) {
      state.SkipWithError("cannot create the machine");
      break;
    }
    const auto start = std::chrono::steady_clock::now();  // Host time: measuring only.
    result = (*machine)->Run();
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (result.outcome != sim::RunOutcome::kPoweredOff || result.exit_code != 0) {
      state.SkipWithError(("the workload failed: " + result.failure).c_str());
      break;
    }
    events += result.trace_events;
    interleavings += result.interleavings;
    seconds += elapsed;
    const uint64_t units = unit == PerUnit::kInterleaving ? result.interleavings
                           : unit == PerUnit::kTraceEvent ? result.trace_events
                                                          : messages;
    state.SetIterationTime(elapsed / static_cast<double>(units));
  }
  if (seconds > 0) {
    const double runs = static_cast<double>(state.iterations());
    state.counters["interleavings"] = static_cast<double>(interleavings) / runs;
    state.counters["interleavings_per_s"] = static_cast<double>(interleavings) / seconds;
    state.counters["trace_events"] = static_cast<double>(events) / runs;
    state.counters["trace_events_per_s"] = static_cast<double>(events) / seconds;
    state.counters["messages_per_s"] = static_cast<double>(messages) * runs / seconds;
  }
  return result;
}

}  // namespace bench
