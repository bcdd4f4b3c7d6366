// vos_sim: runs the VeridianOS kernel on the simulated multi-CPU machine;
// scenario files, trace recording, replay, schedule exploration and export.
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "sim/commands.h"
#include "sim/kernel_run.h"
#include "sim/scenario.h"

// Shared by the commands.
ABSL_FLAG(std::optional<uint64_t>, seed, std::nullopt,
          "run/explore/replay: seed of the CPU scheduler (default: the scenario's, else 1); "
          "explore starts here");
ABSL_FLAG(std::optional<uint32_t>, cpus, std::nullopt,
          "run/explore/replay: simulated CPUs, 1-256 (default: the scenario's, else 4)");
ABSL_FLAG(std::optional<std::string>, policy, std::nullopt,
          "run/explore/replay: CPU scheduling at interleaving points: random (seeded), "
          "round_robin or pct (default: the scenario's, else random)");
ABSL_FLAG(std::optional<uint32_t>, depth, std::nullopt,
          "run/explore/replay: PCT bug depth d (d-1 priority change points; default: the "
          "scenario's, else 3)");
ABSL_FLAG(std::string, trace, "",
          "run: record the trace to this file; explore: where to write the failing seed's "
          "trace (default explore-SCENARIO-seedN.vostrace)");
ABSL_FLAG(bool, quiet, false, "run/replay: do not echo the kernel console");
// Without a scenario file only (the built-in default run).
ABSL_FLAG(std::optional<uint32_t>, numa_nodes, std::nullopt,
          "run without a scenario: NUMA nodes (1-8), each with --ram_mib of RAM (default 1)");
ABSL_FLAG(std::optional<uint64_t>, ram_mib, std::nullopt,
          "run without a scenario: simulated RAM per NUMA node, MiB (at least 4; default 64)");
ABSL_FLAG(std::optional<std::string>, workload, std::nullopt,
          "run without a scenario: kernel self-test, e.g. smoke (default), racy, racy_counter, "
          "panic, fault (the kernel lists them all when given an unknown name)");
ABSL_FLAG(std::optional<uint64_t>, iterations, std::nullopt,
          "run without a scenario: iterations per CPU for the workload (default: its own)");
ABSL_FLAG(std::optional<std::string>, cmdline, std::nullopt,
          "run without a scenario: extra kernel command-line words (key=value ...)");
// One command each.
ABSL_FLAG(std::string, scenario, "",
          "replay: run this scenario file instead of the one the trace embeds (the recorded "
          "seed is kept)");
ABSL_FLAG(uint64_t, runs, 100, "explore: how many seeds to try");
ABSL_FLAG(std::string, format, "chrome",
          "export: chrome (trace-event JSON) or text (one line per event)");
ABSL_FLAG(std::string, output, "", "export: output file (default: TRACE.json or TRACE.txt)");

