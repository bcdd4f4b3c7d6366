// The vos_sim subcommands. main.cc turns the command line into Options;
// each command returns the process exit status (sim/kernel_run.h).
#ifndef VERIDIAN_SIM_COMMANDS_H_
#define VERIDIAN_SIM_COMMANDS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "sim/scenario.h"

namespace sim {

struct Options {
  // Overrides of the scenario (or of the flag-built default scenario).
  std::optional<uint64_t> seed;
  std::optional<uint32_t> cpus;
  std::optional<std::string> policy;  // random | round_robin | pct
  std::optional<uint32_t> depth;      // pct depth
  std::string trace_path;             // run, explore: where to write the trace.
  std::string scenario_path;          // replay: run this scenario instead of the embedded one.
  uint64_t runs = 100;                // explore
  std::string format;                 // export
  std::string output_path;            // export
  bool quiet = false;
};

// Prints "vos_sim: MESSAGE" on stderr and returns kExitUsage.
int UsageError(const std::string& message);
// Prints the scenario error and returns its exit status.
int ScenarioFailure(const ScenarioError& error);
// Applies --seed, --cpus, --policy and --depth; false (reported) on a bad value.
bool ApplyOverrides(const Options& options, Scenario* scenario);

// `run`: `scenario` is the file's scenario, or the flag-built default when
// `from_file` is false (then the exit status is the kernel's verdict, as
// before scenario files existed).
int RunCommand(Scenario scenario, bool from_file, const std::string& scenario_name,
               const Options& options);
int ReplayCommand(const std::string& trace_path, const Options& options);
int ExploreCommand(const std::string& scenario_path, const Options& options);
int ExportCommand(const std::string& trace_path, const Options& options);

}  // namespace sim

#endif  // VERIDIAN_SIM_COMMANDS_H_
