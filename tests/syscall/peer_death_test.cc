// Peer death: a process that dies wakes everyone blocked on it with an
// error, and its own threads leave whatever they were blocked in.
//  - A server killed while it holds an unanswered call and sleeps in
//    ipc_receive: its caller gets kPeerClosed, and the server is reaped.
//  - A server killed while callers and senders queue for it: each gets
//    kPeerClosed (nothing delivered).
//  - A client killed mid-call: the server's reply gets kNotFound; a client
//    killed while queued: its message is never received.
//  - A process killed with threads blocked on a mutex, a read lock, a
//    semaphore and a barrier, without deadlines: it dies and is reaped.
//  - A channel receiver whose only sender (the channel's creator) was
//    killed gets kPeerClosed; a receiver killed while blocked is reaped.
// Programs live here; the test body acts for init. Every scenario runs on 1
// and 4 CPUs with several seeds, and every run ends with the kernel's leak
// check (frames and heap objects, tests/support/process_machine.h).
#include <array>
#include <cstdint>
#include <cstring>

#include "gtest/gtest.h"
#include "scenarios/programs/user_helpers.h"
#include "src/abi/syscall.h"
#include "src/abi/user_syscalls.h"
#include "src/proc/process_manager.h"
#include "src/sched/scheduler.h"
#include "tests/support/process_machine.h"

