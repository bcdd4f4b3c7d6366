// Capabilities through the syscall ABI: guessed, foreign, stale, revoked,
// under-privileged and wrong-type tokens are rejected with the documented
// errors; revoking a capability removes the copy a child holds; a
// process's capabilities go when it ends. (Every run also fails on leaked
// frames or kernel heap objects: see tests/support/process_machine.h.)
#include <cstdint>
#include <cstring>
#include <span>

#include "gtest/gtest.h"
#include "src/abi/syscall.h"
#include "src/cap/capability_space.h"
#include "src/proc/process_manager.h"
#include "src/proc/process_object.h"
#include "src/sched/scheduler.h"
#include "tests/support/process_machine.h"

namespace vos {
namespace {

using abi::ExitReason;
using testing_support::InitCapabilities;
using testing_support::MakeProcessMachine;
using testing_support::ProcessMachine;
using testing_support::Reap;
using testing_support::RunProcesses;

// Spawns `name` under init with init's capability to it in `token` and
// copies of `grants` for the child.
Result<ProcessId> SpawnFromInit(const char* name, Token* token,
                                std::span<const Token> grants = {}) {
  return ProcessManager::Spawn(ProcessManager::InitProcess(), name, std::strlen(name), nullptr,
                               0, token, grants);
}

uint32_t References(Token token) {
  Result<ObjectRef<ProcessObject>> object =
      InitCapabilities().Acquire<ProcessObject>(token, Rights::kNone);
  EXPECT_TRUE(object.ok()) << StatusName(object.status());
  return object.ok() ? (*object)->reference_count() - 1 : 0;  // Not ours.
}

TEST(CapabilitySyscallsTest, BadTokensGetTheDocumentedErrors) {
  for (uint32_t cpus : {1u, 4u}) {
    RunProcesses(MakeProcessMachine(cpus), [] {
      Result<ProcessId> abuse = testing_support::Spawn("cap_abuse");
      ASSERT_TRUE(abuse.ok());
      const abi::ExitStatus status = Reap(*abuse);
      EXPECT_EQ(status.reason, ExitReason::kExited);
      EXPECT_EQ(status.code, 0) << "first failed check";
    });
  }
}

TEST(CapabilitySyscallsTest, SpawnGivesTheParentAFullProcessCapability) {
  RunProcesses(MakeProcessMachine(2), [] {
    Token token = kInvalidToken;
    Result<ProcessId> sleeper = SpawnFromInit("sleeper", &token);
    ASSERT_TRUE(sleeper.ok());
    Result<CapabilitySpace::Info> info = InitCapabilities().Inspect(token);
    ASSERT_TRUE(info.ok());
    EXPECT_EQ(info->type, ObjectType::kProcess);
    EXPECT_EQ(info->rights, ProcessObject::kChildRights);
    Result<ObjectRef<ProcessObject>> object =
        InitCapabilities().Acquire<ProcessObject>(token, rights::kProcessKill);
    ASSERT_TRUE(object.ok());
    EXPECT_EQ((*object)->id(), *sleeper);
    Reap(*sleeper);
    // The capability outlives the process, and names it, not the next one.
    Result<ProcessId> next = testing_support::Spawn("spinner", {0});
    ASSERT_TRUE(next.ok());
    EXPECT_EQ(next->index(), sleeper->index());
    abi::ProcessInfo process;
    EXPECT_EQ(ProcessManager::QueryProcess((*object)->id(), &process), Status::kNotFound);
    EXPECT_EQ(ProcessManager::Kill((*object)->id(), 1), Status::kNotFound);
    EXPECT_EQ(ProcessManager::Kill(*next, 1), Status::kOk);
    Reap(*next);
    object.value().Reset();
    EXPECT_EQ(InitCapabilities().Delete(token), Status::kOk);
  });
}

TEST(CapabilitySyscallsTest, RevokingRemovesTheCopyAChildHolds) {
  for (bool revoke_root : {false, true}) {
    RunProcesses(MakeProcessMachine(2), [revoke_root] {
      Token sleeper_token = kInvalidToken;
      Result<ProcessId> sleeper = SpawnFromInit("sleeper", &sleeper_token);
      ASSERT_TRUE(sleeper.ok());
      Result<Token> derived =
          InitCapabilities().Derive(sleeper_token, Rights::kRead | Rights::kGrant);
      ASSERT_TRUE(derived.ok());
      const Token granted = *derived;
      Result<ProcessId> holder =
          SpawnFromInit("cap_holder", nullptr, std::span<const Token>(&granted, 1));
      ASSERT_TRUE(holder.ok());
      Scheduler::SleepFor(200'000);  // The holder uses its copy meanwhile.
      abi::ProcessInfo info{};
      ASSERT_EQ(ProcessManager::QueryProcess(*holder, &info), Status::kOk);
      EXPECT_EQ(info.state, abi::ProcessState::kRunning) << "the holder stopped early";
      // Revoking what was derived from the root, or from the derived one
      // (its copy in the holder), ends the holder's use.
      EXPECT_EQ(InitCapabilities().Revoke(revoke_root ? sleeper_token : granted), Status::kOk);
      const abi::ExitStatus status = Reap(*holder);
      EXPECT_EQ(status.reason, ExitReason::kExited);
      EXPECT_EQ(status.code, static_cast<int64_t>(Status::kBadHandle));
      EXPECT_EQ(InitCapabilities().Check(granted, ObjectType::kProcess, Rights::kRead),
                revoke_root ? Status::kBadHandle : Status::kOk);
      EXPECT_EQ(ProcessManager::Kill(*sleeper, 1), Status::kOk);
      Reap(*sleeper);
      if (!revoke_root) {
        EXPECT_EQ(InitCapabilities().Delete(granted), Status::kOk);
      }
      EXPECT_EQ(InitCapabilities().Delete(sleeper_token), Status::kOk);
    });
  }
}

TEST(CapabilitySyscallsTest, GrantsNeedTheGrantRight) {
  RunProcesses(MakeProcessMachine(1), [] {
    Token sleeper_token = kInvalidToken;
    Result<ProcessId> sleeper = SpawnFromInit("sleeper", &sleeper_token);
    ASSERT_TRUE(sleeper.ok());
    Result<Token> no_grant = InitCapabilities().Derive(sleeper_token, Rights::kRead);
    ASSERT_TRUE(no_grant.ok());
    const Token token = *no_grant;
    EXPECT_EQ(SpawnFromInit("cap_holder", nullptr, std::span<const Token>(&token, 1)).status(),
              Status::kPermissionDenied);
    const Token forged = static_cast<Token>(static_cast<uint64_t>(token) ^ (1ull << 30));
    EXPECT_EQ(SpawnFromInit("cap_holder", nullptr, std::span<const Token>(&forged, 1)).status(),
              Status::kBadHandle);
    EXPECT_EQ(ProcessManager::LiveProcesses(), 2u);  // Init and the sleeper.
    EXPECT_EQ(ProcessManager::Kill(*sleeper, 1), Status::kOk);
    Reap(*sleeper);
    EXPECT_EQ(InitCapabilities().Delete(sleeper_token), Status::kOk);
  });
}

TEST(CapabilitySyscallsTest, AProcessesCapabilitiesGoWhenItEnds) {
  RunProcesses(MakeProcessMachine(2), [] {
    Token sleeper_token = kInvalidToken;
    Result<ProcessId> sleeper = SpawnFromInit("sleeper", &sleeper_token);
    ASSERT_TRUE(sleeper.ok());
    EXPECT_EQ(References(sleeper_token), 1u);  // Init's capability.
    Result<ProcessId> holder =
        SpawnFromInit("cap_holder", nullptr, std::span<const Token>(&sleeper_token, 1));
    ASSERT_TRUE(holder.ok());
    EXPECT_EQ(References(sleeper_token), 2u);  // And the holder's copy.
    EXPECT_EQ(ProcessManager::Kill(*holder, 3), Status::kOk);
    EXPECT_EQ(Reap(*holder).reason, ExitReason::kKilled);
    EXPECT_EQ(References(sleeper_token), 1u);  // The copy went with the holder.
    EXPECT_EQ(ProcessManager::Kill(*sleeper, 1), Status::kOk);
    Reap(*sleeper);
    EXPECT_EQ(InitCapabilities().Delete(sleeper_token), Status::kOk);
  });
}

TEST(CapabilitySyscallsTest, AProcessMayKillItselfWithTokenZero) {
  RunProcesses(MakeProcessMachine(1), [] {
    Result<ProcessId> process = testing_support::Spawn("kill_self", {5});
    ASSERT_TRUE(process.ok());
    const abi::ExitStatus status = Reap(*process);
    EXPECT_EQ(status.reason, ExitReason::kKilled);
    EXPECT_EQ(status.code, 5);
  });
}

TEST(CapabilitySyscallsTest, CapabilityQuotaFailsSpawnCleanly) {
  ProcessMachine machine = MakeProcessMachine(1);
  machine.limits.max_capabilities = 2;
  RunProcesses(machine, [] {
    Token tokens[3] = {kInvalidToken, kInvalidToken, kInvalidToken};
    Result<ProcessId> a = SpawnFromInit("sleeper", &tokens[0]);
    Result<ProcessId> b = SpawnFromInit("sleeper", &tokens[1]);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(SpawnFromInit("sleeper", &tokens[2]).status(), Status::kOutOfRange);
    EXPECT_EQ(ProcessManager::LiveProcesses(), 3u);  // The third never started.
    for (int i = 0; i < 2; ++i) {
      Result<ObjectRef<ProcessObject>> object =
          InitCapabilities().Acquire<ProcessObject>(tokens[i], rights::kProcessKill);
      ASSERT_TRUE(object.ok());
      EXPECT_EQ(ProcessManager::Kill((*object)->id(), 1), Status::kOk);
      Reap((*object)->id());
      object.value().Reset();
      EXPECT_EQ(InitCapabilities().Delete(tokens[i]), Status::kOk);
    }
  });
}

TEST(CapabilitySyscallsTest, ThreadCreateFailsCleanlyAtTheCapabilityQuota) {
  ProcessMachine machine = MakeProcessMachine(2);
  machine.limits.max_capabilities = 4;
  RunProcesses(machine, [] {
    // The fifth thread's token does not fit: thread_create fails, storm
    // exits with the error, and the run's leak check finds nothing left.
    Result<ProcessId> storm = testing_support::Spawn("storm", {10, 1000});
    ASSERT_TRUE(storm.ok());
    const abi::ExitStatus status = Reap(*storm);
    EXPECT_EQ(status.reason, ExitReason::kExited);
    EXPECT_EQ(status.code, static_cast<int64_t>(Status::kOutOfRange));
    abi::ProcessInfo info{};
    EXPECT_EQ(ProcessManager::QueryProcess(*storm, &info), Status::kNotFound);
  });
}

}  // namespace
}  // namespace vos
