// The shared-memory syscalls from simulated user mode: bad arguments and
// tokens rejected, the mapping table's bound, no way to write through a
// read-only capability (map, derive, a syscall writing into the mapping, a
// store), frames freed when a process dies with its mappings, sealed
// regions refused by Protect and CloneInto, and the catalog's shm_stream.
#include <array>
#include <cstdint>

#include "gtest/gtest.h"
#include "scenarios/programs/user_helpers.h"
#include "src/abi/syscall.h"
#include "src/abi/user_syscalls.h"
#include "src/ipc/shared_memory.h"
#include "src/mm/address_space.h"
#include "src/mm/frame_allocator.h"
#include "src/mm/heap.h"
#include "src/proc/process_manager.h"
#include "tests/support/process_machine.h"

namespace vos {
namespace {

using programs::Arg;
using programs::Code;
using programs::kBuffers;
using programs::Set64;
using programs::SpawnGranting;
using testing_support::ExpectExitedWith;
using testing_support::MakeProcessMachine;
using testing_support::RunProcesses;

constexpr uint64_t kOut = kBuffers;

// shm_abuse: every misuse gets its documented error; the mapping table
// holds kMaxSharedMappings. Exits 0 or the failed check's number.
int64_t Abuse(user::Args) {
  const int64_t memory = user::ShmCreate(2);
  const int64_t channel = user::ChannelCreate();
  if (memory < 0 || channel < 0) return 1;
  const uint64_t m = static_cast<uint64_t>(memory);
  const int64_t no_map = user::CapDerive(m, abi::kRightRead | abi::kRightWrite);
  if (no_map < 0) return 2;
  const struct {
    int64_t result;
    Status expected;
  } checks[] = {
      {user::ShmCreate(0), Status::kInvalidArgument},
      {user::ShmCreate(abi::kMaxSharedPages + 1), Status::kInvalidArgument},
      {user::ShmCreate(1, abi::ShmOnCpu(64)), Status::kInvalidArgument},  // No such CPU.
      {user::ShmMap(m ^ 0x5a5a, 0, false), Status::kBadHandle},
      {user::ShmMap(static_cast<uint64_t>(channel), 0, false), Status::kInvalidArgument},
      {user::ShmMap(static_cast<uint64_t>(no_map), 0, false), Status::kPermissionDenied},
      {user::Syscall(abi::Syscall::kShmMap, m, 0, 2), Status::kInvalidArgument},
      {user::ShmMap(m, 0x40'0123, false), Status::kInvalidArgument},  // Unaligned.
      {user::ShmMap(m, abi::kUserDataBase, false), Status::kAlreadyExists},  // Taken.
      {user::ShmUnmap(abi::kUserDataBase), Status::kNotFound},  // Not shared memory.
  };
  int64_t number = 10;
  for (const auto& check : checks) {
    if (check.result != Code(check.expected)) return number;
    ++number;
  }
  int64_t addresses[abi::kMaxSharedMappings];
  for (int64_t& address : addresses) {
    address = user::ShmMap(m, 0, true);
    if (address <= 0) return 40;
  }
  if (user::ShmMap(m, 0, false) != Code(Status::kOutOfRange)) return 41;
  // Every mapping shows the same memory.
  Set64(static_cast<uint64_t>(addresses[0]) + 8, 0x1234);
  if (programs::Get64(static_cast<uint64_t>(addresses[abi::kMaxSharedMappings - 1]) + 8) !=
      0x1234) {
    return 42;
  }
  for (int64_t address : addresses) {
    if (user::ShmUnmap(static_cast<uint64_t>(address)) != 0) return 43;
  }
  if (user::ShmUnmap(static_cast<uint64_t>(addresses[0])) != Code(Status::kNotFound)) return 44;
  return 0;
}

// shm_store [memory]: maps the granted object read-only and stores to it:
// the fault must kill it (exits 1 if the store went through).
int64_t Store(user::Args args) {
  const int64_t address = user::ShmMap(Arg(args, 0), 0, false);
  if (address < 0) return 2;
  Set64(static_cast<uint64_t>(address), 7);
  return 1;
}

// shm_read_only [memory]: holds read, map and derive rights only; no way
// to write. Exits 0 or the failed check's number.
int64_t ReadOnly(user::Args args) {
  const uint64_t memory = Arg(args, 0);
  const int64_t address = user::ShmMap(memory, 0, false);
  if (address < 0) return 1;
  if (user::ShmMap(memory, 0, true) != Code(Status::kPermissionDenied)) return 2;
  // Deriving cannot add the write right.
  if (user::CapDerive(memory, abi::kRightRead | abi::kRightWrite | abi::kRightSharedMemoryMap) !=
      Code(Status::kPermissionDenied)) {
    return 3;
  }
  // The kernel writes with the caller's permissions.
  if (user::ProcessInfo(0, static_cast<uint64_t>(address)) != Code(Status::kInvalidArgument)) {
    return 4;
  }
  // It reads what the creator wrote.
  if (programs::Get64(static_cast<uint64_t>(address) + 16) != 0xfeed) return 5;
  const int64_t derived = user::CapDerive(
      memory, abi::kRightRead | abi::kRightGrant | abi::kRightSharedMemoryMap);
  if (derived < 0) return 6;
  const uint64_t grant = static_cast<uint64_t>(derived);
  const int64_t child = SpawnGranting("shm_store", nullptr, 0, &grant, 1);
  if (child < 0) return 7;
  if (user::Wait(static_cast<uint64_t>(child), kOut) < 0) return 8;
  abi::ExitStatus status;
  user::Load(kOut, &status, sizeof(status));
  return status.reason == abi::ExitReason::kFaulted ? 0 : 9;
}

// shm_creator: creates and maps an object, writes to it and lends a child a
// read-only capability (shm_read_only checks it); exits with the child's
// code, leaving its own mapping for its death to clean up.
int64_t Creator(user::Args) {
  const int64_t memory = user::ShmCreate(4, abi::ShmOnCpu(0));
  if (memory < 0) return 100;
  const int64_t address = user::ShmMap(static_cast<uint64_t>(memory), 0, true);
  if (address < 0) return 101;
  Set64(static_cast<uint64_t>(address) + 16, 0xfeed);
  const int64_t read_only = user::CapDerive(
      memory, abi::kRightRead | abi::kRightDerive | abi::kRightGrant | abi::kRightSharedMemoryMap);
  if (read_only < 0) return 102;
  const uint64_t grant = static_cast<uint64_t>(read_only);
  const int64_t child = SpawnGranting("shm_read_only", nullptr, 0, &grant, 1);
  if (child < 0) return 103;
  if (user::Wait(static_cast<uint64_t>(child), kOut) < 0) return 104;
  abi::ExitStatus status;
  user::Load(kOut, &status, sizeof(status));
  return status.reason == abi::ExitReason::kExited ? status.code : 105;
}

const std::array<Program, 4>& Programs() {
  static const std::array<Program, 4> programs = {{
      {"shm_abuse", user::CodeAddress(user::ProgramEntry<Abuse>)},
      {"shm_store", user::CodeAddress(user::ProgramEntry<Store>)},
      {"shm_read_only", user::CodeAddress(user::ProgramEntry<ReadOnly>)},
      {"shm_creator", user::CodeAddress(user::ProgramEntry<Creator>)},
  }};
  return programs;
}

// Frames in use outside the kernel heap (which keeps the pages it grew).
uint64_t FramesUsed() {
  uint64_t used = 0;
  for (uint32_t node = 0; node < Frames().node_count(); ++node) {
    used += Frames().GetNodeStats(node).used;
  }
  return used - KernelHeap().stats().pages;
}

TEST(ShmSyscallsTest, BadArgumentsTokensAndRightsAreRejected) {
  RunProcesses(MakeProcessMachine(2, 1, Programs()), [] {
    Result<ProcessId> abuse = testing_support::Spawn("shm_abuse");
    ASSERT_TRUE(abuse.ok());
    ExpectExitedWith(*abuse, 0);
  });
}

TEST(ShmSyscallsTest, ReadOnlyCapabilityGivesNoWayToWriteAndDeathFreesTheFrames) {
  for (uint32_t cpus : {1u, 3u}) {
    SCOPED_TRACE(cpus);
    RunProcesses(MakeProcessMachine(cpus, 1, Programs()), [] {
      const uint64_t before = FramesUsed();
      Result<ProcessId> creator = testing_support::Spawn("shm_creator");
      ASSERT_TRUE(creator.ok());
      ExpectExitedWith(*creator, 0);
      // The creator died still mapping its object: nothing is left.
      EXPECT_EQ(FramesUsed(), before);
    });
  }
}

TEST(ShmSyscallsTest, SealedRegionsRefuseProtectAndClone) {
  RunProcesses(MakeProcessMachine(1, 1, Programs()), [] {
    Result<ObjectRef<SharedMemory>> memory = SharedMemory::Create(2);
    ASSERT_TRUE(memory.ok());
    AddressSpace space;
    AddressSpace child;
    ASSERT_EQ(space.Init(), Status::kOk);
    ASSERT_EQ(child.Init(), Status::kOk);
    {
      Result<SharedMapping> mapping = MapSharedMemory(
          std::move(*memory), SharedMemory::kCreatorRights & ~Rights::kWrite, space, 0,
          Perm::kRead);
      ASSERT_TRUE(mapping.ok());
      EXPECT_EQ(space.Protect(mapping->address(), mapping->size(), Perm::kRead | Perm::kWrite),
                Status::kPermissionDenied);
      EXPECT_EQ(space.CloneInto(child), Status::kNotSupported);
      EXPECT_EQ(child.region_count(), 0u);
      // Other regions still clone once the shared one is gone.
      mapping->Unmap();
      ASSERT_TRUE(space.Map(0, hal::kPageSize, Perm::kRead, RegionKind::kPrivate).ok());
      EXPECT_EQ(space.CloneInto(child), Status::kOk);
    }
  });
}

TEST(ShmSyscallsTest, StreamThroughSharedMemoryBetweenProcesses) {
  for (uint32_t cpus : {1u, 4u}) {
    SCOPED_TRACE(cpus);
    RunProcesses(MakeProcessMachine(cpus), [] {
      Result<ProcessId> stream = testing_support::Spawn("shm_stream", {2, 40});
      ASSERT_TRUE(stream.ok());
      ExpectExitedWith(*stream, 0);
    });
  }
}

}  // namespace
}  // namespace vos
