// vos_sim run [SCENARIO]: one run, its summary and trace hash, and the
// verdict against the scenario's expectations.
#include <cstdio>

#include "sim/commands.h"
#include "sim/commands_internal.h"
#include "sim/kernel_run.h"
#include "sim/program_run.h"
#include "sim/scenario_run.h"

namespace sim {

int RunCommand(Scenario scenario, bool from_file, const std::string& scenario_name,
               const Options& options) {
  if (!ApplyOverrides(options, &scenario)) return kExitUsage;
  if (absl::Status status = ResolvePctSteps(&scenario); !status.ok()) {
    return UsageError(std::string(status.message()));
  }
  RunResult result;
  if (int status = RunScenarioInProcess(scenario, scenario_name, !options.quiet,
                                        options.trace_path, &result);
      status != kExitPass) {
    return status;
  }
  if (!result.failure.empty()) std::fprintf(stderr, "\nsim: %s\n", result.failure.c_str());
  std::printf("%s", FormatSummary(KernelConfigFor(scenario), result).c_str());
  // A program run's IPC totals (in the console too, which --quiet hides).
  std::printf("%s", FindIpcSummary(result.console).c_str());
  if (!from_file) return ExitStatusFor(result);
  const std::vector<std::string> unmet = UnmetExpectations(scenario, result);
  if (unmet.empty()) {
    std::printf("scenario %s: PASS (every expectation met)\n", scenario_name.c_str());
    return kExitPass;
  }
  std::printf("scenario %s: FAIL\n", scenario_name.c_str());
  for (const std::string& line : unmet) std::printf("  unmet: %s\n", line.c_str());
  return kExitExpectationsUnmet;
}

}  // namespace sim
