// The syscall ABI from simulated user mode: invalid arguments return errors,
// the query syscalls, a user fault kills only its process, the timer
// preempts user code, and runs are deterministic.
#include <cstdint>

#include "gtest/gtest.h"
#include "src/abi/syscall.h"
#include "src/proc/process_manager.h"
#include "src/sched/scheduler.h"
#include "tests/support/process_machine.h"

namespace vos {
namespace {

using abi::ExitReason;
using testing_support::MakeProcessMachine;
using testing_support::Reap;
using testing_support::RunProcesses;
using testing_support::Spawn;

TEST(SyscallTest, InvalidArgumentsReturnTheDocumentedErrors) {
  RunProcesses(MakeProcessMachine(2), [] {
    Result<ProcessId> abuse = Spawn("abuse");
    ASSERT_TRUE(abuse.ok());
    const abi::ExitStatus status = Reap(*abuse);
    EXPECT_EQ(status.reason, ExitReason::kExited);
    EXPECT_EQ(status.code, 0) << "first failed check";
  });
}

TEST(SyscallTest, ProcessAndThreadInfo) {
  RunProcesses(MakeProcessMachine(2), [] {
    Result<ProcessId> info = Spawn("info");
    ASSERT_TRUE(info.ok());
    const abi::ExitStatus status = Reap(*info);
    EXPECT_EQ(status.reason, ExitReason::kExited);
    EXPECT_EQ(status.code, 0) << "failed check";
  });
}

TEST(SyscallTest, UserFaultKillsOnlyItsProcess) {
  RunProcesses(MakeProcessMachine(2), [] {
    Result<ProcessId> spinner = Spawn("spinner", {20'000});
    Result<ProcessId> unmapped = Spawn("faulter", {0x7000'0000});
    Result<ProcessId> null = Spawn("faulter", {0});
    Result<ProcessId> kernel = Spawn("faulter", {0xffff'8000'0000'0000});
    ASSERT_TRUE(spinner.ok() && unmapped.ok() && null.ok() && kernel.ok());
    const abi::ExitStatus a = Reap(*unmapped);
    EXPECT_EQ(a.reason, ExitReason::kFaulted);
    EXPECT_EQ(static_cast<uint64_t>(a.code), 0x7000'0000u);
    EXPECT_EQ(Reap(*null).reason, ExitReason::kFaulted);
    EXPECT_EQ(Reap(*kernel).reason, ExitReason::kFaulted);
    // The neighbour and the kernel keep going.
    const abi::ExitStatus b = Reap(*spinner);
    EXPECT_EQ(b.reason, ExitReason::kExited);
    EXPECT_EQ(b.code, 0);
    Result<ProcessId> hello = Spawn("hello");
    ASSERT_TRUE(hello.ok());
    EXPECT_EQ(Reap(*hello).code, 0);
  });
}

TEST(SyscallTest, TimerPreemptsAUserThreadThatNeverTraps) {
  RunProcesses(MakeProcessMachine(1), [] {
    // One CPU: this kernel thread runs again only if the timer takes the
    // CPU away from the spinner, which never makes a syscall.
    Result<ProcessId> spinner = Spawn("spinner", {0});
    ASSERT_TRUE(spinner.ok());
    const uint64_t before = Scheduler::CpuStats(0).preemptions;
    Scheduler::Yield();  // Let the spinner start.
    Scheduler::SleepFor(1'000'000);
    EXPECT_GT(Scheduler::CpuStats(0).preemptions, before);
    abi::ProcessInfo info{};
    ASSERT_EQ(ProcessManager::QueryProcess(*spinner, &info), Status::kOk);
    EXPECT_EQ(info.state, abi::ProcessState::kRunning);
    EXPECT_EQ(ProcessManager::Kill(*spinner, 5), Status::kOk);
    EXPECT_EQ(Reap(*spinner).reason, ExitReason::kKilled);
  });
}

// A mixed workload: trees, storms and faults on 4 CPUs.
void MixedWorkload() {
  Result<ProcessId> tree = Spawn("tree", {2, 3});
  Result<ProcessId> storm = Spawn("storm", {20, 300});
  Result<ProcessId> faulter = Spawn("faulter", {0x7000'0000});
  ASSERT_TRUE(tree.ok() && storm.ok() && faulter.ok());
  EXPECT_EQ(Reap(*tree).code, 13);
  EXPECT_EQ(Reap(*storm).code, 20);
  EXPECT_EQ(Reap(*faulter).reason, ExitReason::kFaulted);
}

TEST(SyscallTest, SameSeedSameTrace) {
  const auto first = RunProcesses(MakeProcessMachine(4, 7), MixedWorkload);
  const auto second = RunProcesses(MakeProcessMachine(4, 7), MixedWorkload);
  const auto other = RunProcesses(MakeProcessMachine(4, 8), MixedWorkload);
  ASSERT_TRUE(first.child_ok && second.child_ok && other.child_ok);
  EXPECT_EQ(first.trace_hash, second.trace_hash);
  EXPECT_EQ(first.trace_events, second.trace_events);
  EXPECT_EQ(first.end_time, second.end_time);
  EXPECT_NE(first.trace_hash, other.trace_hash);  // The seed does matter.
}

}  // namespace
}  // namespace vos
