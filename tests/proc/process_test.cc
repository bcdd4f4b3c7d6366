// Process lifecycle on the simulator: spawn from the catalog, exit codes,
// zombies until wait, orphans re-parented to init, stale ids, kill.
#include <cstdint>

#include "gtest/gtest.h"
#include "src/abi/syscall.h"
#include "src/mm/address_space.h"
#include "src/proc/process_manager.h"
#include "src/sched/scheduler.h"
#include "tests/support/process_machine.h"

namespace vos {
namespace {

using abi::ExitReason;
using testing_support::ProcessMachine;
using testing_support::Reap;
using testing_support::RunProcesses;
using testing_support::Spawn;

ProcessMachine Machine(uint32_t cpus) {
  ProcessMachine machine;
  machine.scheduled.cpus = cpus;
  return machine;
}

TEST(ProcessTest, ProgramsExitWithTheirCodes) {
  RunProcesses(Machine(2), [] {
    Result<ProcessId> hello = Spawn("hello");
    ASSERT_TRUE(hello.ok());
    Result<ProcessId> exit42 = Spawn("exit_with", {42});
    ASSERT_TRUE(exit42.ok());
    const abi::ExitStatus a = Reap(*exit42);
    EXPECT_EQ(a.reason, ExitReason::kExited);
    EXPECT_EQ(a.code, 42);
    const abi::ExitStatus b = Reap(*hello);
    EXPECT_EQ(b.reason, ExitReason::kExited);
    EXPECT_EQ(b.code, 0);
    EXPECT_EQ(ProcessManager::LiveProcesses(), 1u);  // Init alone.
  });
}

TEST(ProcessTest, UnknownProgramIsNotFound) {
  RunProcesses(Machine(1), [] {
    EXPECT_EQ(Spawn("no_such_program").status(), Status::kNotFound);
    EXPECT_EQ(ProcessManager::LiveProcesses(), 1u);
  });
}

TEST(ProcessTest, ForkAndWaitTreeCountsEveryProcess) {
  RunProcesses(Machine(4), [] {
    Result<ProcessId> tree = Spawn("tree", {3, 3});  // 1 + 3 + 9 + 27.
    ASSERT_TRUE(tree.ok());
    const abi::ExitStatus status = Reap(*tree);
    EXPECT_EQ(status.reason, ExitReason::kExited);
    EXPECT_EQ(status.code, 40);
    EXPECT_EQ(ProcessManager::LiveProcesses(), 1u);
  });
}

TEST(ProcessTest, ExitedChildStaysZombieUntilWaited) {
  RunProcesses(Machine(2), [] {
    Result<ProcessId> nop = Spawn("nop");
    ASSERT_TRUE(nop.ok());
    abi::ProcessInfo info{};
    for (int i = 0; i < 100; ++i) {
      ASSERT_EQ(ProcessManager::QueryProcess(*nop, &info), Status::kOk);
      if (info.state == abi::ProcessState::kZombie) break;
      Scheduler::SleepFor(10'000);
    }
    EXPECT_EQ(info.state, abi::ProcessState::kZombie);
    EXPECT_EQ(info.threads, 0u);
    EXPECT_EQ(info.exit.reason, ExitReason::kExited);
    EXPECT_EQ(ProcessManager::LiveProcesses(), 2u);
    Reap(*nop);
    EXPECT_EQ(ProcessManager::QueryProcess(*nop, &info), Status::kNotFound);
    EXPECT_EQ(ProcessManager::LiveProcesses(), 1u);
  });
}

TEST(ProcessTest, StaleIdNeverNamesTheSlotsNextProcess) {
  RunProcesses(Machine(1), [] {
    Result<ProcessId> first = Spawn("nop");
    ASSERT_TRUE(first.ok());
    const ProcessId old = *first;
    Reap(old);
    Result<ProcessId> second = Spawn("spinner", {0});
    ASSERT_TRUE(second.ok());
    EXPECT_EQ(second->index(), old.index());  // The slot is reused ...
    EXPECT_NE(second->value, old.value);      // ... under a new id.
    abi::ProcessInfo info;
    EXPECT_EQ(ProcessManager::QueryProcess(old, &info), Status::kNotFound);
    EXPECT_EQ(ProcessManager::Kill(old, 1), Status::kNotFound);
    EXPECT_EQ(ProcessManager::Wait(ProcessManager::InitProcess(), old, nullptr, true).status(),
              Status::kNotFound);
    EXPECT_EQ(ProcessManager::Kill(*second, 3), Status::kOk);
    const abi::ExitStatus status = Reap(*second);
    EXPECT_EQ(status.reason, ExitReason::kKilled);
    EXPECT_EQ(status.code, 3);
  });
}

TEST(ProcessTest, OrphansAreReparentedToInitAndReaped) {
  RunProcesses(Machine(2), [] {
    Result<ProcessId> orphaner = Spawn("orphaner", {2'000'000});
    ASSERT_TRUE(orphaner.ok());
    EXPECT_EQ(Reap(*orphaner).code, 0);
    // Its sleeping child outlived it and now belongs to init: init's wait
    // for any child finds it.
    abi::ProcessInfo init{};
    ASSERT_EQ(ProcessManager::QueryProcess(ProcessId{abi::kInitPid}, &init), Status::kOk);
    EXPECT_EQ(init.children, 1u);
    EXPECT_EQ(ProcessManager::LiveProcesses(), 2u);
    const abi::ExitStatus sleeper = Reap();
    EXPECT_EQ(sleeper.reason, ExitReason::kExited);
    EXPECT_EQ(sleeper.code, 0);
    EXPECT_EQ(ProcessManager::LiveProcesses(), 1u);
  });
}

TEST(ProcessTest, KillEndsRunningSleepingAndManyThreadedProcesses) {
  RunProcesses(Machine(4), [] {
    Result<ProcessId> spinner = Spawn("spinner", {0});
    Result<ProcessId> sleeper = Spawn("sleeper", {~uint64_t{0}});
    Result<ProcessId> storm = Spawn("storm", {50, 1'000'000'000});
    ASSERT_TRUE(spinner.ok() && sleeper.ok() && storm.ok());
    Scheduler::SleepFor(500'000);
    for (ProcessId id : {*spinner, *sleeper, *storm}) {
      EXPECT_EQ(ProcessManager::Kill(id, 9), Status::kOk);
    }
    for (ProcessId id : {*spinner, *sleeper, *storm}) {
      const abi::ExitStatus status = Reap(id);
      EXPECT_EQ(status.reason, ExitReason::kKilled);
      EXPECT_EQ(status.code, 9);
    }
    EXPECT_EQ(ProcessManager::LiveProcesses(), 1u);
  });
}

// A syscall keeps its thread's space active; blocking in it must drop the
// space, or the CPU would hold it for whatever runs next (and its teardown
// would find it active). One CPU: init runs where the sleeper blocked.
TEST(ProcessTest, NoUserSpaceStaysActiveBehindABlockedThread) {
  RunProcesses(Machine(1), [] {
    Result<ProcessId> sleeper = Spawn("sleeper", {~uint64_t{0}});
    ASSERT_TRUE(sleeper.ok());
    Scheduler::SleepFor(500'000);
    abi::ProcessInfo info{};
    ASSERT_EQ(ProcessManager::QueryProcess(*sleeper, &info), Status::kOk);
    EXPECT_GT(info.syscalls, 0u);  // It ran, and sleeps in its syscall.
    EXPECT_EQ(AddressSpace::Current(), nullptr);
    EXPECT_EQ(ProcessManager::Kill(*sleeper, 9), Status::kOk);
    EXPECT_EQ(Reap(*sleeper).reason, ExitReason::kKilled);
  });
}

TEST(ProcessTest, InitCannotBeKilledAndWaitWithoutChildrenFails) {
  RunProcesses(Machine(1), [] {
    EXPECT_EQ(ProcessManager::Kill(ProcessId{abi::kInitPid}, 1),
              Status::kPermissionDenied);
    EXPECT_EQ(ProcessManager::Wait(ProcessManager::InitProcess(), ProcessId{}, nullptr, false)
                  .status(),
              Status::kNotFound);
  });
}

}  // namespace
}  // namespace vos
