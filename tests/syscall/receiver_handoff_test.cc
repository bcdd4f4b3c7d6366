// An endpoint's server side lives with its receive capabilities, not with
// the process that created it (object.h: HolderWatch), seen from user mode:
//  - A creator moves its receive capability to a server through IPC and
//    exits: its client, holding a send-only capability, still gets answers;
//    once the server (the last receive holder) exits, the next call gets
//    kPeerClosed.
//  - Deleting the last receive capability while its holder lives closes the
//    endpoint: a queued caller wakes with kPeerClosed; send-only
//    capabilities do not keep it open.
//  - Revoking a process's receive capability leaves the endpoint open while
//    the revoker's own can still receive; deleting that one closes it.
//  - A call taken by a server that dies unanswered fails with kPeerClosed,
//    although the endpoint stays open for another receiver.
// Programs live here; the test body acts for init, on 1 and 4 CPUs, and
// every run ends with the kernel's leak check.
#include <array>
#include <cstdint>
#include <cstring>

#include "gtest/gtest.h"
#include "scenarios/programs/user_helpers.h"
#include "src/abi/syscall.h"
#include "src/abi/user_syscalls.h"
#include "src/ipc/endpoint.h"
#include "src/proc/process_manager.h"
#include "src/sched/scheduler.h"
#include "tests/support/process_machine.h"

