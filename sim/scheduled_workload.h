// Kernel workloads that run on the scheduler (src/workloads/), selected like
// the kernel's self-tests by the command line's workload=NAME (a scenario's
// [workload] selftest): a boot entry that starts the scheduler on every CPU,
// runs the workload on a kernel thread, prints "VERDICT: PASS" or
// "VERDICT: FAIL ..." and powers off with 0 or 1. iterations=N sets the
// workload's size, tick_ns=N the time slice. Boots any number of times in
// one process (benchmarks).
#ifndef VERIDIAN_SIM_SCHEDULED_WORKLOAD_H_
#define VERIDIAN_SIM_SCHEDULED_WORKLOAD_H_

#include <string_view>

#include "sim/machine.h"

namespace sim {

// True for "ipc_channels" (messages per sender: iterations, default 32).
bool IsScheduledWorkload(std::string_view name);

// Makes `config` boot the scheduled-workload runner (and the kernel's trap
// handler); the workload comes from config->command_line.
void UseScheduledWorkload(MachineConfig* config);

}  // namespace sim

#endif  // VERIDIAN_SIM_SCHEDULED_WORKLOAD_H_
