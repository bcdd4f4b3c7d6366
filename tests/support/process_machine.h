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

}  // namespace testing_support

#endif  // VERIDIAN_TESTS_SUPPORT_PROCESS_MACHINE_H_
