#include "tests/support/process_machine.h"

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <vector>

#include "gtest/gtest.h"
#include "scenarios/programs/catalog.h"
#include "src/hal/interrupts.h"
#include "src/hal/memory_map.h"
#include "src/mm/address_space.h"
#include "src/mm/boot_allocator.h"
#include "src/mm/frame_allocator.h"
#include "src/mm/frame_refs.h"
#include "src/proc/process_manager.h"

namespace testing_support {
namespace {

void InitMemory() {
  static vos::BootAllocator boot;
  const hal::MemoryMap& map = hal::GetMemoryMap();
  boot.Init(map);
  ASSERT_EQ(vos::InitFrameAllocator(map, boot), vos::Status::kOk);
  ASSERT_EQ(vos::PageRefs().Init(map), vos::Status::kOk);
}

ProcessRunSummary RunHere(const ProcessMachine& machine, const std::function<void()>& body) {
  std::unique_ptr<vos::Process[]> processes(new vos::Process[machine.max_processes]);
  std::unique_ptr<vos::UserThread[]> threads(new vos::UserThread[machine.max_user_threads]);
  ScheduledMachine scheduled = machine.scheduled;
  scheduled.configure = [&machine, outer = machine.scheduled.configure](sim::MachineConfig& c) {
    c.page_fault_handler = vos::ResolveUserPageFault;
    c.ram_per_node = machine.ram_per_node;
    if (outer) outer(c);
  };
  const auto start = std::chrono::steady_clock::now();
  const sim::RunResult result = RunScheduled(scheduled, [&] {
    InitMemory();
    if (::testing::Test::HasFatalFailure()) return;
    vos::ProcessConfig config;
    config.processes = {processes.get(), machine.max_processes};
    config.threads = {threads.get(), machine.max_user_threads};
    config.programs = programs::Catalog();
    config.limits = machine.limits;
    ASSERT_EQ(vos::ProcessManager::Init(config), vos::Status::kOk);
    body();
  });
  ProcessRunSummary summary;
  summary.host_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  summary.outcome = result.outcome;
  summary.trace_hash = result.trace_hash;
  summary.trace_events = result.trace_events;
  summary.end_time = result.end_time;
  EXPECT_EQ(result.outcome, sim::RunOutcome::kPoweredOff)
      << sim::RunOutcomeName(result.outcome) << ": " << result.failure;
  if (result.outcome != sim::RunOutcome::kPoweredOff) {
    // Stopped mid-run: live address spaces cannot be torn down any more.
    (void)processes.release();
  }
  return summary;
}

}  // namespace

ProcessRunSummary RunProcesses(const ProcessMachine& machine, std::function<void()> body) {
  int fds[2];
  ProcessRunSummary summary;
  if (pipe(fds) != 0) {
    ADD_FAILURE() << "pipe failed";
    return summary;
  }
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t child = fork();
  if (child < 0) {
    ADD_FAILURE() << "fork failed";
    return summary;
  }
  if (child == 0) {
    close(fds[0]);
    ProcessRunSummary result = RunHere(machine, body);
    result.child_ok = !::testing::Test::HasFailure();
    (void)!write(fds[1], &result, sizeof(result));
    std::fflush(stdout);
    std::fflush(stderr);
    _exit(result.child_ok ? 0 : 1);
  }
  close(fds[1]);
  const bool got = read(fds[0], &summary, sizeof(summary)) == sizeof(summary);
  close(fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  if (!got || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    ADD_FAILURE() << "the run's child failed (see its output above)";
    summary.child_ok = false;
  }
  return summary;
}

vos::Result<vos::ProcessId> Spawn(const std::string& name, std::initializer_list<uint64_t> args) {
  const std::vector<uint64_t> values(args);
  return vos::ProcessManager::Spawn(vos::ProcessManager::InitProcess(), name.data(), name.size(),
                                    values.data(), values.size() * sizeof(uint64_t));
}

vos::abi::ExitStatus Reap(vos::ProcessId child) {
  vos::abi::ExitStatus status{-999, vos::abi::ExitReason::kExited, 0};
  vos::Result<vos::ProcessId> reaped =
      vos::ProcessManager::Wait(vos::ProcessManager::InitProcess(), child, &status, false);
  EXPECT_TRUE(reaped.ok()) << vos::StatusName(reaped.status());
  if (reaped.ok() && child.valid()) {
    EXPECT_EQ(reaped->value, child.value);
  }
  return status;
}

}  // namespace testing_support
