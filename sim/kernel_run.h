// Running the real kernel in the simulator: configuration, isolation of
// runs, and the summary the command line prints.
#ifndef VERIDIAN_SIM_KERNEL_RUN_H_
#define VERIDIAN_SIM_KERNEL_RUN_H_

#include <string>

#include "absl/status/statusor.h"
#include "sim/machine.h"

namespace sim {

// Exit statuses of `vos_sim run` (documented in its --help and the README).
inline constexpr int kExitPass = 0;
inline constexpr int kExitKernelFailed = 1;  // The kernel powered off with a failure code.
inline constexpr int kExitUsage = 2;
inline constexpr int kExitPanic = 3;
inline constexpr int kExitDeadlock = 4;
inline constexpr int kExitLimit = 5;

// A machine configuration that boots the kernel (kernel::KernelMain).
MachineConfig KernelMachineConfig();

// Runs the kernel in a forked child process, so every run starts from a
// freshly loaded kernel image (the kernel's globals are not reset between
// boots, exactly as on hardware). Errors are host failures (fork, pipe).
absl::StatusOr<RunResult> RunKernelIsolated(const MachineConfig& config);

int ExitStatusFor(const RunResult& result);
std::string FormatSummary(const MachineConfig& config, const RunResult& result);

}  // namespace sim

#endif  // VERIDIAN_SIM_KERNEL_RUN_H_