namespace vos {
namespace {

using programs::Arg;
using programs::BlockUntilKilled;
using programs::Code;
using programs::kBuffers;
using programs::SpawnGranting;
using testing_support::ExpectExitedWith;
using testing_support::InitCapabilities;
using testing_support::MakeProcessMachine;
using testing_support::RunProcesses;

constexpr uint64_t kRequest = kBuffers;
constexpr uint64_t kAnswer = kRequest + sizeof(abi::IpcMessage);
constexpr uint64_t kInfoAt = kAnswer + sizeof(abi::IpcMessage);
constexpr uint32_t kCalls = 5;

void PutMessage(uint64_t address, uint32_t value, uint64_t reply_handle = 0,
                uint16_t cap_count = 0, uint64_t cap = 0, uint16_t flags = 0) {
  abi::IpcMessage message{};
  message.reply_handle = reply_handle;
  message.length = sizeof(value);
  message.cap_count = cap_count;
  message.flags = flags;
  message.caps[0] = cap;
  std::memcpy(message.data, &value, sizeof(value));
  user::Store(address, &message, abi::kIpcHeaderSize + sizeof(value));
}

uint32_t ValueAt(uint64_t address) {
  abi::IpcMessage message;
  user::Load(address, &message, abi::kIpcHeaderSize + sizeof(uint32_t));
  uint32_t value;
  std::memcpy(&value, message.data, sizeof(value));
  return value;
}

// rh_server rendezvous: receives the served endpoint's receive capability
// (moved) on `rendezvous`, answers kCalls calls on it with their value + 1,
// takes one more call and exits without answering it: its capability was
// the last that could receive, so that caller gets kPeerClosed.
int64_t Server(user::Args args) {
  const uint64_t rendezvous = Arg(args, 0);
  if (user::IpcReceive(rendezvous, kRequest) != 0) return 1;
  abi::IpcMessage handoff;
  user::Load(kRequest, &handoff, abi::kIpcHeaderSize);
  if (handoff.cap_count != 1 || handoff.caps[0] == 0) return 2;
  const uint64_t served = handoff.caps[0];
  if (user::IpcReceive(served, kRequest) != 0) return 3;
  for (uint32_t i = 0; i < kCalls; ++i) {
    abi::IpcMessage request;
    user::Load(kRequest, &request, abi::kIpcHeaderSize);
    PutMessage(kAnswer, ValueAt(kRequest) + 1, request.reply_handle);
    if (user::IpcReplyWait(served, kAnswer, kRequest) != 0) return 10 + i;
  }
  return 0;
}

// rh_client endpoint: waits until its parent (the endpoint's creator) has
// died, then makes kCalls calls that must be answered, and one more that
// must fail with kPeerClosed (the server takes it and exits).
int64_t Client(user::Args args) {
  const uint64_t endpoint = Arg(args, 0);
  for (;;) {
    if (user::ProcessInfo(0, kInfoAt) != 0) return 1;
    abi::ProcessInfo info;
    user::Load(kInfoAt, &info, sizeof(info));
    if (info.parent == abi::kInitPid) break;  // Orphaned: the creator is gone.
    user::Sleep(10'000);
  }
  for (uint32_t i = 0; i < kCalls; ++i) {
    PutMessage(kRequest, 100 + i);
    if (const int64_t called = user::IpcCall(endpoint, kRequest, kAnswer); called != 0) {
      return 10 + i;
    }
    if (ValueAt(kAnswer) != 101 + i) return 20 + i;
  }
  PutMessage(kRequest, 0);
  const int64_t last = user::IpcCall(endpoint, kRequest, kAnswer);
  return last == Code(Status::kPeerClosed) ? 0 : 30;
}

// rh_creator rendezvous: creates an endpoint, spawns a client with a
// send-only capability to it, moves its own (receive-capable) capability to
// the server over `rendezvous`, and exits.
int64_t Creator(user::Args args) {
  const uint64_t rendezvous = Arg(args, 0);
  const int64_t endpoint = user::EndpointCreate();
  if (endpoint <= 0) return 1;
  const int64_t send_only = user::CapDerive(static_cast<uint64_t>(endpoint),
                                            abi::kRightEndpointSend | abi::kRightGrant);
  if (send_only <= 0) return 2;
  const uint64_t grants[] = {static_cast<uint64_t>(send_only)};
  if (SpawnGranting("rh_client", nullptr, 0, grants, 1) <= 0) return 3;
  PutMessage(kRequest, 0, 0, 1, static_cast<uint64_t>(endpoint), abi::kIpcMoveCaps);
  if (user::IpcSend(rendezvous, kRequest) != 0) return 4;
  // Moved: the creator holds no receive capability any more.
  if (user::CapInspect(static_cast<uint64_t>(endpoint), kInfoAt) != Code(Status::kBadHandle)) {
    return 5;
  }
  return 0;
}

// rh_caller endpoint: one call that must fail with kPeerClosed.
int64_t Caller(user::Args args) {
  PutMessage(kRequest, 7);
  const int64_t called = user::IpcCall(Arg(args, 0), kRequest, kAnswer);
  return called == Code(Status::kPeerClosed) ? 0 : 40;
}

// rh_holder endpoint: holds a receive capability and blocks until killed.
int64_t Holder(user::Args) { return 100 - BlockUntilKilled(); }

// rh_taker endpoint: takes one call, never answers it, blocks until killed.
int64_t Taker(user::Args args) {
  if (user::IpcReceive(Arg(args, 0), kRequest) != 0) return 1;
  return 100 - BlockUntilKilled();
}

const std::array<Program, 6>& Programs() {
  static const std::array<Program, 6> programs = {{
      {"rh_server", user::CodeAddress(user::ProgramEntry<Server>)},
      {"rh_client", user::CodeAddress(user::ProgramEntry<Client>)},
      {"rh_creator", user::CodeAddress(user::ProgramEntry<Creator>)},
      {"rh_caller", user::CodeAddress(user::ProgramEntry<Caller>)},
      {"rh_holder", user::CodeAddress(user::ProgramEntry<Holder>)},
      {"rh_taker", user::CodeAddress(user::ProgramEntry<Taker>)},
  }};
  return programs;
}

template <typename Body>
void OnOneAndFourCpus(Body body) {
  for (uint32_t cpus : {1u, 4u}) {
    SCOPED_TRACE(cpus);
    RunProcesses(MakeProcessMachine(cpus, cpus, Programs()), body);
  }
}

// Reaps `count` children of init, each of which must have exited 0.
void ReapExitedZero(uint32_t count) {
  for (uint32_t i = 0; i < count; ++i) {
    const abi::ExitStatus status = testing_support::Reap();
    EXPECT_EQ(status.reason, abi::ExitReason::kExited);
    EXPECT_EQ(status.code, 0);
  }
}

// A new endpoint in init's space: `rights` on one root capability, and
// send-only on another (so revoking the first leaves the second).
struct InitEndpoints {
  ObjectRef<Endpoint> endpoint;
  Token server;
  Token client;
};
InitEndpoints MakeEndpoints() {
  Result<ObjectRef<Endpoint>> endpoint = Endpoint::Create();
  EXPECT_TRUE(endpoint.ok());
  Result<Token> server =
      InitCapabilities().Insert(**endpoint, static_cast<Rights>(abi::kEndpointRights));
  Result<Token> client = InitCapabilities().Insert(
      **endpoint, static_cast<Rights>(abi::kRightEndpointSend | abi::kRightGrant));
  EXPECT_TRUE(server.ok() && client.ok());
  return {std::move(*endpoint), *server, *client};
}

// Lets spawned programs block (simulated time).
void Settle() { Scheduler::SleepFor(2'000'000); }

TEST(ReceiverHandoffTest, EndpointOutlivesItsCreatorWhenItsReceiveCapabilityMoved) {
  OnOneAndFourCpus([] {
    const Token rendezvous = testing_support::InitEndpoint();
    Result<ProcessId> server =
        testing_support::SpawnGranting("rh_server", {}, {rendezvous});
    ASSERT_TRUE(server.ok());
    Result<ProcessId> creator =
        testing_support::SpawnGranting("rh_creator", {}, {rendezvous});
    ASSERT_TRUE(creator.ok());
    ExpectExitedWith(*creator, 0);
    ReapExitedZero(2);  // The server and the orphaned client.
    EXPECT_EQ(InitCapabilities().Delete(rendezvous), Status::kOk);
  });
}

TEST(ReceiverHandoffTest, DeletingTheLastReceiveCapabilityWakesQueuedCallers) {
  OnOneAndFourCpus([] {
    InitEndpoints e = MakeEndpoints();
    Result<ProcessId> caller = testing_support::SpawnGranting("rh_caller", {}, {e.client});
    ASSERT_TRUE(caller.ok());
    Settle();
    EXPECT_EQ(e.endpoint->WaitingSenders(), 1u);
    EXPECT_EQ(e.endpoint->holders(0), 1u);
    EXPECT_EQ(InitCapabilities().Delete(e.server), Status::kOk);
    // Send-only capabilities (init's and the caller's) keep nothing open.
    EXPECT_TRUE(e.endpoint->closed());
    ExpectExitedWith(*caller, 0);
    EXPECT_EQ(InitCapabilities().Delete(e.client), Status::kOk);
  });
}

TEST(ReceiverHandoffTest, RevokingReceiveCapabilitiesThenDeletingTheLastClosesIt) {
  OnOneAndFourCpus([] {
    InitEndpoints e = MakeEndpoints();
    Result<ProcessId> holder = testing_support::SpawnGranting("rh_holder", {}, {e.server});
    Result<ProcessId> caller = testing_support::SpawnGranting("rh_caller", {}, {e.client});
    ASSERT_TRUE(holder.ok() && caller.ok());
    Settle();
    EXPECT_EQ(e.endpoint->holders(0), 2u);  // Init's and the holder's copy.
    EXPECT_EQ(InitCapabilities().Revoke(e.server), Status::kOk);
    EXPECT_EQ(e.endpoint->holders(0), 1u);
    Settle();
    EXPECT_FALSE(e.endpoint->closed());  // Init can still receive.
    EXPECT_EQ(e.endpoint->WaitingSenders(), 1u);
    EXPECT_EQ(InitCapabilities().Delete(e.server), Status::kOk);
    EXPECT_TRUE(e.endpoint->closed());
    ExpectExitedWith(*caller, 0);
    ASSERT_EQ(ProcessManager::Kill(*holder, 9), Status::kOk);
    testing_support::ExpectExit(*holder, abi::ExitReason::kKilled, 9);
    EXPECT_EQ(InitCapabilities().Delete(e.client), Status::kOk);
  });
}

TEST(ReceiverHandoffTest, ACallTakenByADyingServerFailsWhileTheEndpointStaysOpen) {
  OnOneAndFourCpus([] {
    InitEndpoints e = MakeEndpoints();
    Result<ProcessId> taker = testing_support::SpawnGranting("rh_taker", {}, {e.server});
    ASSERT_TRUE(taker.ok());
    Settle();
    Result<ProcessId> caller = testing_support::SpawnGranting("rh_caller", {}, {e.client});
    ASSERT_TRUE(caller.ok());
    Settle();
    EXPECT_EQ(e.endpoint->AwaitingReplies(), 1u);  // Taken, not answered.
    ASSERT_EQ(ProcessManager::Kill(*taker, 9), Status::kOk);
    testing_support::ExpectExit(*taker, abi::ExitReason::kKilled, 9);
    // The caller had no deadline: only the taker's death ends its wait.
    ExpectExitedWith(*caller, 0);
    EXPECT_EQ(e.endpoint->AwaitingReplies(), 0u);
    EXPECT_FALSE(e.endpoint->closed());  // Init can still receive.
    EXPECT_EQ(InitCapabilities().Delete(e.server), Status::kOk);
    EXPECT_EQ(InitCapabilities().Delete(e.client), Status::kOk);
  });
}

}  // namespace
}  // namespace vos
