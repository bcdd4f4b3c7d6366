// Helpers shared by the vos_sim subcommands (not part of their interface).
#ifndef VERIDIAN_SIM_COMMANDS_INTERNAL_H_
#define VERIDIAN_SIM_COMMANDS_INTERNAL_H_

#include <string>

#include "sim/machine.h"
#include "sim/scenario.h"

namespace sim {

// Boots the kernel on the scenario's machine in this process (once per
// process: the kernel's globals are not reset), recording the trace to
// `trace_path` unless it is empty. Returns kExitPass with *result filled,
// or the exit status of a host-side failure (already reported).
int RunScenarioInProcess(const Scenario& scenario, const std::string& scenario_name,
                         bool echo_console, const std::string& trace_path, RunResult* result);

}  // namespace sim

#endif  // VERIDIAN_SIM_COMMANDS_INTERNAL_H_