namespace {

constexpr char kUsage[] = R"(the VeridianOS kernel on a simulated multi-CPU machine.

Usage:
  vos_sim run [SCENARIO] [--seed N] [--cpus N] [--trace FILE] [flags]
      Boots the kernel and runs the scenario's workload (scenarios/*.toml); without
      SCENARIO, the built-in default: 4 CPUs, the smoke self-test, shaped by the
      "run without a scenario" flags. Prints the kernel console, a per-CPU summary
      and the trace hash; with SCENARIO, also the verdict against its [expect].
      The same scenario and seed always give the same trace hash.
  vos_sim replay TRACE [--scenario FILE]
      Re-executes a recorded run from the configuration its trace embeds and
      checks every event against the recording; reports the first differing
      event (index, CPU, time, both events, the events before it).
  vos_sim explore SCENARIO [--runs N] [--policy random|pct] [--depth D] [--seed N]
      Runs seeds N, N+1, ... (each boot in its own process) until one misses the
      scenario's expectations, then records that run to --trace for replay.
  vos_sim export TRACE [--format chrome|text] [--output FILE]
      Writes Chrome trace-event JSON (Perfetto's UI, chrome://tracing; one track
      per simulated CPU), or text with one line per event.

Exit status: 0 pass (run: the kernel passed, or with SCENARIO every expectation
held; replay: identical to the recording; explore: no failing seed);
1 the kernel reported a failure; 2 bad usage; 3 kernel panic (or a host fault in
simulated code; a backtrace is printed); 4 deadlock (every CPU halted for good);
5 interleaving limit reached; 6 expectations not met (explore: a failing seed was
found); 7 replay diverged from the recording; 8 trace file unreadable, corrupt
or truncated; scenario file errors: 10 missing or unreadable, 11 malformed TOML,
12 unknown key, wrong type or bad value, 13 impossible machine. Without
SCENARIO, `run` exits
0-5 as the kernel's verdict.)";

std::optional<std::string> DefaultRunFlagWithScenario() {
  if (absl::GetFlag(FLAGS_numa_nodes)) return "--numa_nodes";
  if (absl::GetFlag(FLAGS_ram_mib)) return "--ram_mib";
  if (absl::GetFlag(FLAGS_workload)) return "--workload";
  if (absl::GetFlag(FLAGS_iterations)) return "--iterations";
  if (absl::GetFlag(FLAGS_cmdline)) return "--cmdline";
  return std::nullopt;
}

// The built-in default run, shaped by the flags.
sim::Scenario DefaultScenario() {
  sim::Scenario scenario;
  scenario.description = "the built-in default run (vos_sim run without a scenario file)";
  scenario.numa_nodes = absl::GetFlag(FLAGS_numa_nodes).value_or(1);
  scenario.ram_mib = absl::GetFlag(FLAGS_ram_mib).value_or(64);
  scenario.selftest = absl::GetFlag(FLAGS_workload).value_or("smoke");
  scenario.iterations = absl::GetFlag(FLAGS_iterations).value_or(0);
  scenario.cmdline = absl::GetFlag(FLAGS_cmdline).value_or("");
  return scenario;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(kUsage);
  // --help lists this file's flags (Abseil's default matches none here).
  absl::FlagsUsageConfig usage_config;
  usage_config.contains_help_flags = [](absl::string_view file) {
    return absl::EndsWith(file, "sim/main.cc");
  };
  absl::SetFlagsUsageConfig(usage_config);
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  if (args.size() < 2) return sim::UsageError("missing command; try `vos_sim run` or --help");
  const std::string command = args[1];
  sim::Options options;
  options.seed = absl::GetFlag(FLAGS_seed);
  options.cpus = absl::GetFlag(FLAGS_cpus);
  options.policy = absl::GetFlag(FLAGS_policy);
  options.depth = absl::GetFlag(FLAGS_depth);
  options.trace_path = absl::GetFlag(FLAGS_trace);
  options.quiet = absl::GetFlag(FLAGS_quiet);
  options.scenario_path = absl::GetFlag(FLAGS_scenario);
  options.runs = absl::GetFlag(FLAGS_runs);
  options.format = absl::GetFlag(FLAGS_format);
  options.output_path = absl::GetFlag(FLAGS_output);

  const bool has_operand = args.size() >= 3;
  if (args.size() > 3) {
    return sim::UsageError(
        absl::StrCat("unexpected argument \"", args[3], "\" after ", command, " ", args[2]));
  }
  if (command == "run") {
    if (!has_operand) return sim::RunCommand(DefaultScenario(), false, "default", options);
    if (std::optional<std::string> flag = DefaultRunFlagWithScenario()) {
      return sim::UsageError(absl::StrCat(*flag, " applies only without a scenario file; set "
                                          "it in the scenario instead"));
    }
    sim::Scenario scenario;
    sim::ScenarioError error;
    if (!sim::LoadScenarioFile(args[2], &scenario, &error)) return sim::ScenarioFailure(error);
    return sim::RunCommand(scenario, true, args[2], options);
  }
  if (command == "replay" || command == "explore" || command == "export") {
    if (!has_operand) {
      return sim::UsageError(absl::StrCat(command, " needs a ",
                                          command == "explore" ? "scenario file" : "trace file",
                                          "; try --help"));
    }
    if (command == "replay") return sim::ReplayCommand(args[2], options);
    if (command == "explore") return sim::ExploreCommand(args[2], options);
    return sim::ExportCommand(args[2], options);
  }
  return sim::UsageError(absl::StrCat("unknown command \"", command, "\"; try --help"));
}
