// cap_abuse, cap_foreign, cap_holder, kill_self: capability tokens from
// user mode.
#include "scenarios/programs/entries.h"
#include "scenarios/programs/user_helpers.h"
#include "src/lib/status.h"

namespace programs {
namespace {

using vos::Status;
using vos::user::Args;
namespace abi = vos::abi;

// Every syscall that takes a token, with `token`: each must fail with
// kBadHandle. Returns 0 or the number (from `first`) of the call that did not.
int64_t ExpectBadHandleEverywhere(uint64_t token, uint64_t out, int64_t first) {
  const int64_t results[] = {
      vos::user::Kill(token, 1),
      vos::user::Wait(token, out, abi::kWaitNoHang),
      vos::user::ProcessInfo(token, out),
      vos::user::ThreadInfo(token, out),
      vos::user::ThreadJoin(token),
      vos::user::CapInspect(token, out),
      vos::user::CapDerive(token, abi::kRightRead),
      vos::user::CapDelete(token),
      vos::user::CapRevoke(token),
  };
  for (int64_t i = 0; i < static_cast<int64_t>(sizeof(results) / sizeof(results[0])); ++i) {
    if (results[i] != Code(Status::kBadHandle)) return first + i;
  }
  return 0;
}

int64_t SleepBriefly(uint64_t ns) {
  vos::user::Sleep(ns);
  return 0;
}

abi::ProcessInfo LoadProcessInfo(uint64_t at) {
  abi::ProcessInfo info;
  vos::user::Load(at, &info, sizeof(info));
  return info;
}

int64_t CapAbuse(Args) {
  const uint64_t out = kScratch + 512;
  // 1-9: guessed tokens. 10-99: pseudo-random ones (64 of them, LCG).
  if (int64_t failed = ExpectBadHandleEverywhere(1, out, 1)) return failed;
  uint64_t guess = 0x243f6a8885a308d3;
  for (int i = 0; i < 64; ++i) {
    guess = guess * 6364136223846793005ull + 1442695040888963407ull;
    if (int64_t failed = ExpectBadHandleEverywhere(guess >> 1, out, 10)) return failed;
  }
  // 20-29: values no token has (negative as int64_t).
  if (int64_t failed = ExpectBadHandleEverywhere(~uint64_t{0} - 5, out, 20)) return failed;

  // 30-39: a child's token and what it carries.
  const uint64_t forever = ~uint64_t{0};
  const int64_t child = SpawnWith("sleeper", &forever, 1);
  if (child <= 0) return 30;
  const uint64_t tc = static_cast<uint64_t>(child);
  if (vos::user::CapInspect(tc, out) != 0) return 31;
  abi::CapabilityInfo info;
  vos::user::Load(out, &info, sizeof(info));
  if (info.type != abi::ObjectType::kProcess || info.rights != abi::kChildRights) return 32;
  if (vos::user::ProcessInfo(0, out) != 0) return 33;
  const uint64_t self = LoadProcessInfo(out).pid;
  if (vos::user::ProcessInfo(tc, out) != 0) return 34;
  const abi::ProcessInfo child_info = LoadProcessInfo(out);
  if (child_info.parent != self || child_info.pid == self || child_info.pid == tc) return 35;

  // 40-49: a derived token with fewer rights.
  const int64_t read_only = vos::user::CapDerive(tc, abi::kRightRead);
  if (read_only <= 0 || static_cast<uint64_t>(read_only) == tc) return 40;
  const uint64_t d = static_cast<uint64_t>(read_only);
  if (vos::user::Kill(d, 1) != Code(Status::kPermissionDenied)) return 41;
  if (vos::user::CapDerive(d, abi::kRightRead) != Code(Status::kPermissionDenied)) return 42;
  if (vos::user::CapDerive(tc, abi::kAllRights) != Code(Status::kPermissionDenied)) return 43;
  if (vos::user::CapDerive(tc, abi::kAllRights + 1) != Code(Status::kInvalidArgument)) return 44;
  if (vos::user::ProcessInfo(d, out) != 0 || LoadProcessInfo(out).pid != child_info.pid) {
    return 45;
  }
  if (vos::user::CapInspect(d, out) != 0) return 46;
  vos::user::Load(out, &info, sizeof(info));
  if (info.type != abi::ObjectType::kProcess || info.rights != abi::kRightRead) return 47;

  // 50-59: tokens of the wrong type.
  const int64_t thread = vos::user::ThreadCreate(&vos::user::ThreadEntry<SleepBriefly>, 10'000);
  if (thread <= 0) return 50;
  const uint64_t tt = static_cast<uint64_t>(thread);
  if (vos::user::Kill(tt, 1) != Code(Status::kInvalidArgument)) return 51;
  if (vos::user::Wait(tt, out) != Code(Status::kInvalidArgument)) return 52;
  if (vos::user::ThreadJoin(tc) != Code(Status::kInvalidArgument)) return 53;
  if (vos::user::ThreadInfo(tc, out) != Code(Status::kInvalidArgument)) return 54;
  if (vos::user::ThreadInfo(tt, out) != 0) return 55;
  if (vos::user::ThreadJoin(tt) != 0) return 56;
  if (vos::user::ThreadInfo(tt, out) != Code(Status::kNotFound)) return 57;  // It is gone.

  // 60-69: this process's tokens mean nothing in another process.
  const uint64_t foreign[3] = {tc, d, tt};
  const int64_t other = SpawnWith("cap_foreign", foreign, 3);
  if (other <= 0) return 60;
  if (vos::user::Wait(static_cast<uint64_t>(other), out) <= 0) return 61;
  abi::ExitStatus status;
  vos::user::Load(out, &status, sizeof(status));
  if (status.reason != abi::ExitReason::kExited || status.code != 0) return 62;

  // 70-79: a deleted token is stale.
  if (vos::user::CapDelete(d) != 0) return 70;
  if (int64_t failed = ExpectBadHandleEverywhere(d, out, 71)) return failed;

  // 80-89: revoking removes everything derived, transitively; the root stays.
  const int64_t d2 = vos::user::CapDerive(tc, abi::kRightRead | abi::kRightDerive |
                                                  abi::kRightProcessKill);
  if (d2 <= 0) return 80;
  const int64_t d3 = vos::user::CapDerive(static_cast<uint64_t>(d2), abi::kRightRead);
  if (d3 <= 0) return 81;
  if (vos::user::CapRevoke(tc) != 0) return 82;
  if (vos::user::Kill(static_cast<uint64_t>(d2), 1) != Code(Status::kBadHandle)) return 83;
  if (vos::user::ProcessInfo(static_cast<uint64_t>(d3), out) != Code(Status::kBadHandle)) {
    return 84;
  }
  if (vos::user::ProcessInfo(tc, out) != 0) return 85;

  // 90-99: the full token kills and reaps; then it names a reaped process.
  if (vos::user::Kill(tc, 9) != 0) return 90;
  if (vos::user::Wait(tc, out) != static_cast<int64_t>(child_info.pid)) return 91;
  vos::user::Load(out, &status, sizeof(status));
  if (status.reason != abi::ExitReason::kKilled || status.code != 9) return 92;
  if (vos::user::Wait(tc, out) != Code(Status::kNotFound)) return 93;
  if (vos::user::ProcessInfo(tc, out) != Code(Status::kNotFound)) return 94;
  if (vos::user::Kill(tc, 1) != Code(Status::kNotFound)) return 95;
  if (vos::user::CapDelete(tc) != 0 || vos::user::CapDelete(tt) != 0) return 96;
  if (vos::user::CapDelete(static_cast<uint64_t>(other)) != 0) return 97;
  if (vos::user::CapInspect(tc, out) != Code(Status::kBadHandle)) return 98;
  return 0;
}

// Gets its parent's tokens as arguments: none may work here.
int64_t CapForeign(Args args) {
  const uint64_t out = kScratch + 512;
  for (size_t i = 0; i < args.size / sizeof(uint64_t); ++i) {
    if (int64_t failed = ExpectBadHandleEverywhere(Arg(args, i), out, 1 + 10 * i)) {
      return failed;
    }
  }
  return 0;
}

// Gets a process capability from the kernel (its token is its last
// argument) and uses it until it stops working: exits with the error then
// (100: it never worked; 101: it never stopped).
int64_t CapHolder(Args args) {
  const uint64_t token = LastArg(args);
  const uint64_t out = kScratch + 512;
  if (vos::user::ProcessInfo(token, out) != 0) return 100;
  for (int i = 0; i < 100'000; ++i) {
    const int64_t result = vos::user::ProcessInfo(token, out);
    if (result != 0) return result;
    vos::user::Sleep(10'000);
  }
  return 101;
}

int64_t KillSelf(Args args) {
  vos::user::Kill(0, static_cast<int64_t>(Arg(args, 0)));
  return 100;  // Not reached: the kill ends the process.
}

}  // namespace

const vos::user::Entry kCapAbuse = &vos::user::ProgramEntry<CapAbuse>;
const vos::user::Entry kCapForeign = &vos::user::ProgramEntry<CapForeign>;
const vos::user::Entry kCapHolder = &vos::user::ProgramEntry<CapHolder>;
const vos::user::Entry kKillSelf = &vos::user::ProgramEntry<KillSelf>;

}  // namespace programs