namespace vos {
namespace {

using programs::Arg;
using programs::BlockUntilKilled;
using programs::Code;
using programs::kBuffers;
using programs::kScratch;
using programs::SpawnGranting;
using testing_support::MakeProcessMachine;
using testing_support::RunProcesses;

// Message buffers.
constexpr uint64_t kRequest = kBuffers;
constexpr uint64_t kAnswer = kRequest + sizeof(abi::IpcMessage);

// Exit codes: 0 when the program saw what it expected.
constexpr int64_t kUnexpected = 1000;  // Plus the negated result it got.
int64_t Unexpected(int64_t result) { return kUnexpected - result; }

void PutMessage(uint64_t address, uint32_t size) {
  abi::IpcMessage message{};
  message.length = size;
  for (uint32_t i = 0; i < size; ++i) message.data[i] = static_cast<uint8_t>(i);
  user::Store(address, &message, abi::kIpcHeaderSize + size);
}

// --- Endpoints ---

enum CallerKind : uint64_t { kCall = 0, kSend = 1 };

// pd_caller kind token: one call (or send) that must fail with kPeerClosed.
int64_t Caller(user::Args args) {
  const uint64_t kind = Arg(args, 0);
  const uint64_t endpoint = Arg(args, 1);
  PutMessage(kRequest, 16);
  const int64_t result = kind == kCall ? user::IpcCall(endpoint, kRequest, kAnswer)
                                       : user::IpcSend(endpoint, kRequest);
  return result == Code(Status::kPeerClosed) ? 0 : Unexpected(result);
}

// Callers may only send: a receive capability would keep the endpoint open
// after its server's death.
int64_t SpawnCaller(uint64_t kind, int64_t endpoint) {
  const int64_t send_only = user::CapDerive(static_cast<uint64_t>(endpoint),
                                            abi::kRightEndpointSend | abi::kRightGrant);
  if (send_only <= 0) return send_only;
  const uint64_t values[] = {kind};
  const uint64_t grants[] = {static_cast<uint64_t>(send_only)};
  return SpawnGranting("pd_caller", values, 1, grants, 1);
}

enum ServerMode : uint64_t { kTakesCallThenReceives = 0, kNeverReceives = 1 };

// pd_server mode: owns an endpoint and spawns callers of it (its children,
// re-parented to init when it dies), then blocks until killed:
//  kTakesCallThenReceives: receives one call, leaves it unanswered, and
//    sleeps in ipc_receive;
//  kNeverReceives: a caller and a sender queue; it sleeps on a semaphore.
int64_t Server(user::Args args) {
  const uint64_t mode = Arg(args, 0);
  const int64_t endpoint = user::EndpointCreate();
  if (endpoint <= 0) return 1;
  if (SpawnCaller(kCall, endpoint) <= 0) return 2;
  if (mode == kTakesCallThenReceives) {
    if (const int64_t got = user::IpcReceive(endpoint, kRequest); got != 0) return 3;
    abi::IpcMessage message;
    user::Load(kRequest, &message, abi::kIpcHeaderSize);
    if (message.reply_handle == 0) return 4;
    return Unexpected(user::IpcReceive(endpoint, kRequest));
  }
  if (SpawnCaller(kSend, endpoint) <= 0) return 5;
  return Unexpected(BlockUntilKilled());
}

enum ClientFate : uint64_t { kKilledMidCall = 0, kKilledQueued = 1 };

// pd_reply_server fate: owns an endpoint, spawns a caller and kills it
// (after taking its call, or while it queues), reaps it, and checks that
// the dead caller's call is gone: its reply handle is stale (kNotFound), or
// its message is never received (kTimedOut). Exits 0, or a check number.
int64_t ReplyServer(user::Args args) {
  const uint64_t fate = Arg(args, 0);
  const int64_t endpoint = user::EndpointCreate();
  if (endpoint <= 0) return 1;
  const int64_t caller = SpawnCaller(kCall, endpoint);
  if (caller <= 0) return 2;
  if (fate == kKilledMidCall) {
    if (user::IpcReceive(endpoint, kRequest) != 0) return 3;
  } else {
    user::Sleep(200'000);  // The call queues meanwhile.
  }
  if (user::Kill(caller, 7) != 0) return 4;
  const uint64_t status_at = kScratch + 4096;
  if (user::Wait(caller, status_at) <= 0) return 5;
  abi::ExitStatus status;
  user::Load(status_at, &status, sizeof(status));
  if (status.reason != abi::ExitReason::kKilled || status.code != 7) return 6;
  if (fate == kKilledMidCall) {
    abi::IpcMessage taken;
    user::Load(kRequest, &taken, abi::kIpcHeaderSize);
    abi::IpcMessage reply{};
    reply.reply_handle = taken.reply_handle;
    user::Store(kAnswer, &reply, abi::kIpcHeaderSize);
    const int64_t replied =
        user::IpcReplyWait(endpoint, kAnswer, kRequest, user::GetTime() + 10'000);
    return replied == Code(Status::kNotFound) ? 0 : Unexpected(replied);
  }
  const int64_t received = user::IpcReceive(endpoint, kRequest, user::GetTime() + 50'000);
  return received == Code(Status::kTimedOut) ? 0 : Unexpected(received);
}

// --- Sync objects ---

int64_t LockMutex(uint64_t mutex) { return Unexpected(user::MutexLock(mutex)); }
int64_t ReadLock(uint64_t rw) { return Unexpected(user::RwLockLock(rw, abi::kRwLockRead)); }
int64_t Down(uint64_t semaphore) { return Unexpected(user::SemaphoreDown(semaphore)); }
int64_t AtBarrier(uint64_t barrier) { return Unexpected(user::BarrierWait(barrier)); }

// pd_blocked_threads: holds a mutex and a write lock, and blocks threads on
// the mutex, a read lock, a semaphore and a three-party barrier (itself the
// second party there), none with a deadline, until killed.
int64_t BlockedThreads(user::Args) {
  const int64_t mutex = user::MutexCreate();
  const int64_t rw = user::RwLockCreate();
  const int64_t semaphore = user::SemaphoreCreate(0);
  const int64_t barrier = user::BarrierCreate(3);
  if (mutex <= 0 || rw <= 0 || semaphore <= 0 || barrier <= 0) return 1;
  if (user::MutexLock(mutex) != 0 || user::RwLockLock(rw, abi::kRwLockWrite) != 0) return 2;
  if (user::ThreadCreate(&user::ThreadEntry<LockMutex>, mutex) <= 0 ||
      user::ThreadCreate(&user::ThreadEntry<ReadLock>, rw) <= 0 ||
      user::ThreadCreate(&user::ThreadEntry<Down>, semaphore) <= 0 ||
      user::ThreadCreate(&user::ThreadEntry<AtBarrier>, barrier) <= 0) {
    return 3;
  }
  return Unexpected(user::BarrierWait(barrier));
}

// --- Channels ---

// pd_channel_receiver token: a receive that must fail with kPeerClosed.
int64_t ChannelReceiver(user::Args args) {
  const uint64_t channel = Arg(args, 0);
  const int64_t received = user::ChannelReceive(channel, kRequest, 64, 0, 0);
  return received == Code(Status::kPeerClosed) ? 0 : Unexpected(received);
}

// pd_channel_owner: creates a channel, spawns a receiver of it (which may
// only receive), and blocks until killed (which closes the channel: its
// capability was the last that could send).
int64_t ChannelOwner(user::Args) {
  const int64_t channel = user::ChannelCreate();
  if (channel <= 0) return 1;
  const int64_t receive_only = user::CapDerive(static_cast<uint64_t>(channel),
                                               abi::kRightChannelReceive | abi::kRightGrant);
  if (receive_only <= 0) return 3;
  const uint64_t grants[] = {static_cast<uint64_t>(receive_only)};
  if (SpawnGranting("pd_channel_receiver", nullptr, 0, grants, 1) <= 0) return 2;
  return Unexpected(BlockUntilKilled());
}

// pd_channel_self: receives on its own channel, which nobody sends to,
// until killed.
int64_t ChannelSelf(user::Args) {
  const int64_t channel = user::ChannelCreate();
  if (channel <= 0) return 1;
  return Unexpected(user::ChannelReceive(channel, kRequest, 64, 0, 0));
}

const std::array<Program, 7>& Programs() {
  static const std::array<Program, 7> programs = {{
      {"pd_caller", user::CodeAddress(user::ProgramEntry<Caller>)},
      {"pd_server", user::CodeAddress(user::ProgramEntry<Server>)},
      {"pd_reply_server", user::CodeAddress(user::ProgramEntry<ReplyServer>)},
      {"pd_blocked_threads", user::CodeAddress(user::ProgramEntry<BlockedThreads>)},
      {"pd_channel_receiver", user::CodeAddress(user::ProgramEntry<ChannelReceiver>)},
      {"pd_channel_owner", user::CodeAddress(user::ProgramEntry<ChannelOwner>)},
      {"pd_channel_self", user::CodeAddress(user::ProgramEntry<ChannelSelf>)},
  }};
  return programs;
}

// Runs `body` on 1 CPU and on 4 CPUs with three seeds.
template <typename Body>
void OnOneAndFourCpus(Body body) {
  const struct {
    uint32_t cpus;
    uint64_t seed;
  } runs[] = {{1, 1}, {4, 1}, {4, 2}, {4, 3}};
  for (const auto& run : runs) {
    SCOPED_TRACE(testing::Message() << run.cpus << " CPUs, seed " << run.seed);
    RunProcesses(MakeProcessMachine(run.cpus, run.seed, Programs()), body);
  }
}

ProcessId SpawnProgram(const char* name, std::initializer_list<uint64_t> args = {}) {
  Result<ProcessId> spawned = testing_support::Spawn(name, args);
  EXPECT_TRUE(spawned.ok());
  return spawned.ok() ? *spawned : ProcessId{};
}

// Lets `process` and its children block (simulated time), checks it is
// still running with `children` children, and kills it.
void SettleAndKill(ProcessId process, uint32_t children) {
  Scheduler::SleepFor(2'000'000);
  abi::ProcessInfo info;
  ASSERT_EQ(ProcessManager::QueryProcess(process, &info), Status::kOk);
  EXPECT_EQ(info.state, abi::ProcessState::kRunning);
  EXPECT_EQ(info.children, children);
  ASSERT_EQ(ProcessManager::Kill(process, 9), Status::kOk);
}

// Reaps `count` children of init: `killed` must have been killed with code
// 9, every other one must have exited 0.
void ReapAll(ProcessId killed, uint32_t count) {
  for (uint32_t i = 0; i < count; ++i) {
    abi::ExitStatus status;
    Result<ProcessId> reaped =
        ProcessManager::Wait(ProcessManager::InitProcess(), ProcessId{}, &status, false);
    ASSERT_TRUE(reaped.ok());
    if (*reaped == killed) {
      EXPECT_EQ(status.reason, abi::ExitReason::kKilled);
      EXPECT_EQ(status.code, 9);
    } else {
      EXPECT_EQ(status.reason, abi::ExitReason::kExited);
      EXPECT_EQ(status.code, 0) << "a peer's program saw the wrong result";
    }
  }
  EXPECT_EQ(ProcessManager::LiveProcesses(), 1u);
}

TEST(PeerDeathTest, ServerKilledWithACallTakenWhileReceiving) {
  OnOneAndFourCpus([] {
    const ProcessId server = SpawnProgram("pd_server", {kTakesCallThenReceives});
    SettleAndKill(server, 1);
    ReapAll(server, 2);
  });
}

TEST(PeerDeathTest, ServerKilledWithCallersAndSendersQueued) {
  OnOneAndFourCpus([] {
    const ProcessId server = SpawnProgram("pd_server", {kNeverReceives});
    SettleAndKill(server, 2);
    ReapAll(server, 3);
  });
}

TEST(PeerDeathTest, ClientKilledMidCallLeavesAStaleReplyHandle) {
  OnOneAndFourCpus([] {
    SpawnProgram("pd_reply_server", {kKilledMidCall});
    ReapAll(ProcessId{}, 1);
  });
}

TEST(PeerDeathTest, ClientKilledWhileQueuedIsNeverReceived) {
  OnOneAndFourCpus([] {
    SpawnProgram("pd_reply_server", {kKilledQueued});
    ReapAll(ProcessId{}, 1);
  });
}

TEST(PeerDeathTest, ThreadsBlockedOnSyncObjectsLetTheProcessDie) {
  OnOneAndFourCpus([] {
    const ProcessId process = SpawnProgram("pd_blocked_threads");
    SettleAndKill(process, 0);
    ReapAll(process, 1);
  });
}

TEST(PeerDeathTest, ChannelReceiverWakesWhenTheOwningSenderDies) {
  OnOneAndFourCpus([] {
    const ProcessId owner = SpawnProgram("pd_channel_owner");
    SettleAndKill(owner, 1);
    ReapAll(owner, 2);
  });
}

TEST(PeerDeathTest, ChannelReceiverKilledWhileBlocked) {
  OnOneAndFourCpus([] {
    const ProcessId receiver = SpawnProgram("pd_channel_self");
    SettleAndKill(receiver, 0);
    ReapAll(receiver, 1);
  });
}

}  // namespace
}  // namespace vos
