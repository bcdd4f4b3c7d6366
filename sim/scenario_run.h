// From a scenario to a kernel run and back: the machine configuration and
// kernel command line a scenario asks for, and the verdict of a run against
// the scenario's expectations.
#ifndef VERIDIAN_SIM_SCENARIO_RUN_H_
#define VERIDIAN_SIM_SCENARIO_RUN_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "sim/machine.h"
#include "sim/scenario.h"

namespace sim {

// "workload=NAME [iterations=N]" or "program=NAME[,ARG]..." per [[program]], then
// "[tick_ns=N] [fail_frame_alloc=N] [cmdline]".
std::string KernelCommandLine(const Scenario& scenario);

// The kernel (kernel::KernelMain), or the program runner (sim/program_run.h)
// for a scenario with [[program]] entries, on the scenario's machine.
MachineConfig KernelConfigFor(const Scenario& scenario);

// A counter named in kScenarioCounters, from a run's result.
uint64_t CounterValue(const RunResult& result, std::string_view name);

// What the run did against what the scenario expects, one line each;
// empty when every expectation holds.
std::vector<std::string> UnmetExpectations(const Scenario& scenario, const RunResult& result);

// For the pct policy without pct_steps: runs the scenario once (isolated,
// random policy, same seed) and sets pct_steps to its interleaving points.
absl::Status ResolvePctSteps(Scenario* scenario);

}  // namespace sim

#endif  // VERIDIAN_SIM_SCENARIO_RUN_H_
