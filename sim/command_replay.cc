// vos_sim replay TRACE: re-executes the recorded run from the configuration
// its header embeds, checking every event against the recording.
#include <cstdio>

#include "absl/strings/str_format.h"
#include "sim/build_identity.h"
#include "sim/commands.h"
#include "sim/kernel_run.h"
#include "sim/scenario_run.h"
#include "sim/trace_check.h"
#include "sim/trace_file.h"

namespace sim {
namespace {

int BadTrace(const absl::Status& status) {
  std::fprintf(stderr, "vos_sim: %s\n", std::string(status.message()).c_str());
  return kExitBadTrace;
}

}  // namespace

int ReplayCommand(const std::string& trace_path, const Options& options) {
  absl::StatusOr<std::unique_ptr<TraceReader>> reader = TraceReader::Open(trace_path);
  if (!reader.ok()) return BadTrace(reader.status());
  const TraceFileHeader& header = (*reader)->header();
  Scenario scenario;
  ScenarioError error;
  std::string name = header.scenario_name;
  if (!options.scenario_path.empty()) {
    if (!LoadScenarioFile(options.scenario_path, &scenario, &error)) {
      return ScenarioFailure(error);
    }
    scenario.seed = header.seed;  // The recorded seed, unless --seed says otherwise.
    name = options.scenario_path;
  } else if (!ParseScenario(header.scenario_text, trace_path + " (embedded scenario)",
                            &scenario, &error)) {
    return BadTrace(absl::DataLossError(error.message));
  }
  if (!ApplyOverrides(options, &scenario)) return kExitUsage;
  if (absl::Status status = ResolvePctSteps(&scenario); !status.ok()) {
    return UsageError(std::string(status.message()));
  }
  std::printf("replaying %s: scenario %s, seed %llu\n  recorded by: %s\n", trace_path.c_str(),
              name.c_str(), static_cast<unsigned long long>(scenario.seed),
              header.build_identity.c_str());
  const std::string build = BuildIdentity();
  if (build != header.build_identity) std::printf("  replayed by: %s\n", build.c_str());
  if (ScenarioHash(scenario) != header.scenario_hash) {
    std::printf("replay: the scenario differs from the recorded one (hash %016llx, recorded "
                "%016llx): expect a divergence\n",
                static_cast<unsigned long long>(ScenarioHash(scenario)),
                static_cast<unsigned long long>(header.scenario_hash));
  }
  std::fflush(stdout);

  TraceChecker checker(reader->get());
  MachineConfig config = KernelConfigFor(scenario);
  config.echo_console = !options.quiet;
  config.trace_sink = &checker;
  absl::StatusOr<std::unique_ptr<Machine>> machine = Machine::Create(config);
  if (!machine.ok()) return UsageError(std::string(machine.status().message()));
  const RunResult result = (*machine)->Run();
  const absl::Status file_status = checker.Finish(result.trace_hash, result.trace_events);
  if (!result.failure.empty()) std::fprintf(stderr, "\nsim: %s\n", result.failure.c_str());
  std::printf("%s", FormatSummary(config, result).c_str());
  if (!file_status.ok()) {
    std::fprintf(stderr, "vos_sim: %s (the %llu events before it matched)\n",
                 std::string(file_status.message()).c_str(),
                 static_cast<unsigned long long>(checker.events_checked()));
    return kExitBadTrace;
  }
  if (checker.diverged()) {
    std::printf("%s", checker.DivergenceReport().c_str());
    return kExitReplayDiverged;
  }
  std::printf("replay: identical to the recording: %llu events, trace hash %016llx\n",
              static_cast<unsigned long long>(result.trace_events),
              static_cast<unsigned long long>(result.trace_hash));
  // The reproduced run's verdict, as `run` would give it.
  const std::vector<std::string> unmet = UnmetExpectations(scenario, result);
  std::printf("replay: the run %s the scenario's expectations\n",
              unmet.empty() ? "meets" : "misses");
  for (const std::string& line : unmet) std::printf("  unmet: %s\n", line.c_str());
  return kExitPass;
}

}  // namespace sim
