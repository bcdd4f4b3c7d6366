// Scenario files (scenarios/*.toml): the machine, the seed and schedule
// policy, the kernel workload, fault injection and the expected outcome of a
// simulator run. docs/simulator.md describes every field.
//
// Parsing is strict: an unknown key, a wrong type or an impossible machine is
// a one-line error naming the file, the line and the field, so a typo never
// silently changes what a scenario tests.
#ifndef VERIDIAN_SIM_SCENARIO_H_
#define VERIDIAN_SIM_SCENARIO_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/machine.h"
#include "sim/program_run.h"
#include "src/hal/mmu.h"

namespace sim {

enum class ExpectedOutcome { kPass, kFail, kPanic, kDeadlock, kLimit };
const char* ExpectedOutcomeName(ExpectedOutcome outcome);

struct CounterBounds {
  std::optional<uint64_t> min;
  std::optional<uint64_t> max;
};

// The run counters [expect.counters] may bound (see CounterValue()).
inline constexpr const char* kScenarioCounters[] = {
    "trace_events",     "interleavings",  "cpu_switches",      "context_switches",
    "ipis_delivered",   "timer_interrupts", "device_interrupts",
    // The kernel's IPC totals (program scenarios; see FindIpcCounter()).
    "ipc_channel_sent", "ipc_channel_received", "ipc_rate_limited",
    "ipc_channel_latency_p50_ns", "ipc_channel_latency_p99_ns", "ipc_channel_latency_max_ns",
    "ipc_calls", "ipc_sends", "ipc_round_trip_p50_ns", "ipc_round_trip_p99_ns",
    "ipc_round_trip_max_ns",
};

// A program's expected end: exited with `code`, or killed or faulted (any
// code).
struct ProgramEnd {
  vos::abi::ExitReason reason = vos::abi::ExitReason::kExited;
  int64_t code = 0;  // kExited only.
};

struct Scenario {
  std::string description;
  uint64_t seed = 1;

  // [machine]
  uint32_t cpus = 4;
  uint32_t numa_nodes = 1;
  uint64_t ram_mib = 64;  // Per NUMA node.
  hal::PageTableFormat page_table = hal::PageTableFormat::kX86_64;
  uint64_t timer_tick_ns = 0;  // 0: the workload's own tick.
  uint64_t skew_window_ns = 2'000;
  uint64_t max_interleavings = 200'000'000;
  // The kernel's process tables ([[program]] scenarios only).
  ProcessTables process_tables;

  // [schedule]
  SchedulePolicy policy = SchedulePolicy::kRandom;
  uint32_t pct_depth = 3;
  uint64_t pct_steps = 0;  // 0: measured by a calibration run (see ResolvePctSteps).

  // [workload]: a kernel self-test (scenarios without [[program]]).
  std::string selftest = "smoke";
  uint64_t iterations = 0;  // 0: the self-test's default.
  std::string cmdline;      // Extra kernel command-line words.

  // [[program]]: user programs spawned under init instead of a self-test.
  std::vector<ProgramSpec> programs;

  // [faults]
  uint64_t ipi_delay_ns = 0;
  // Fails every Nth frame allocation (kernel command line fail_frame_alloc=N;
  // pending: honoured once the frame allocator reads it).
  uint64_t frame_alloc_fail_every = 0;
  std::vector<ScheduledInterrupt> device_interrupts;

  // [expect]
  ExpectedOutcome outcome = ExpectedOutcome::kPass;
  std::optional<int64_t> exit_code;
  std::optional<uint64_t> deadline_ns;  // Simulated time at which the run must have ended.
  std::vector<std::string> console_contains;
  std::map<std::string, CounterBounds> counters;
  // [expect.programs]: how every listed program of that name ends.
  std::map<std::string, ProgramEnd> program_ends;
};

enum class ScenarioErrorKind {
  kUnreadable,        // Missing or unreadable file.
  kSyntax,            // Not valid TOML.
  kInvalidField,      // Unknown key, wrong type or bad value.
  kImpossibleMachine, // A machine the simulator cannot build.
};

struct ScenarioError {
  ScenarioErrorKind kind = ScenarioErrorKind::kInvalidField;
  std::string message;  // One line: "FILE:LINE:COLUMN: FIELD: what is wrong".
};

// Parses scenario text; `path` names it in errors. False with *error set on
// bad input.
bool ParseScenario(std::string_view text, const std::string& path, Scenario* scenario,
                   ScenarioError* error);
// Reads and parses a file.
bool LoadScenarioFile(const std::string& path, Scenario* scenario, ScenarioError* error);

// TOML that parses back to exactly `scenario` (every field written out,
// except a few added later, which are left out at their defaults so that
// older scenarios keep their hash): what a trace file embeds, and what the
// scenario hash is taken over.
std::string CanonicalScenarioText(const Scenario& scenario);
uint64_t ScenarioHash(const Scenario& scenario);

}  // namespace sim

#endif  // VERIDIAN_SIM_SCENARIO_H_
