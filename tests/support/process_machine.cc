#include "tests/support/process_machine.h"

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <vector>

#include "gtest/gtest.h"
#include "scenarios/programs/catalog.h"
#include "sim/program_run.h"
#include "tests/support/in_machine.h"
#include "src/hal/interrupts.h"
#include "src/ipc/endpoint.h"
#include "src/mm/address_space.h"
#include "src/proc/process_manager.h"

namespace testing_support {
namespace {

ProcessRunSummary RunHere(const ProcessMachine& machine, const std::function<void()>& body) {
  std::unique_ptr<vos::Process[]> processes(new vos::Process[machine.max_processes]);
  std::unique_ptr<vos::UserThread[]> threads(new vos::UserThread[machine.max_user_threads]);
  ScheduledMachine scheduled = machine.scheduled;
  scheduled.configure = [&machine, outer = machine.scheduled.configure](sim::MachineConfig& c) {
    c.page_fault_handler = vos::ResolveUserPageFault;
    c.ram_per_node = machine.ram_per_node;
    if (outer) outer(c);
  };
  bool shut_down = false;  // Every process gone, init's space too.
  const auto start = std::chrono::steady_clock::now();
  const sim::RunResult result = RunScheduled(scheduled, [&] {
    const char* what = nullptr;
    ASSERT_EQ(sim::InitKernelMemory(&what), vos::Status::kOk) << what;
    vos::ProcessConfig config;
    config.processes = {processes.get(), machine.max_processes};
    config.threads = {threads.get(), machine.max_user_threads};
    config.programs = machine.programs.empty() ? programs::Catalog() : machine.programs;
    config.limits = machine.limits;
    config.capability_secret = ~machine.scheduled.seed * 0x2545f4914f6cdd1dull;
    ASSERT_EQ(vos::ProcessManager::Init(config), vos::Status::kOk);
    const sim::KernelMemoryUse at_start = sim::MeasureKernelMemory();
    body();
    // Every process gone: everything they held must be back. (A body that
    // leaves processes behind skips this; their slots are leaked below.)
    if (vos::ProcessManager::LiveProcesses() == 1) {
      vos::ProcessManager::Shutdown();
      shut_down = true;
      const sim::KernelMemoryUse at_end = sim::MeasureKernelMemory();
      EXPECT_EQ(at_end.frames, at_start.frames) << "frames leaked";
      EXPECT_EQ(at_end.heap_objects, at_start.heap_objects) << "kernel heap objects leaked";
    }
  });
  ProcessRunSummary summary;
  summary.host_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  summary.outcome = result.outcome;
  summary.trace_hash = result.trace_hash;
  summary.trace_events = result.trace_events;
  summary.end_time = result.end_time;
  ExpectPoweredOff(result);
  if (!shut_down) {
    // Live address and capability spaces cannot be torn down outside the
    // run.
    (void)processes.release();
  }
  return summary;
}

}  // namespace

ProcessMachine MakeProcessMachine(uint32_t cpus, uint64_t seed,
                                  std::span<const vos::Program> programs) {
  ProcessMachine machine;
  machine.scheduled.cpus = cpus;
  machine.scheduled.seed = seed;
  machine.programs = programs;
  return machine;
}

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

vos::Result<vos::ProcessId> SpawnGranting(const std::string& name,
                                          std::initializer_list<uint64_t> args,
                                          std::initializer_list<vos::Token> grants) {
  const std::vector<uint64_t> values(args);
  const std::vector<vos::Token> tokens(grants);
  return vos::ProcessManager::Spawn(vos::ProcessManager::InitProcess(), name.data(), name.size(),
                                    values.data(), values.size() * sizeof(uint64_t), nullptr,
                                    tokens);
}

vos::CapabilitySpace& InitCapabilities() {
  return vos::ProcessManager::InitProcess()->capabilities();
}

vos::Token InitEndpoint() {
  vos::Result<vos::ObjectRef<vos::Endpoint>> endpoint = vos::Endpoint::Create();
  EXPECT_TRUE(endpoint.ok());
  vos::Result<vos::Token> token =
      InitCapabilities().Insert(**endpoint, static_cast<vos::Rights>(vos::abi::kEndpointRights));
  EXPECT_TRUE(token.ok());
  return *token;
}

void ExpectExit(vos::ProcessId process, vos::abi::ExitReason reason, int64_t code) {
  const vos::abi::ExitStatus status = Reap(process);
  EXPECT_EQ(status.reason, reason);
  EXPECT_EQ(status.code, code);
}

void ExpectExitedWith(vos::ProcessId process, int64_t code) {
  ExpectExit(process, vos::abi::ExitReason::kExited, code);
}

void RunServerAndClient(uint32_t cpus, std::span<const vos::Program> programs,
                        const std::string& server, std::initializer_list<uint64_t> server_args,
                        const std::string& client) {
  RunProcesses(MakeProcessMachine(cpus, 1, programs), [&] {
    const vos::Token endpoint = InitEndpoint();
    vos::Result<vos::ProcessId> server_id = SpawnGranting(server, server_args, {endpoint});
    vos::Result<vos::ProcessId> client_id = SpawnGranting(client, {}, {endpoint});
    ASSERT_TRUE(server_id.ok() && client_id.ok());
    ExpectExitedWith(*client_id, 0);
    ExpectExitedWith(*server_id, 0);
    ASSERT_EQ(InitCapabilities().Delete(endpoint), vos::Status::kOk);
  });
}

}  // namespace testing_support
