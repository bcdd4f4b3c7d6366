#include "sim/scenario_run.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "sim/kernel_run.h"
#include "sim/program_run.h"
#include "sim/scheduled_workload.h"

namespace sim {
namespace {

ExpectedOutcome ActualOutcome(const RunResult& result) {
  switch (result.outcome) {
    case RunOutcome::kPoweredOff:
      return result.exit_code == 0 ? ExpectedOutcome::kPass : ExpectedOutcome::kFail;
    case RunOutcome::kPanicked: return ExpectedOutcome::kPanic;
    case RunOutcome::kDeadlocked: return ExpectedOutcome::kDeadlock;
    case RunOutcome::kLimitReached: return ExpectedOutcome::kLimit;
  }
  return ExpectedOutcome::kPanic;
}

template <typename Field>
uint64_t SumOverCpus(const RunResult& result, Field field) {
  uint64_t sum = 0;
  for (const CpuStats& cpu : result.cpus) sum += cpu.*field;
  return sum;
}

}  // namespace

std::string KernelCommandLine(const Scenario& scenario) {
  std::string line = scenario.programs.empty() ? absl::StrCat("workload=", scenario.selftest)
                                               : ProgramCommandLine(scenario.programs,
                                                                    scenario.process_tables);
  if (scenario.iterations != 0) absl::StrAppend(&line, " iterations=", scenario.iterations);
  if (scenario.timer_tick_ns != 0) absl::StrAppend(&line, " tick_ns=", scenario.timer_tick_ns);
  if (scenario.frame_alloc_fail_every != 0) {
    absl::StrAppend(&line, " fail_frame_alloc=", scenario.frame_alloc_fail_every);
  }
  if (!scenario.cmdline.empty()) absl::StrAppend(&line, " ", scenario.cmdline);
  return line;
}

MachineConfig KernelConfigFor(const Scenario& scenario) {
  MachineConfig config = KernelMachineConfig();
  config.cpus = scenario.cpus;
  config.numa_nodes = scenario.numa_nodes;
  config.ram_per_node = scenario.ram_mib << 20;
  config.page_table_format = scenario.page_table;
  config.seed = scenario.seed;
  config.policy = scenario.policy;
  config.pct_depth = scenario.pct_depth;
  config.pct_steps = scenario.pct_steps;
  config.skew_window = scenario.skew_window_ns;
  config.max_interleavings = scenario.max_interleavings;
  config.command_line = KernelCommandLine(scenario);
  config.ipi_delay = scenario.ipi_delay_ns;
  config.device_interrupts = scenario.device_interrupts;
  if (!scenario.programs.empty()) UseProgramRunner(&config);
  if (scenario.programs.empty() && IsScheduledWorkload(scenario.selftest)) {
    UseScheduledWorkload(&config);
  }
  return config;
}

uint64_t CounterValue(const RunResult& result, std::string_view name) {
  if (name == "trace_events") return result.trace_events;
  if (name == "interleavings") return result.interleavings;
  if (name == "cpu_switches") return result.cpu_switches;
  if (name == "context_switches") return SumOverCpus(result, &CpuStats::context_switches);
  if (name == "ipis_delivered") return SumOverCpus(result, &CpuStats::ipi_traps);
  if (name == "timer_interrupts") return SumOverCpus(result, &CpuStats::timer_traps);
  if (name == "device_interrupts") return SumOverCpus(result, &CpuStats::device_traps);
  if (name.starts_with("ipc_")) return FindIpcCounter(result.console, name).value_or(0);
  return 0;  // The parser only admits the names above.
}

std::vector<std::string> UnmetExpectations(const Scenario& scenario, const RunResult& result) {
  std::vector<std::string> unmet;
  const ExpectedOutcome actual = ActualOutcome(result);
  if (actual != scenario.outcome) {
    unmet.push_back(absl::StrFormat("outcome: expected %s, got %s (%s)",
                                    ExpectedOutcomeName(scenario.outcome),
                                    ExpectedOutcomeName(actual), RunOutcomeName(result.outcome)));
  }
  if (scenario.exit_code) {
    if (result.outcome != RunOutcome::kPoweredOff) {
      unmet.push_back(absl::StrFormat("exit_code: expected %d, but the kernel did not power off",
                                      *scenario.exit_code));
    } else if (result.exit_code != *scenario.exit_code) {
      unmet.push_back(absl::StrFormat("exit_code: expected %d, got %d", *scenario.exit_code,
                                      result.exit_code));
    }
  }
  if (scenario.deadline_ns && result.end_time > *scenario.deadline_ns) {
    unmet.push_back(absl::StrFormat("deadline_ns: the run ended at %u ns, after %u ns",
                                    result.end_time, *scenario.deadline_ns));
  }
  for (const std::string& text : scenario.console_contains) {
    if (result.console.find(text) == std::string::npos) {
      unmet.push_back(absl::StrFormat("console_contains: \"%s\" not in the console", text));
    }
  }
  for (size_t i = 0; i < scenario.programs.size(); ++i) {
    const std::string& name = scenario.programs[i].name;
    const auto expected = scenario.program_ends.find(name);
    if (expected == scenario.program_ends.end()) continue;
    const ProgramEnd& want = expected->second;
    const std::optional<vos::abi::ExitStatus> got = FindProgramResult(result.console, i, name);
    if (!got) {
      unmet.push_back(absl::StrFormat("programs.%s: program[%u] was never reaped", name, i));
    } else if (got->reason != want.reason ||
               (want.reason == vos::abi::ExitReason::kExited && got->code != want.code)) {
      unmet.push_back(absl::StrFormat(
          "programs.%s: program[%u] expected %s%s, got %s (code %d)", name, i,
          ExitReasonName(want.reason),
          want.reason == vos::abi::ExitReason::kExited ? absl::StrCat(" ", want.code) : "",
          ExitReasonName(got->reason), got->code));
    }
  }
  for (const auto& [name, bounds] : scenario.counters) {
    const uint64_t value = CounterValue(result, name);
    if (bounds.min && value < *bounds.min) {
      unmet.push_back(absl::StrFormat("counters.%s: %u, below the minimum %u", name, value,
                                      *bounds.min));
    }
    if (bounds.max && value > *bounds.max) {
      unmet.push_back(absl::StrFormat("counters.%s: %u, above the maximum %u", name, value,
                                      *bounds.max));
    }
  }
  return unmet;
}

absl::Status ResolvePctSteps(Scenario* scenario) {
  if (scenario->policy != SchedulePolicy::kPct || scenario->pct_steps != 0) {
    return absl::OkStatus();
  }
  Scenario calibration = *scenario;
  calibration.policy = SchedulePolicy::kRandom;
  MachineConfig config = KernelConfigFor(calibration);
  config.echo_console = false;
  absl::StatusOr<RunResult> result = RunKernelIsolated(config);
  if (!result.ok()) return result.status();
  scenario->pct_steps = std::max<uint64_t>(result->interleavings, 1);
  return absl::OkStatus();
}

}  // namespace sim
