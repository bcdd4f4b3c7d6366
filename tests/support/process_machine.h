// Runs a test body as the kernel thread acting for init on a scheduled
// simulated machine with memory management, the process manager and the
// user-program catalog (scenarios/programs): the body spawns programs and
// reaps them. Each run happens in a forked child (the frame allocator keeps
// its state in globals), whose summary comes back through a pipe.
#ifndef VERIDIAN_TESTS_SUPPORT_PROCESS_MACHINE_H_
#define VERIDIAN_TESTS_SUPPORT_PROCESS_MACHINE_H_

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <span>
#include <string>

#include "sim/machine.h"
#include "src/abi/syscall.h"
#include "src/cap/capability_space.h"
#include "src/cap/token.h"
#include "src/proc/process.h"
#include "src/proc/program_catalog.h"
#include "tests/support/scheduled_machine.h"

namespace testing_support {

struct ProcessMachine {
  ScheduledMachine scheduled;
  size_t max_processes = 64;
  size_t max_user_threads = 256;
  vos::ResourceLimits limits;
  uint64_t ram_per_node = 64ull << 20;
  // The programs processes may be spawned from; empty: the catalog.
  std::span<const vos::Program> programs;
};

// A machine of `cpus` CPUs seeded with `seed` whose processes are spawned
// from `programs` (empty: the catalog).
ProcessMachine MakeProcessMachine(uint32_t cpus, uint64_t seed = 1,
                                  std::span<const vos::Program> programs = {});

// What a run in the child reports.
struct ProcessRunSummary {
  sim::RunOutcome outcome = sim::RunOutcome::kPanicked;
  uint64_t trace_hash = 0;
  uint64_t trace_events = 0;
  hal::Nanoseconds end_time = 0;
  double host_seconds = 0;
  bool child_ok = false;  // The child ran to the end without gtest failures.
};

// Runs `body` in a forked child; gtest failures there fail the test, and a
// run that does not power off normally is one (its failure text printed).
ProcessRunSummary RunProcesses(const ProcessMachine& machine, std::function<void()> body);

// Inside a run: spawns catalog program `name` as a child of init.
vos::Result<vos::ProcessId> Spawn(const std::string& name,
                                  std::initializer_list<uint64_t> args = {});
// Inside a run: reaps `child` (any child for ProcessId{}); fails the test and
// returns a status with code -999 if that fails.
vos::abi::ExitStatus Reap(vos::ProcessId child = {});

// Inside a run: like Spawn, and the child gets copies of init's `grants`.
vos::Result<vos::ProcessId> SpawnGranting(const std::string& name,
                                          std::initializer_list<uint64_t> args,
                                          std::initializer_list<vos::Token> grants);
// Inside a run: init's capability space.
vos::CapabilitySpace& InitCapabilities();
// Inside a run: a new endpoint with all its rights in init's space.
vos::Token InitEndpoint();
// Inside a run: reaps `process` and expects it to have ended so.
void ExpectExit(vos::ProcessId process, vos::abi::ExitReason reason, int64_t code);
void ExpectExitedWith(vos::ProcessId process, int64_t code);

// Runs, on `cpus` CPUs, programs `server` (with `server_args`) and `client`,
// spawned in that order from `programs`, each granted one new endpoint of
// init's as its last argument; expects both to exit 0.
void RunServerAndClient(uint32_t cpus, std::span<const vos::Program> programs,
                        const std::string& server, std::initializer_list<uint64_t> server_args,
                        const std::string& client);

}  // namespace testing_support

#endif  // VERIDIAN_TESTS_SUPPORT_PROCESS_MACHINE_H_
