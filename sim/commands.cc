// What the vos_sim subcommands share: error reporting, overrides, and one
// run of a scenario in this process, recorded to a trace file on request.
#include <cstdio>
#include <filesystem>
#include <limits>

#include "absl/strings/str_format.h"
#include "sim/build_identity.h"
#include "sim/commands.h"
#include "sim/commands_internal.h"
#include "sim/kernel_run.h"
#include "sim/scenario_run.h"
#include "sim/trace_file.h"

namespace sim {

int UsageError(const std::string& message) {
  std::fprintf(stderr, "vos_sim: %s\n", message.c_str());
  return kExitUsage;
}

int ScenarioFailure(const ScenarioError& error) {
  std::fprintf(stderr, "vos_sim: %s\n", error.message.c_str());
  switch (error.kind) {
    case ScenarioErrorKind::kUnreadable: return kExitScenarioUnreadable;
    case ScenarioErrorKind::kSyntax: return kExitScenarioSyntax;
    case ScenarioErrorKind::kInvalidField: return kExitScenarioField;
    case ScenarioErrorKind::kImpossibleMachine: return kExitScenarioImpossibleMachine;
  }
  return kExitScenarioField;
}

bool ApplyOverrides(const Options& options, Scenario* scenario) {
  if (options.seed) {
    // TOML integers are signed 64-bit, and the trace embeds the scenario as TOML.
    if (*options.seed > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      UsageError("--seed must be below 2^63");
      return false;
    }
    scenario->seed = *options.seed;
  }
  if (options.cpus) scenario->cpus = *options.cpus;
  if (options.policy) {
    if (*options.policy == "random") {
      scenario->policy = SchedulePolicy::kRandom;
    } else if (*options.policy == "round_robin") {
      scenario->policy = SchedulePolicy::kRoundRobin;
    } else if (*options.policy == "pct") {
      scenario->policy = SchedulePolicy::kPct;
    } else {
      UsageError(absl::StrFormat("--policy must be random, round_robin or pct, not \"%s\"",
                                 *options.policy));
      return false;
    }
  }
  if (options.depth) {
    if (*options.depth == 0 || *options.depth > 64) {
      UsageError("--depth must be 1..64");
      return false;
    }
    scenario->pct_depth = *options.depth;
  }
  return true;
}

int RunScenarioInProcess(const Scenario& scenario, const std::string& scenario_name,
                         bool echo_console, const std::string& trace_path, RunResult* result) {
  MachineConfig config = KernelConfigFor(scenario);
  config.echo_console = echo_console;
  std::unique_ptr<TraceWriter> writer;
  if (!trace_path.empty()) {
    TraceFileHeader header;
    header.seed = scenario.seed;
    header.scenario_hash = ScenarioHash(scenario);
    header.scenario_name = scenario_name;
    header.build_identity = BuildIdentity();
    header.scenario_text = CanonicalScenarioText(scenario);
    absl::StatusOr<std::unique_ptr<TraceWriter>> created = TraceWriter::Create(trace_path, header);
    if (!created.ok()) return UsageError(std::string(created.status().message()));
    writer = *std::move(created);
    config.trace_sink = writer.get();
  }
  absl::StatusOr<std::unique_ptr<Machine>> machine = Machine::Create(config);
  if (!machine.ok()) return UsageError(std::string(machine.status().message()));
  *result = (*machine)->Run();
  if (writer != nullptr) {
    if (absl::Status status = writer->Finish(result->trace_hash, result->trace_events);
        !status.ok()) {
      return UsageError(std::string(status.message()));
    }
    std::error_code error;
    const uintmax_t bytes = std::filesystem::file_size(trace_path, error);
    std::fprintf(stderr, "trace written to %s (%llu events, %llu bytes)\n", trace_path.c_str(),
                 static_cast<unsigned long long>(result->trace_events),
                 static_cast<unsigned long long>(error ? 0 : bytes));
  }
  return kExitPass;
}

}  // namespace sim
