// The scenario: 64 simulated CPUs run 10,000 user threads (a forest
// of 100 processes with 100 threads each, every thread joined, every
// process reaped) to completion, twice with the same seed: the trace hashes
// must match. Prints the host time, simulated time and hash of each run.
// VOS_STORM_PROCS / VOS_STORM_THREADS / VOS_STORM_WORK override the size.
#include <cstdio>
#include <cstdlib>

#include "gtest/gtest.h"
#include "src/abi/syscall.h"
#include "src/proc/process_manager.h"
#include "tests/support/process_machine.h"

namespace vos {
namespace {

uint64_t FromEnv(const char* name, uint64_t fallback) {
  const char* value = std::getenv(name);
  return value != nullptr ? std::strtoull(value, nullptr, 10) : fallback;
}

TEST(ThreadStormScenario, SixtyFourCpusTenThousandThreadsDeterministic) {
  const uint64_t procs = FromEnv("VOS_STORM_PROCS", 100);
  const uint64_t threads = FromEnv("VOS_STORM_THREADS", 100);
  const uint64_t work = FromEnv("VOS_STORM_WORK", 200);
  testing_support::ProcessMachine machine;
  machine.scheduled.cpus = 64;
  machine.scheduled.seed = 42;
  machine.scheduled.max_threads = procs * threads + procs + 64 + 16;
  machine.max_user_threads = procs * threads + procs + 8;
  machine.max_processes = procs + 8;
  auto body = [&] {
    Result<ProcessId> forest = testing_support::Spawn("forest", {procs, threads, work});
    ASSERT_TRUE(forest.ok()) << StatusName(forest.status());
    const abi::ExitStatus status = testing_support::Reap(*forest);
    EXPECT_EQ(status.reason, abi::ExitReason::kExited);
    EXPECT_EQ(status.code, static_cast<int64_t>(procs * threads));  // Every thread joined.
    EXPECT_EQ(ProcessManager::LiveProcesses(), 1u);
  };
  testing_support::ProcessRunSummary runs[2];
  for (int i = 0; i < 2; ++i) {
    runs[i] = testing_support::RunProcesses(machine, body);
    std::printf(
        "thread storm run %d: %lu processes x %lu threads on 64 CPUs: host %.2f s, simulated "
        "%.3f ms, %lu trace events, trace hash %016lx\n",
        i + 1, procs, threads, runs[i].host_seconds, runs[i].end_time / 1e6,
        runs[i].trace_events, runs[i].trace_hash);
    ASSERT_TRUE(runs[i].child_ok);
  }
  EXPECT_EQ(runs[0].trace_hash, runs[1].trace_hash);
  EXPECT_EQ(runs[0].end_time, runs[1].end_time);
}

}  // namespace
}  // namespace vos
