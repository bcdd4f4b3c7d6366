// Process create+exit+wait: the kernel spawning catalog program "nop" (a
// new address space, a user thread that enters user mode and calls exit,
// the teardown and the parent's wait; also with the capability the spawn
// syscall gives the parent) on a 1-CPU simulated machine, against
// fork+_exit+waitpid on the host, measured in the same process. Every
// benchmark runs inside one machine run (the kernel's frame allocator is
// global, so one boot per process), as the kernel thread acting for init.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "bench/ratio_reporter.h"
#include "benchmark/benchmark.h"
#include "src/abi/syscall.h"
#include "src/proc/process_manager.h"
#include "tests/support/process_machine.h"

namespace {

void BM_KernelSpawnExitWait(benchmark::State& state) {
  vos::Process* init = vos::ProcessManager::InitProcess();
  for (auto _ : state) {
    vos::Result<vos::ProcessId> child = vos::ProcessManager::Spawn(init, "nop", 3, nullptr, 0);
    if (!child.ok()) {
      state.SkipWithError("spawn failed");
      break;
    }
    vos::abi::ExitStatus status;
    if (!vos::ProcessManager::Wait(init, *child, &status, false).ok() || status.code != 0) {
      state.SkipWithError("wait failed");
      break;
    }
  }
}
BENCHMARK(BM_KernelSpawnExitWait)->Repetitions(5)->ReportAggregatesOnly(true);

// As the spawn syscall does it: the parent also gets a capability to the
// child (a heap object and a slot), deleted after the wait.
void BM_KernelSpawnExitWaitWithToken(benchmark::State& state) {
  vos::Process* init = vos::ProcessManager::InitProcess();
  for (auto _ : state) {
    vos::Token token = vos::kInvalidToken;
    vos::Result<vos::ProcessId> child =
        vos::ProcessManager::Spawn(init, "nop", 3, nullptr, 0, &token);
    if (!child.ok()) {
      state.SkipWithError("spawn failed");
      break;
    }
    vos::abi::ExitStatus status;
    if (!vos::ProcessManager::Wait(init, *child, &status, false).ok() || status.code != 0 ||
        !vos::IsOk(init->capabilities().Delete(token))) {
      state.SkipWithError("wait or delete failed");
      break;
    }
  }
}
BENCHMARK(BM_KernelSpawnExitWaitWithToken)->Repetitions(5)->ReportAggregatesOnly(true);

void BM_HostForkExitWaitpid(benchmark::State& state) {
  for (auto _ : state) {
    const pid_t child = fork();
    if (child == 0) _exit(0);
    int status = 0;
    if (child < 0 || waitpid(child, &status, 0) != child) {
      state.SkipWithError("fork failed");
      break;
    }
  }
}
BENCHMARK(BM_HostForkExitWaitpid)->Repetitions(5)->ReportAggregatesOnly(true)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  testing_support::ProcessMachine machine;
  machine.scheduled.cpus = 1;
  machine.scheduled.time_slice = 1'000'000;
  machine.scheduled.policy = sim::SchedulePolicy::kRoundRobin;
  machine.scheduled.max_interleavings = 0;
  const testing_support::ProcessRunSummary summary = testing_support::RunProcesses(machine, [] {
    bench::RatioReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    const double kernel = reporter.Median("BM_KernelSpawnExitWait");
    if (kernel > 0) {
      std::printf("process create+exit+wait: median %.0f ns (target <= 10000 ns)\n", kernel);
    }
    const double with_token = reporter.Median("BM_KernelSpawnExitWaitWithToken");
    if (with_token > 0) {
      std::printf("with the parent's capability (insert + delete): median %.0f ns\n",
                  with_token);
    }
    reporter.PrintRatio("host fork+_exit+waitpid vs kernel spawn+exit+wait",
                        "BM_HostForkExitWaitpid", "BM_KernelSpawnExitWait", "target >= 10x");
  });
  benchmark::Shutdown();
  return summary.child_ok ? 0 : 1;
}
