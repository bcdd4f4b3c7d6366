// The registry syscalls from simulated user mode: bad names, tokens, types
// and rights rejected; channels and endpoints published with at most the
// registrant's rights; names removed when their registrant dies; and the
// catalog's registry_service (clients finding a server by name and calling
// it) on one and four CPUs; forced unregistration only with the registry's
// capability and its admin right.
#include <array>
#include <cstdint>
#include <span>

#include "gtest/gtest.h"
#include "scenarios/programs/user_helpers.h"
#include "src/abi/syscall.h"
#include "src/abi/user_syscalls.h"
#include "src/proc/process_manager.h"
#include "src/sched/scheduler.h"
#include "src/syscall/service_registry.h"
#include "tests/support/process_machine.h"

namespace vos {
namespace {

using programs::Arg;
using programs::BlockUntilKilled;
using programs::Code;
using programs::kBuffers;
using programs::Put;
using testing_support::ExpectExitedWith;
using testing_support::MakeProcessMachine;
using testing_support::RunProcesses;

constexpr uint64_t kNameAt = kBuffers;
constexpr uint64_t kLongAt = kNameAt + 128;
constexpr uint64_t kBuffer = kLongAt + 128;

// reg_abuse: every misuse gets its documented error, and a published
// channel works through the looked-up capability. Exits 0 or the failed
// check's number.
int64_t Abuse(user::Args) {
  const int64_t channel = user::ChannelCreate();
  const int64_t memory = user::ShmCreate(1);
  if (channel < 0 || memory < 0) return 1;
  const uint64_t c = static_cast<uint64_t>(channel);
  const int64_t no_register =
      user::CapDerive(c, abi::kRightChannelSend | abi::kRightChannelReceive);
  const int64_t send_register =
      user::CapDerive(c, abi::kRightChannelSend | abi::kRightChannelRegister);
  if (no_register < 0 || send_register < 0) return 2;
  const uint64_t name = Put(kNameAt, "svc", 3);
  char long_name[abi::kMaxServiceName + 1];
  for (char& ch : long_name) ch = 'x';
  const uint64_t long_at = Put(kLongAt, long_name, sizeof(long_name));
  const struct {
    int64_t result;
    Status expected;
  } checks[] = {
      {user::RegistryRegister(c, name, 0, abi::kRightChannelSend), Status::kInvalidArgument},
      {user::RegistryRegister(c, long_at, sizeof(long_name), abi::kRightChannelSend),
       Status::kInvalidArgument},
      {user::RegistryRegister(c, 0x7000'0000, 3, abi::kRightChannelSend),
       Status::kInvalidArgument},
      {user::RegistryRegister(c, name, 3, uint64_t{1} << 20), Status::kInvalidArgument},
      {user::RegistryRegister(c ^ 0x5a5a, name, 3, 0), Status::kBadHandle},
      {user::RegistryRegister(static_cast<uint64_t>(memory), name, 3, 0),
       Status::kInvalidArgument},  // Not an endpoint or channel.
      {user::RegistryRegister(static_cast<uint64_t>(no_register), name, 3,
                              abi::kRightChannelSend),
       Status::kPermissionDenied},
      // More than the capability holds.
      {user::RegistryRegister(static_cast<uint64_t>(send_register), name, 3,
                              abi::kRightChannelSend | abi::kRightChannelReceive),
       Status::kPermissionDenied},
      {user::RegistryLookup(name, 3, abi::kRightChannelSend), Status::kNotFound},
      {user::RegistryUnregister(name, 3), Status::kNotFound},
      {user::RegistryLookup(long_at, sizeof(long_name), 0), Status::kInvalidArgument},
  };
  int64_t number = 10;
  for (const auto& check : checks) {
    if (check.result != Code(check.expected)) return number;
    ++number;
  }
  // Published with the send right only (the name is the longest allowed).
  const uint64_t longest = abi::kMaxServiceName;
  if (user::RegistryRegister(static_cast<uint64_t>(send_register), long_at, longest,
                             abi::kRightChannelSend) != 0) {
    return 40;
  }
  if (user::RegistryLookup(long_at, longest, abi::kRightChannelReceive) !=
      Code(Status::kPermissionDenied)) {
    return 41;
  }
  const int64_t found = user::RegistryLookup(long_at, longest, abi::kRightChannelSend);
  if (found < 0) return 42;
  // The looked-up capability reaches the same channel.
  if (user::ChannelSend(static_cast<uint64_t>(found), Put(kBuffer, "ping", 4), 4) != 0) return 43;
  if (user::ChannelReceive(c, kBuffer, 64) != 4) return 44;
  if (user::ChannelReceive(static_cast<uint64_t>(found), kBuffer, 64) !=
      Code(Status::kPermissionDenied)) {
    return 45;
  }
  if (user::RegistryUnregister(long_at, longest) != 0) return 46;
  if (user::RegistryLookup(long_at, longest, 0) != Code(Status::kNotFound)) return 47;
  return 0;
}

// reg_holder: registers an endpoint and a channel and exits without
// unregistering them. Exits 0 once both were found registered.
int64_t Holder(user::Args) {
  const int64_t endpoint = user::EndpointCreate();
  const int64_t channel = user::ChannelCreate();
  if (endpoint < 0 || channel < 0) return 1;
  const uint64_t a = Put(kNameAt, "held-endpoint", 13);
  const uint64_t b = Put(kNameAt + 32, "held-channel", 12);
  if (user::RegistryRegister(static_cast<uint64_t>(endpoint), a, 13, abi::kRightEndpointSend) !=
          0 ||
      user::RegistryRegister(static_cast<uint64_t>(channel), b, 12, abi::kRightChannelSend) != 0) {
    return 2;
  }
  if (user::RegistryLookup(a, 13, abi::kRightEndpointSend) < 0 ||
      user::RegistryLookup(b, 12, abi::kRightChannelSend) < 0) {
    return 3;
  }
  return 0;
}

// reg_squatter: registers an endpoint as "svc" and blocks until killed.
int64_t Squatter(user::Args) {
  const int64_t endpoint = user::EndpointCreate();
  if (endpoint < 0) return 1;
  if (user::RegistryRegister(static_cast<uint64_t>(endpoint), Put(kNameAt, "svc", 3), 3,
                             abi::kRightEndpointSend) != 0) {
    return 2;
  }
  return 3 - BlockUntilKilled();
}

// reg_admin registry registry_without_admin: removes the squatter's "svc"
// with registry_force_unregister, which needs the registry's capability
// with the admin right. Exits 0 or the failed check's number.
int64_t Admin(user::Args args) {
  const uint64_t registry = Arg(args, 0);
  const uint64_t without_admin = Arg(args, 1);
  const int64_t endpoint = user::EndpointCreate();
  if (endpoint < 0) return 1;
  const uint64_t name = Put(kNameAt, "svc", 3);
  const struct {
    int64_t result;
    Status expected;
  } refused[] = {
      {user::RegistryUnregister(name, 3), Status::kPermissionDenied},  // Not the registrant.
      {user::RegistryForceUnregister(registry ^ 0x5a5a, name, 3), Status::kBadHandle},
      {user::RegistryForceUnregister(static_cast<uint64_t>(endpoint), name, 3),
       Status::kInvalidArgument},  // Not the registry.
      {user::RegistryForceUnregister(without_admin, name, 3), Status::kPermissionDenied},
      {user::RegistryForceUnregister(registry, name, 0), Status::kInvalidArgument},
  };
  int64_t number = 10;
  for (const auto& check : refused) {
    if (check.result != Code(check.expected)) return number;
    ++number;
  }
  if (user::RegistryLookup(name, 3, abi::kRightEndpointSend) < 0) return 20;  // Still there.
  if (user::RegistryForceUnregister(registry, name, 3) != 0) return 21;
  if (user::RegistryLookup(name, 3, 0) != Code(Status::kNotFound)) return 22;
  if (user::RegistryForceUnregister(registry, name, 3) != Code(Status::kNotFound)) return 23;
  // The name is free again, for anyone.
  if (user::RegistryRegister(static_cast<uint64_t>(endpoint), name, 3, 0) != 0) return 24;
  return user::RegistryUnregister(name, 3) == 0 ? 0 : 25;
}

const std::array<Program, 4>& Programs() {
  static const std::array<Program, 4> programs = {{
      {"reg_abuse", user::CodeAddress(user::ProgramEntry<Abuse>)},
      {"reg_holder", user::CodeAddress(user::ProgramEntry<Holder>)},
      {"reg_squatter", user::CodeAddress(user::ProgramEntry<Squatter>)},
      {"reg_admin", user::CodeAddress(user::ProgramEntry<Admin>)},
  }};
  return programs;
}

TEST(RegistrySyscallsTest, BadNamesTokensTypesAndRightsAreRejected) {
  RunProcesses(MakeProcessMachine(2, 1, Programs()), [] {
    Result<ProcessId> abuse = testing_support::Spawn("reg_abuse");
    ASSERT_TRUE(abuse.ok());
    ExpectExitedWith(*abuse, 0);
    EXPECT_EQ(ServiceRegistry().size(), 0u);
  });
}

TEST(RegistrySyscallsTest, NamesGoWhenTheirRegistrantDies) {
  RunProcesses(MakeProcessMachine(2, 1, Programs()), [] {
    Result<ProcessId> holder = testing_support::Spawn("reg_holder");
    ASSERT_TRUE(holder.ok());
    ExpectExitedWith(*holder, 0);
    EXPECT_EQ(ServiceRegistry().size(), 0u);
    constexpr char kName[] = "held-channel";
    EXPECT_EQ(ServiceRegistry().Lookup(std::span<const char>(kName, 12)).status(),
              Status::kNotFound);
  });
}

TEST(RegistrySyscallsTest, ForceUnregisterNeedsTheRegistryCapabilityWithTheAdminRight) {
  RunProcesses(MakeProcessMachine(2, 1, Programs()), [] {
    Result<ProcessId> squatter = testing_support::Spawn("reg_squatter");
    ASSERT_TRUE(squatter.ok());
    Scheduler::SleepFor(1'000'000);
    ASSERT_EQ(ServiceRegistry().size(), 1u);
    // The kernel hands the registry's capability to init, which grants it.
    CapabilitySpace& caps = testing_support::InitCapabilities();
    Result<Token> registry =
        caps.Insert(ServiceRegistry(), static_cast<Rights>(abi::kRegistryRights));
    ASSERT_TRUE(registry.ok());
    Result<Token> without_admin = caps.Derive(*registry, Rights::kRead | Rights::kGrant);
    ASSERT_TRUE(without_admin.ok());
    Result<ProcessId> admin =
        testing_support::SpawnGranting("reg_admin", {}, {*registry, *without_admin});
    ASSERT_TRUE(admin.ok());
    ExpectExitedWith(*admin, 0);
    EXPECT_EQ(ServiceRegistry().size(), 0u);
    ASSERT_EQ(ProcessManager::Kill(*squatter, 9), Status::kOk);
    testing_support::ExpectExit(*squatter, abi::ExitReason::kKilled, 9);
    EXPECT_EQ(caps.Delete(*registry), Status::kOk);
    EXPECT_EQ(caps.Delete(*without_admin), Status::kOk);
  });
}

TEST(RegistrySyscallsTest, ClientsFindTheServerByNameAndCallIt) {
  for (uint32_t cpus : {1u, 4u}) {
    SCOPED_TRACE(cpus);
    RunProcesses(MakeProcessMachine(cpus, cpus), [] {
      Result<ProcessId> service = testing_support::Spawn("registry_service", {3, 10});
      ASSERT_TRUE(service.ok());
      ExpectExitedWith(*service, 0);
      EXPECT_EQ(ServiceRegistry().size(), 0u);
    });
  }
}

}  // namespace
}  // namespace vos
