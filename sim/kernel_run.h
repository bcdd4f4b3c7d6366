// Running the real kernel in the simulator: configuration, isolation of
// runs, and the summary the command line prints.
#ifndef VERIDIAN_SIM_KERNEL_RUN_H_
#define VERIDIAN_SIM_KERNEL_RUN_H_

#include <string>

#include "absl/status/statusor.h"
#include "sim/machine.h"

namespace sim {

// Exit statuses of vos_sim (documented in its --help and the README).
inline constexpr int kExitPass = 0;
inline constexpr int kExitKernelFailed = 1;  // The kernel powered off with a failure code.
inline constexpr int kExitUsage = 2;
inline constexpr int kExitPanic = 3;
inline constexpr int kExitDeadlock = 4;
inline constexpr int kExitLimit = 5;
// Scenario runs, replay and explore (vos_sim --help lists them all).
inline constexpr int kExitExpectationsUnmet = 6;  // Also: explore found a failing seed.
inline constexpr int kExitReplayDiverged = 7;
inline constexpr int kExitBadTrace = 8;  // Unreadable, not a trace, corrupt or truncated.
inline constexpr int kExitScenarioUnreadable = 10;
inline constexpr int kExitScenarioSyntax = 11;
inline constexpr int kExitScenarioField = 12;  // Unknown key, wrong type, bad value.
inline constexpr int kExitScenarioImpossibleMachine = 13;

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
