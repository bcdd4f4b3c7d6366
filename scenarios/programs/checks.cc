// abuse (invalid syscall arguments) and info (the query syscalls).
#include "scenarios/programs/entries.h"
#include "scenarios/programs/user_helpers.h"
#include "src/lib/status.h"

namespace programs {
namespace {

using vos::Status;
using vos::abi::Syscall;
using vos::user::Args;

// An address no user mapping can have: the kernel half.
constexpr uint64_t kKernelAddress = 0xffff'8000'0000'0000;
constexpr uint64_t kUnmapped = 0x7000'0000;

int64_t Abuse(Args) {
  const uint64_t name = Put(kScratch, "nosuch", 6);
  const uint64_t nop = Put(kScratch + 16, "nop", 3);
  const uint64_t out = kScratch + 512;
  struct Check {
    int64_t got;
    Status want;
  };
  const Check checks[] = {
      {vos::user::Syscall(static_cast<Syscall>(999)), Status::kNotSupported},
      {vos::user::Syscall(Syscall::kCount), Status::kNotSupported},
      {vos::user::Spawn(0, 3, 0, 0), Status::kInvalidArgument},
      {vos::user::Spawn(kKernelAddress, 3, 0, 0), Status::kInvalidArgument},
      {vos::user::Spawn(name, 0, 0, 0), Status::kInvalidArgument},
      {vos::user::Spawn(name, 1000, 0, 0), Status::kInvalidArgument},
      {vos::user::Spawn(name, 6, 0, 0), Status::kNotFound},
      {vos::user::Spawn(nop, 3, kUnmapped, 8), Status::kInvalidArgument},
      {vos::user::Spawn(nop, 3, out, vos::abi::kMaxArgsSize + 1), Status::kInvalidArgument},
      {vos::user::Wait(vos::abi::kAnyChild, out), Status::kNotFound},
      {vos::user::Wait(vos::abi::kAnyChild, out, 0x80), Status::kInvalidArgument},
      // Pids are not tokens.
      {vos::user::Wait(12345, out), Status::kBadHandle},
      {vos::user::Wait(vos::abi::kInitPid, out), Status::kBadHandle},
      {vos::user::Kill(vos::abi::kInitPid, 1), Status::kBadHandle},
      {vos::user::Kill((uint64_t{77} << 32) | 3, 1), Status::kBadHandle},
      {vos::user::ProcessInfo(0, 0x8), Status::kInvalidArgument},
      {vos::user::ProcessInfo(0, kKernelAddress), Status::kInvalidArgument},
      {vos::user::ProcessInfo(12345, out), Status::kBadHandle},
      {vos::user::ThreadInfo(12345, out), Status::kBadHandle},
      {vos::user::ThreadInfo(0, kUnmapped), Status::kInvalidArgument},
      {vos::user::DebugWrite(out, 100000), Status::kInvalidArgument},
      {vos::user::DebugWrite(kUnmapped, 10), Status::kInvalidArgument},
      {vos::user::Syscall(Syscall::kThreadJoin, 0), Status::kBadHandle},
      {vos::user::CapInspect(0, out), Status::kBadHandle},
  };
  int64_t number = 1;
  for (const Check& check : checks) {
    if (check.got != Code(check.want)) return number;
    ++number;
  }
  // A child reaped with a bad status pointer: the wait fails, the child is
  // gone all the same.
  const int64_t child = vos::user::Spawn(nop, 3, 0, 0);
  if (child <= 0) return 100;
  if (vos::user::Wait(static_cast<uint64_t>(child), kUnmapped) != Code(Status::kInvalidArgument)) {
    return 101;
  }
  if (vos::user::Wait(static_cast<uint64_t>(child), out) != Code(Status::kNotFound)) return 102;
  // The kernel still answers.
  if (vos::user::GetTime() <= 0) return 103;
  return 0;
}

int64_t Info(Args) {
  const uint64_t at = kScratch + 512;
  if (vos::user::ProcessInfo(0, at) != 0) return 1;
  vos::abi::ProcessInfo process;
  vos::user::Load(at, &process, sizeof(process));
  if (vos::user::ThreadInfo(0, at) != 0) return 2;
  vos::abi::ThreadInfo thread;
  vos::user::Load(at, &thread, sizeof(thread));
  if (thread.pid != process.pid || thread.tid == 0) return 3;
  if (process.state != vos::abi::ProcessState::kRunning || process.threads != 1) return 4;
  if (process.parent != vos::abi::kInitPid) return 5;
  if (process.syscalls < 1) return 6;
  // A child, through the token spawn returned.
  const int64_t child = SpawnWith("nop", nullptr, 0);
  if (child <= 0 || vos::user::ProcessInfo(static_cast<uint64_t>(child), at) != 0) return 7;
  vos::abi::ProcessInfo info;
  vos::user::Load(at, &info, sizeof(info));
  if (info.parent != process.pid || info.pid == process.pid) return 8;
  if (vos::user::Wait(static_cast<uint64_t>(child), 0) != static_cast<int64_t>(info.pid)) {
    return 10;
  }
  const int64_t before = vos::user::GetTime();
  vos::user::Sleep(10'000);
  if (vos::user::GetTime() - before < 10'000) return 9;
  return 0;
}

}  // namespace

const vos::user::Entry kAbuse = &vos::user::ProgramEntry<Abuse>;
const vos::user::Entry kInfo = &vos::user::ProgramEntry<Info>;

}  // namespace programs
