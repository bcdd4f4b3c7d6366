// vos_sim explore SCENARIO: runs the scenario under many seeds (each boot in
// its own child process), stops at the first seed whose run misses the
// scenario's expectations, and records that run's trace for `replay`.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <limits>

#include "absl/strings/str_format.h"
#include "sim/commands.h"
#include "sim/commands_internal.h"
#include "sim/kernel_run.h"
#include "sim/scenario_run.h"

namespace sim {
namespace {

const char* PolicyName(SchedulePolicy policy) {
  switch (policy) {
    case SchedulePolicy::kRandom: return "random";
    case SchedulePolicy::kRoundRobin: return "round_robin";
    case SchedulePolicy::kPct: return "pct";
  }
  return "?";
}

// Progress on stderr: at most a line a second (host time only decides when
// to print, never what the simulator does).
class Progress {
 public:
  explicit Progress(uint64_t runs) : runs_(runs) {}
  void Update(uint64_t done) {
    const auto now = std::chrono::steady_clock::now();
    if (done < runs_ && now - last_ < std::chrono::seconds(1)) return;
    last_ = now;
    std::fprintf(stderr, "explore: %llu/%llu runs, no failure yet\n",
                 static_cast<unsigned long long>(done), static_cast<unsigned long long>(runs_));
  }

 private:
  uint64_t runs_;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

}  // namespace

int ExploreCommand(const std::string& scenario_path, const Options& options) {
  Scenario scenario;
  ScenarioError error;
  if (!LoadScenarioFile(scenario_path, &scenario, &error)) return ScenarioFailure(error);
  if (!ApplyOverrides(options, &scenario)) return kExitUsage;
  if (options.runs == 0) return UsageError("explore: --runs must be at least 1");
  const uint64_t first_seed = scenario.seed;
  if (first_seed + options.runs < first_seed ||
      first_seed + options.runs > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return UsageError("explore: the seeds would pass 2^63");
  }
  // PCT needs the run length k: measured once, the same for every seed.
  if (absl::Status status = ResolvePctSteps(&scenario); !status.ok()) {
    return UsageError(std::string(status.message()));
  }
  std::fprintf(stderr, "explore: %s, seeds %llu..%llu, policy %s", scenario_path.c_str(),
               static_cast<unsigned long long>(first_seed),
               static_cast<unsigned long long>(first_seed + options.runs - 1),
               PolicyName(scenario.policy));
  if (scenario.policy == SchedulePolicy::kPct) {
    std::fprintf(stderr, " (depth %u, %llu steps)", scenario.pct_depth,
                 static_cast<unsigned long long>(scenario.pct_steps));
  }
  std::fprintf(stderr, "\n");

  Progress progress(options.runs);
  for (uint64_t run = 0; run < options.runs; ++run) {
    scenario.seed = first_seed + run;
    MachineConfig config = KernelConfigFor(scenario);
    config.echo_console = false;
    absl::StatusOr<RunResult> result = RunKernelIsolated(config);
    if (!result.ok()) return UsageError(std::string(result.status().message()));
    const std::vector<std::string> unmet = UnmetExpectations(scenario, *result);
    if (unmet.empty()) {
      progress.Update(run + 1);
      continue;
    }
    std::printf("explore: seed %llu fails (run %llu of %llu):\n",
                static_cast<unsigned long long>(scenario.seed),
                static_cast<unsigned long long>(run + 1),
                static_cast<unsigned long long>(options.runs));
    for (const std::string& line : unmet) std::printf("  unmet: %s\n", line.c_str());
    if (!result->failure.empty()) std::printf("%s\n", result->failure.c_str());
    const std::string trace_path =
        !options.trace_path.empty()
            ? options.trace_path
            : absl::StrFormat("explore-%s-seed%u.vostrace",
                              std::filesystem::path(scenario_path).stem().string(),
                              scenario.seed);
    // The same seed again, in this process, recorded: it must be the same run.
    RunResult recorded;
    if (int status = RunScenarioInProcess(scenario, scenario_path, /*echo_console=*/false,
                                          trace_path, &recorded);
        status != kExitPass) {
      return status;
    }
    if (recorded.trace_hash != result->trace_hash) {
      std::printf("explore: the recorded rerun of seed %llu has trace hash %016llx, the "
                  "explored run %016llx: the simulator is not deterministic here\n",
                  static_cast<unsigned long long>(scenario.seed),
                  static_cast<unsigned long long>(recorded.trace_hash),
                  static_cast<unsigned long long>(result->trace_hash));
    }
    std::printf("explore: trace hash %016llx; reproduce with: vos_sim replay %s\n",
                static_cast<unsigned long long>(recorded.trace_hash), trace_path.c_str());
    return kExitExpectationsUnmet;
  }
  std::printf("explore: no failure in %llu runs (seeds %llu..%llu)\n",
              static_cast<unsigned long long>(options.runs),
              static_cast<unsigned long long>(first_seed),
              static_cast<unsigned long long>(first_seed + options.runs - 1));
  return kExitPass;
}

}  // namespace sim
