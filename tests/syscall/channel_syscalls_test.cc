// The channel syscalls from simulated user mode: bad tokens, wrong types,
// missing rights, bad buffers and sizes rejected; rate limits; an owner's
// death waking blocked receivers and senders with kPeerClosed; and the
// catalog's channel programs (exactly-once delivery between processes on
// several CPUs, statistics), with the kernel-wide totals they leave.
#include <array>
#include <cstdint>
#include <cstring>

#include "gtest/gtest.h"
#include "scenarios/programs/user_helpers.h"
#include "src/abi/ipc.h"
#include "src/abi/syscall.h"
#include "src/abi/user_syscalls.h"
#include "src/ipc/ipc_totals.h"
#include "src/proc/process_manager.h"
#include "tests/support/process_machine.h"

namespace vos {
namespace {

using programs::Arg;
using programs::Code;
using programs::Get64;
using programs::kBuffers;
using programs::Put;
using programs::SpawnGranting;
using testing_support::ExpectExitedWith;
using testing_support::MakeProcessMachine;
using testing_support::Reap;
using testing_support::RunProcesses;

constexpr uint64_t kBuffer = kBuffers;
constexpr uint64_t kSenderAt = kBuffer + 256;
constexpr uint64_t kOut = kSenderAt + 64;

// chan_abuse: every misuse gets its documented error. Exits 0, or the
// number of the first check that failed.
int64_t Abuse(user::Args) {
  const int64_t channel = user::ChannelCreate();
  const int64_t endpoint = user::EndpointCreate();
  if (channel < 0 || endpoint < 0) return 1;
  const uint64_t full = static_cast<uint64_t>(channel);
  const int64_t send_only = user::CapDerive(full, abi::kRightChannelSend);
  const int64_t receive_only = user::CapDerive(full, abi::kRightChannelReceive);
  const int64_t no_rights = user::CapDerive(full, abi::kRightGrant);
  if (send_only < 0 || receive_only < 0 || no_rights < 0) return 2;
  const uint64_t s = static_cast<uint64_t>(send_only);
  const uint64_t r = static_cast<uint64_t>(receive_only);
  const uint64_t n = static_cast<uint64_t>(no_rights);
  Put(kBuffer, "hello", 5);
  const uint64_t soon = static_cast<uint64_t>(user::GetTime()) + 20'000;
  const struct {
    int64_t result;
    Status expected;
  } checks[] = {
      // Forged, null and wrong-type tokens.
      {user::ChannelSend(full ^ 0x5a5a, kBuffer, 5), Status::kBadHandle},
      {user::ChannelReceive(0, kBuffer, 64), Status::kBadHandle},
      {user::ChannelSend(static_cast<uint64_t>(endpoint), kBuffer, 5), Status::kInvalidArgument},
      {user::ChannelStats(static_cast<uint64_t>(endpoint), kOut), Status::kInvalidArgument},
      // Missing rights.
      {user::ChannelSend(r, kBuffer, 5), Status::kPermissionDenied},
      {user::ChannelReceive(s, kBuffer, 64), Status::kPermissionDenied},
      {user::ChannelSetRateLimit(s, 10, 1), Status::kPermissionDenied},
      {user::ChannelClose(r), Status::kPermissionDenied},
      {user::ChannelStats(n, kOut), Status::kPermissionDenied},
      {user::ChannelSend(n, kBuffer, 5), Status::kPermissionDenied},
      // Sizes, buffers, limits.
      {user::ChannelSend(full, kBuffer, abi::kMaxChannelMessage + 1), Status::kInvalidArgument},
      {user::ChannelSend(full, 0x7000'0000, 5), Status::kInvalidArgument},
      {user::ChannelStats(full, 0x7000'0000), Status::kInvalidArgument},
      {user::ChannelSetRateLimit(full, abi::kMaxRatePerSecond + 1, 1), Status::kInvalidArgument},
      {user::ChannelSetRateLimit(full, 10, 0), Status::kInvalidArgument},
      {user::ChannelSetRateLimit(full, 10, abi::kMaxRateBurst + 1), Status::kInvalidArgument},
      // Nothing queued: the deadline ends the wait.
      {user::ChannelReceive(full, kBuffer, 64, soon), Status::kTimedOut},
  };
  int64_t number = 10;
  for (const auto& check : checks) {
    if (check.result != Code(check.expected)) return number;
    ++number;
  }
  // A bad receive buffer fails without taking the message. (The timed-out
  // receive above may have written its buffer.)
  if (user::ChannelSend(full, Put(kBuffer, "hello", 5), 5) != 0) return 50;
  if (user::ChannelReceive(full, 0x7000'0000, 64) != Code(Status::kInvalidArgument)) return 51;
  if (user::ChannelReceive(full, kBuffer, 64, 0, 0x7000'0000) !=
      Code(Status::kInvalidArgument)) {
    return 52;
  }
  // A short buffer gets the start; the result says how long it was.
  if (user::ChannelReceive(full, kBuffer + 100, 2, 0, kSenderAt) != 5) return 53;
  char got[5] = {};
  user::Load(kBuffer + 100, got, 2);
  if (std::memcmp(got, "he", 2) != 0) return 54;
  abi::ProcessInfo info;
  if (user::ProcessInfo(0, kOut) != 0) return 55;
  user::Load(kOut, &info, sizeof(info));
  if (Get64(kSenderAt) != info.pid) return 56;  // The kernel's word, not the sender's.
  // Closed: sends fail, receives drain first.
  if (user::ChannelSend(full, kBuffer, 5) != 0 || user::ChannelClose(full) != 0) return 57;
  if (user::ChannelSend(full, kBuffer, 5) != Code(Status::kPeerClosed)) return 58;
  if (user::ChannelReceive(full, kBuffer, 64) != 5) return 59;
  if (user::ChannelReceive(full, kBuffer, 64) != Code(Status::kPeerClosed)) return 60;
  return 0;
}

// chan_rate: a rate limit of `burst` at once and 1000 a second: the send
// past the burst fails with kRateLimited (and queues nothing) until time
// refills the bucket; lifting the limit lets everything through. Exits 0
// or the failed check's number.
int64_t Rate(user::Args args) {
  const uint64_t burst = Arg(args, 0);
  const int64_t channel = user::ChannelCreate();
  if (channel < 0 || burst == 0) return 1;
  const uint64_t c = static_cast<uint64_t>(channel);
  if (user::ChannelSetRateLimit(c, 1000, burst) != 0) return 2;
  for (uint64_t i = 0; i < burst; ++i) {
    if (user::ChannelSend(c, kBuffer, 8) != 0) return 3;
  }
  if (user::ChannelSend(c, kBuffer, 8) != Code(Status::kRateLimited)) return 4;
  if (user::ChannelSend(c, kBuffer, 8, 1) != Code(Status::kRateLimited)) return 5;  // Never waits.
  user::Sleep(1'000'000);  // One token a millisecond.
  if (user::ChannelSend(c, kBuffer, 8) != 0) return 6;
  if (user::ChannelSend(c, kBuffer, 8) != Code(Status::kRateLimited)) return 7;
  abi::ChannelStats stats;
  if (user::ChannelStats(c, kOut) != 0) return 8;
  user::Load(kOut, &stats, sizeof(stats));
  if (stats.sent != burst + 1 || stats.rate_limited != 3) return 9;
  if (user::ChannelSetRateLimit(c, 0, 0) != 0) return 10;
  for (uint64_t i = 0; i < 2 * burst; ++i) {
    if (user::ChannelSend(c, kBuffer, 8) != 0) return 11;
  }
  return 0;
}

// chan_waiter receive: blocks on the granted channel (receive-only when
// `receive`, else send-only, filling it first) until the owner's death
// closes it. Exits 0 when that woke it with kPeerClosed.
int64_t Waiter(user::Args args) {
  const uint64_t receive = Arg(args, 0);
  const uint64_t channel = Arg(args, 1);
  if (receive == 0) {
    for (uint64_t i = 0; i < abi::kChannelCapacity; ++i) {
      if (user::ChannelSend(channel, kBuffer, 8) != 0) return 1;
    }
    return user::ChannelSend(channel, kBuffer, 8) == Code(Status::kPeerClosed) ? 0 : 2;
  }
  // The owner's message first, stamped with the owner's pid.
  if (user::ChannelReceive(channel, kBuffer, 64, 0, kSenderAt) != 3) return 3;
  abi::ProcessInfo info;
  if (user::ProcessInfo(0, kOut) != 0) return 4;
  user::Load(kOut, &info, sizeof(info));
  if (Get64(kSenderAt) != info.parent) return 5;
  return user::ChannelReceive(channel, kBuffer, 64) == Code(Status::kPeerClosed) ? 0 : 6;
}

// chan_owner: creates two channels, hands a receiver and a sender child one
// each, and dies (without closing them) once both are asleep in them.
int64_t Owner(user::Args) {
  const int64_t for_receiver = user::ChannelCreate();
  const int64_t for_sender = user::ChannelCreate();
  if (for_receiver < 0 || for_sender < 0) return 1;
  const uint64_t receive_grant = static_cast<uint64_t>(
      user::CapDerive(for_receiver, abi::kRightChannelReceive | abi::kRightGrant));
  const uint64_t send_grant = static_cast<uint64_t>(
      user::CapDerive(for_sender, abi::kRightChannelSend | abi::kRightGrant));
  const uint64_t one = 1;
  const uint64_t zero = 0;
  if (SpawnGranting("chan_waiter", &one, 1, &receive_grant, 1) < 0) return 2;
  if (SpawnGranting("chan_waiter", &zero, 1, &send_grant, 1) < 0) return 3;
  if (user::ChannelSend(static_cast<uint64_t>(for_receiver), Put(kBuffer, "hi!", 3), 3) != 0) {
    return 4;
  }
  user::Sleep(200'000);
  return 0;  // Its children are orphans now: init reaps them.
}

const std::array<Program, 4>& Programs() {
  static const std::array<Program, 4> programs = {{
      {"chan_abuse", user::CodeAddress(user::ProgramEntry<Abuse>)},
      {"chan_rate", user::CodeAddress(user::ProgramEntry<Rate>)},
      {"chan_waiter", user::CodeAddress(user::ProgramEntry<Waiter>)},
      {"chan_owner", user::CodeAddress(user::ProgramEntry<Owner>)},
  }};
  return programs;
}

TEST(ChannelSyscallsTest, BadTokensWrongTypesMissingRightsAndBuffersAreRejected) {
  RunProcesses(MakeProcessMachine(2, 1, Programs()), [] {
    Result<ProcessId> abuse = testing_support::Spawn("chan_abuse");
    ASSERT_TRUE(abuse.ok());
    ExpectExitedWith(*abuse, 0);
  });
}

TEST(ChannelSyscallsTest, SendsOverTheRateLimitReturnRateLimited) {
  RunProcesses(MakeProcessMachine(1, 1, Programs()), [] {
    for (uint64_t burst : {1, 4}) {
      Result<ProcessId> rate = testing_support::Spawn("chan_rate", {burst});
      ASSERT_TRUE(rate.ok());
      ExpectExitedWith(*rate, 0);
    }
  });
}

TEST(ChannelSyscallsTest, OwnerDeathWakesBlockedReceiverAndSender) {
  for (uint32_t cpus : {1u, 4u}) {
    SCOPED_TRACE(cpus);
    RunProcesses(MakeProcessMachine(cpus, cpus, Programs()), [] {
      Result<ProcessId> owner = testing_support::Spawn("chan_owner");
      ASSERT_TRUE(owner.ok());
      // The owner and its two orphaned children, in any order.
      for (int i = 0; i < 3; ++i) {
        const abi::ExitStatus status = Reap();
        EXPECT_EQ(status.reason, abi::ExitReason::kExited);
        EXPECT_EQ(status.code, 0);
      }
    });
  }
}

TEST(ChannelSyscallsTest, ProducersAndConsumersExactlyOnceInOrderOnFourCpus) {
  for (uint64_t seed : {1, 2}) {
    SCOPED_TRACE(seed);
    RunProcesses(MakeProcessMachine(4, seed), [] {
      KernelIpcTotals().Reset();
      Result<ProcessId> run = testing_support::Spawn("producer_consumer", {3, 2, 40});
      ASSERT_TRUE(run.ok());
      ExpectExitedWith(*run, 0);
      // Both channels are gone: their counters are in the totals.
      const IpcTotalsSnapshot totals = KernelIpcTotals().Read();
      EXPECT_EQ(totals.channels, 2u);
      EXPECT_EQ(totals.channel_sent, 3u * 40 + 3 * 2);  // Items and reports.
      EXPECT_EQ(totals.channel_received, totals.channel_sent);
      EXPECT_EQ(totals.channel_latency.samples, totals.channel_received);
      EXPECT_LE(totals.channel_latency.p50_ns, totals.channel_latency.p99_ns);
      EXPECT_LE(totals.channel_latency.p99_ns, totals.channel_latency.max_ns);
    });
  }
}

TEST(ChannelSyscallsTest, StatisticsAgreeWithWhatWasSentAndReceived) {
  RunProcesses(MakeProcessMachine(2), [] {
    Result<ProcessId> reader = testing_support::Spawn("channel_stats_reader", {40});
    ASSERT_TRUE(reader.ok());
    ExpectExitedWith(*reader, 0);
  });
}

}  // namespace
}  // namespace vos
