// vos_sim: runs the VeridianOS kernel on the simulated multi-CPU machine.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "sim/kernel_run.h"

ABSL_FLAG(uint32_t, cpus, 4, "simulated CPUs (1-256)");
ABSL_FLAG(uint64_t, seed, 1, "seed of the CPU scheduler; same seed, same run");
ABSL_FLAG(uint32_t, numa_nodes, 1, "NUMA nodes (1-8), each with --ram_mib of RAM");
ABSL_FLAG(uint64_t, ram_mib, 64, "simulated RAM per NUMA node, MiB (at least 4)");
ABSL_FLAG(std::string, policy, "random",
          "CPU scheduling at interleaving points: random (seeded) or round_robin");
ABSL_FLAG(std::string, workload, "smoke",
          "kernel self-test to run: smoke, racy, panic or fault (the kernel lists them "
          "when given an unknown name)");
ABSL_FLAG(uint64_t, iterations, 0, "iterations per CPU for the workload (0 = its default)");
ABSL_FLAG(std::string, cmdline, "", "extra kernel command-line words (key=value ...)");
ABSL_FLAG(bool, quiet, false, "do not echo the kernel console");

namespace {

constexpr char kUsage[] = R"(vos_sim: the VeridianOS kernel on a simulated multi-CPU machine.

Usage:
  vos_sim run [flags]

Boots the kernel on --cpus simulated CPUs (fibers on one host thread, seeded
interleaving, virtual time), runs the chosen kernel self-test, and prints the
kernel console, a per-CPU summary and the trace hash. The same flags and seed
always give the same trace hash.

Exit status: 0 pass; 1 the kernel reported a failure; 2 bad usage;
3 kernel panic (or a host fault in simulated code; a backtrace is printed);
4 deadlock (every CPU halted for good); 5 interleaving limit reached.

Scenario files, replay, explore and export are not implemented yet.)";

int Fail(const std::string& message) {
  std::fprintf(stderr, "vos_sim: %s\n", message.c_str());
  return sim::kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(kUsage);
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  if (args.size() < 2) return Fail("missing command; try `vos_sim run` or --help");
  const std::string command = args[1];
  if (command != "run") return Fail(absl::StrCat("unknown command \"", command, "\"; try --help"));
  if (args.size() > 2) {
    return Fail(absl::StrCat("unexpected argument \"", args[2],
                             "\": scenario files are not supported yet; use flags"));
  }

  sim::MachineConfig config = sim::KernelMachineConfig();
  config.cpus = absl::GetFlag(FLAGS_cpus);
  config.seed = absl::GetFlag(FLAGS_seed);
  config.numa_nodes = absl::GetFlag(FLAGS_numa_nodes);
  config.ram_per_node = absl::GetFlag(FLAGS_ram_mib) << 20;
  config.echo_console = !absl::GetFlag(FLAGS_quiet);
  const std::string policy = absl::GetFlag(FLAGS_policy);
  if (policy == "random") {
    config.policy = sim::SchedulePolicy::kRandom;
  } else if (policy == "round_robin") {
    config.policy = sim::SchedulePolicy::kRoundRobin;
  } else {
    return Fail(absl::StrCat("--policy must be random or round_robin, not \"", policy, "\""));
  }
  config.command_line = absl::StrCat("workload=", absl::GetFlag(FLAGS_workload));
  if (absl::GetFlag(FLAGS_iterations) != 0) {
    absl::StrAppend(&config.command_line, " iterations=", absl::GetFlag(FLAGS_iterations));
  }
  if (!absl::GetFlag(FLAGS_cmdline).empty()) {
    absl::StrAppend(&config.command_line, " ", absl::GetFlag(FLAGS_cmdline));
  }

  absl::StatusOr<std::unique_ptr<sim::Machine>> machine = sim::Machine::Create(config);
  if (!machine.ok()) return Fail(std::string(machine.status().message()));
  sim::RunResult result = (*machine)->Run();
  if (!result.failure.empty()) std::fprintf(stderr, "\nsim: %s\n", result.failure.c_str());
  std::printf("%s", sim::FormatSummary(config, result).c_str());
  return sim::ExitStatusFor(result);
}
