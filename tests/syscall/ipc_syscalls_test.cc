// The IPC syscalls from simulated user mode: call/reply between processes on
// 1 and 4 CPUs with small (fast-path) and 4 KiB messages, and bad tokens,
// rights, sizes and buffers rejected. The programs live here: they are
// spawned by the test body (acting for init), which creates the endpoint
// and grants each program a capability to it (its last argument).
#include <array>
#include <cstdint>
#include <cstring>

#include "gtest/gtest.h"
#include "scenarios/programs/user_helpers.h"
#include "src/abi/syscall.h"
#include "src/abi/user_syscalls.h"
#include "src/proc/process_manager.h"
#include "tests/support/process_machine.h"

namespace vos {
namespace {

using programs::Arg;
using programs::Code;
using testing_support::ExpectExitedWith;
using testing_support::InitEndpoint;
using testing_support::MakeProcessMachine;
using testing_support::RunProcesses;
using testing_support::RunServerAndClient;
using testing_support::SpawnGranting;

// Where programs keep their messages: after the arguments.
constexpr uint64_t kFirstBuffer = abi::kUserDataBase + abi::kMaxArgsSize;
constexpr uint64_t kSecondBuffer = kFirstBuffer + sizeof(abi::IpcMessage);

uint8_t PatternByte(uint64_t number, uint32_t index) {
  return static_cast<uint8_t>(number * 31 + index);
}

// Builds a message of `size` pattern bytes for call `number` at `address`.
void PutRequest(uint64_t address, uint64_t number, uint32_t size) {
  abi::IpcMessage message{};  // Host stack of the program's fiber: its own.
  message.length = size;
  for (uint32_t i = 0; i < size; ++i) message.data[i] = PatternByte(number, i);
  user::Store(address, &message, abi::kIpcHeaderSize + size);
}

// ipc_echo_server calls token: answers `calls` calls, each with its request's
// bytes plus one; exits 0, or the number of the check that failed.
int64_t EchoServer(user::Args args) {
  const uint64_t calls = Arg(args, 0);
  const uint64_t token = Arg(args, 1);
  abi::IpcMessage message;
  if (user::IpcReceive(token, kFirstBuffer) != 0) return 1;
  for (uint64_t n = 1; n <= calls; ++n) {
    user::Load(kFirstBuffer, &message, abi::kIpcHeaderSize);
    if (message.reply_handle == 0 || message.sender == 0) return 2;
    user::Load(kFirstBuffer + abi::kIpcHeaderSize, message.data, message.length);
    for (uint32_t i = 0; i < message.length; ++i) ++message.data[i];
    user::Store(kSecondBuffer, &message, abi::kIpcHeaderSize + message.length);
    // After the last answer nothing more comes: wait a little only.
    const uint64_t deadline = n == calls ? user::GetTime() + 100'000 : 0;
    const int64_t result = user::IpcReplyWait(token, kSecondBuffer, kFirstBuffer, deadline);
    if (result != (n == calls ? Code(Status::kTimedOut) : 0)) return 3;
  }
  return 0;
}

// ipc_client calls size token: makes `calls` calls of `size` bytes; exits 0,
// or 100 + the number of the call whose answer was wrong.
int64_t Client(user::Args args) {
  const uint64_t calls = Arg(args, 0);
  const uint32_t size = static_cast<uint32_t>(Arg(args, 1));
  const uint64_t token = Arg(args, 2);
  abi::IpcMessage reply;
  for (uint64_t n = 0; n < calls; ++n) {
    PutRequest(kFirstBuffer, n, size);
    if (user::IpcCall(token, kFirstBuffer, kSecondBuffer) != 0) return 100 + n;
    user::Load(kSecondBuffer, &reply, abi::kIpcHeaderSize);
    if (reply.length != size) return 100 + n;
    user::Load(kSecondBuffer + abi::kIpcHeaderSize, reply.data, size);
    for (uint32_t i = 0; i < size; ++i) {
      if (reply.data[i] != static_cast<uint8_t>(PatternByte(n, i) + 1)) return 100 + n;
    }
  }
  return 0;
}

// A 4 KiB message whose header and first kTouched data bytes sit at the end
// of one page, the rest in the next, which nothing touches before the call.
constexpr uint64_t kTouched = 100;
constexpr uint64_t kFreshMessage = abi::kUserDataBase + 0xe000 - abi::kIpcHeaderSize - kTouched;
// A message whose header and first 8 data bytes end the data region.
constexpr uint64_t kOverhangingMessage =
    abi::kUserDataBase + abi::kUserDataSize - abi::kIpcHeaderSize - 8;

// Whether a call of `size` bytes from `address` came back from
// ipc_echo_server as `expected(i)` + 1 in each byte.
template <typename Expected>
bool EchoedCall(uint64_t token, uint64_t address, uint32_t size, Expected expected) {
  if (user::IpcCall(token, address, kSecondBuffer) != 0) return false;
  abi::IpcMessage reply;
  user::Load(kSecondBuffer, &reply, abi::kIpcHeaderSize + size);
  if (reply.length != size) return false;
  for (uint32_t i = 0; i < size; ++i) {
    if (reply.data[i] != static_cast<uint8_t>(expected(i) + 1)) return false;
  }
  return true;
}

// ipc_bulk_edge_client token: large requests to a server already waiting,
// which the kernel first tries to copy straight from user memory without
// faulting. Exits 0, or the failed check's number.
int64_t BulkEdgeClient(user::Args args) {
  const uint64_t token = Arg(args, 0);
  PutRequest(kFirstBuffer, 1, 8);
  const auto pattern = [](uint64_t n) { return [n](uint32_t i) { return PatternByte(n, i); }; };
  // After this answer the server waits in its receive.
  if (!EchoedCall(token, kFirstBuffer, 8, pattern(1))) return 1;
  // Part of the data is on a page not mapped yet: the fault is resolved (a
  // zero page) on the way through the kernel, and the server gets it all.
  abi::IpcMessage message{};
  message.length = abi::kMaxIpcData;
  for (uint32_t i = 0; i < kTouched; ++i) message.data[i] = PatternByte(2, i);
  user::Store(kFreshMessage, &message, abi::kIpcHeaderSize + kTouched);
  if (!EchoedCall(token, kFreshMessage, abi::kMaxIpcData, [](uint32_t i) {
        return i < kTouched ? PatternByte(2, i) : 0;
      })) {
    return 2;
  }
  // Data running past the region: rejected, and the waiting server gets
  // nothing (it answers exactly three calls).
  message.length = abi::kMaxIpcData;
  user::Store(kOverhangingMessage, &message, abi::kIpcHeaderSize + 8);
  if (user::IpcCall(token, kOverhangingMessage, kSecondBuffer) !=
      Code(Status::kInvalidArgument)) {
    return 3;
  }
  PutRequest(kFirstBuffer, 4, 8);
  return EchoedCall(token, kFirstBuffer, 8, pattern(4)) ? 0 : 4;
}

// ipc_abuse full send_only: bad tokens, rights, sizes, buffers, handles and
// capabilities to transfer; exits 0
// when each got the documented error, else the failed check's number.
int64_t Abuse(user::Args args) {
  const uint64_t full = Arg(args, 0);
  const uint64_t send_only = Arg(args, 1);
  PutRequest(kFirstBuffer, 0, 8);
  // Neither send nor receive.
  const int64_t grant_only = user::CapDerive(full, abi::kRightGrant);
  if (grant_only < 0) return 1;
  const int64_t own = user::EndpointCreate();
  if (own < 0) return 2;
  const struct {
    int64_t result;
    Status expected;
  } checks[] = {
      {user::IpcCall(full ^ 0x5a5a, kFirstBuffer, kSecondBuffer), Status::kBadHandle},
      {user::IpcCall(0, kFirstBuffer, kSecondBuffer), Status::kBadHandle},
      {user::IpcReceive(send_only, kSecondBuffer), Status::kPermissionDenied},
      {user::IpcReplyWait(send_only, kFirstBuffer, kSecondBuffer), Status::kPermissionDenied},
      {user::IpcCall(grant_only, kFirstBuffer, kSecondBuffer), Status::kPermissionDenied},
      {user::IpcSend(grant_only, kFirstBuffer), Status::kPermissionDenied},
      // Not a buffer the process may read.
      {user::IpcCall(own, 0x7000'0000, kSecondBuffer), Status::kInvalidArgument},
      {user::IpcSend(own, 0xffff'8000'0000'0000), Status::kInvalidArgument},
      // Nobody answers on its own endpoint: deadlines end the waits.
      {user::IpcCall(own, kFirstBuffer, kSecondBuffer, user::GetTime() + 20'000),
       Status::kTimedOut},
      {user::IpcReceive(own, kSecondBuffer, user::GetTime() + 20'000), Status::kTimedOut},
      // No call waits for this handle.
      {user::IpcReplyWait(own, kFirstBuffer, kSecondBuffer), Status::kNotFound},
  };
  int64_t number = 10;
  for (const auto& check : checks) {
    if (check.result != Code(check.expected)) return number;
    ++number;
  }
  // Too long: more than kMaxIpcData bytes.
  abi::IpcMessage header{};
  header.length = abi::kMaxIpcData + 1;
  user::Store(kFirstBuffer, &header, abi::kIpcHeaderSize);
  if (user::IpcCall(own, kFirstBuffer, kSecondBuffer) != Code(Status::kInvalidArgument)) {
    return 50;
  }
  // Too many capabilities, unknown flags, a forged capability.
  header.length = 0;
  header.cap_count = abi::kMaxIpcCaps + 1;
  user::Store(kFirstBuffer, &header, abi::kIpcHeaderSize);
  if (user::IpcSend(own, kFirstBuffer) != Code(Status::kInvalidArgument)) return 51;
  header.cap_count = 0;
  header.flags = 2;
  user::Store(kFirstBuffer, &header, abi::kIpcHeaderSize);
  if (user::IpcSend(own, kFirstBuffer) != Code(Status::kInvalidArgument)) return 52;
  header.flags = 0;
  header.cap_count = 1;
  header.caps[0] = full ^ 0x77;
  user::Store(kFirstBuffer, &header, abi::kIpcHeaderSize);
  if (user::IpcSend(own, kFirstBuffer) != Code(Status::kBadHandle)) return 53;
  return 0;
}

// Whether `token` names an endpoint capability with exactly `rights`.
bool IsEndpoint(uint64_t token, uint64_t rights) {
  constexpr uint64_t kInfoAt = kSecondBuffer + sizeof(abi::IpcMessage);
  abi::CapabilityInfo info{};
  if (user::CapInspect(token, kInfoAt) != 0) return false;
  user::Load(kInfoAt, &info, sizeof(info));
  return info.type == abi::ObjectType::kEndpoint && info.rights == rights;
}

bool IsStale(uint64_t token) {
  return user::CapInspect(token, kSecondBuffer + sizeof(abi::IpcMessage)) ==
         Code(Status::kBadHandle);
}

// ipc_cap_server token: takes a call carrying a copied endpoint capability
// and answers with one of its own, moved; then, on the next call, checks
// that the moved one left and that the copy died with its source's
// revocation. Exits 0 or the failed check's number.
int64_t CapServer(user::Args args) {
  const uint64_t token = Arg(args, 0);
  abi::IpcMessage message;
  if (user::IpcReceive(token, kFirstBuffer) != 0) return 10;
  user::Load(kFirstBuffer, &message, abi::kIpcHeaderSize);
  if (message.cap_count != 1 || !IsEndpoint(message.caps[0], abi::kEndpointRights)) return 11;
  const uint64_t copy = message.caps[0];
  const int64_t mine = user::EndpointCreate();
  if (mine < 0) return 12;
  message.length = 0;
  message.cap_count = 1;
  message.flags = abi::kIpcMoveCaps;
  message.caps[0] = static_cast<uint64_t>(mine);
  user::Store(kFirstBuffer, &message, abi::kIpcHeaderSize);
  if (user::IpcReplyWait(token, kFirstBuffer, kFirstBuffer) != 0) return 13;
  if (!IsStale(static_cast<uint64_t>(mine))) return 14;  // Moved away.
  if (!IsStale(copy)) return 15;                         // Revoked with its source.
  user::Load(kFirstBuffer, &message, abi::kIpcHeaderSize);
  message.cap_count = 0;
  message.flags = 0;
  user::Store(kFirstBuffer, &message, abi::kIpcHeaderSize);
  const int64_t last = user::IpcReplyWait(token, kFirstBuffer, kFirstBuffer,
                                          user::GetTime() + 10'000);
  return last == Code(Status::kTimedOut) ? 0 : 16;
}

// ipc_cap_client token: see ipc_cap_server. Exits 0 or the failed check's
// number.
int64_t CapClient(user::Args args) {
  const uint64_t token = Arg(args, 0);
  const int64_t own = user::EndpointCreate();
  const int64_t no_grant = user::CapDerive(own, abi::kRightEndpointSend);
  if (own < 0 || no_grant < 0) return 1;
  abi::IpcMessage message{};
  message.cap_count = 1;
  message.caps[0] = static_cast<uint64_t>(no_grant);
  user::Store(kFirstBuffer, &message, abi::kIpcHeaderSize);
  if (user::IpcCall(token, kFirstBuffer, kSecondBuffer) != Code(Status::kPermissionDenied)) {
    return 2;
  }
  message.caps[0] = static_cast<uint64_t>(own);
  user::Store(kFirstBuffer, &message, abi::kIpcHeaderSize);
  if (user::IpcCall(token, kFirstBuffer, kSecondBuffer) != 0) return 3;
  abi::IpcMessage reply;
  user::Load(kSecondBuffer, &reply, abi::kIpcHeaderSize);
  if (reply.cap_count != 1 || !IsEndpoint(reply.caps[0], abi::kEndpointRights)) return 4;
  if (!IsEndpoint(static_cast<uint64_t>(own), abi::kEndpointRights)) return 5;  // Copied.
  if (user::CapRevoke(own) != 0) return 6;
  message.cap_count = 0;
  user::Store(kFirstBuffer, &message, abi::kIpcHeaderSize);
  return user::IpcCall(token, kFirstBuffer, kSecondBuffer) == 0 ? 0 : 7;
}

const std::array<Program, 6>& Programs() {
  static const std::array<Program, 6> programs = {{
      {"ipc_echo_server", user::CodeAddress(user::ProgramEntry<EchoServer>)},
      {"ipc_client", user::CodeAddress(user::ProgramEntry<Client>)},
      {"ipc_abuse", user::CodeAddress(user::ProgramEntry<Abuse>)},
      {"ipc_cap_server", user::CodeAddress(user::ProgramEntry<CapServer>)},
      {"ipc_cap_client", user::CodeAddress(user::ProgramEntry<CapClient>)},
      {"ipc_bulk_edge_client", user::CodeAddress(user::ProgramEntry<BulkEdgeClient>)},
  }};
  return programs;
}

// Three clients of one server: `size`-byte calls.
void RunCallReply(uint32_t cpus, uint32_t size, uint64_t seed) {
  RunProcesses(MakeProcessMachine(cpus, seed, Programs()), [size] {
    constexpr uint64_t kClients = 3;
    constexpr uint64_t kCalls = 20;
    const Token endpoint = InitEndpoint();
    Result<ProcessId> server =
        SpawnGranting("ipc_echo_server", {kClients * kCalls}, {endpoint});
    ASSERT_TRUE(server.ok());
    std::vector<ProcessId> clients;
    for (uint64_t c = 0; c < kClients; ++c) {
      Result<ProcessId> client = SpawnGranting("ipc_client", {kCalls, size}, {endpoint});
      ASSERT_TRUE(client.ok());
      clients.push_back(*client);
    }
    for (ProcessId client : clients) ExpectExitedWith(client, 0);
    ExpectExitedWith(*server, 0);
    ASSERT_EQ(ProcessManager::InitProcess()->capabilities().Delete(endpoint), Status::kOk);
  });
}

TEST(IpcSyscallsTest, SmallCallsBetweenProcessesOnOneCpu) { RunCallReply(1, 24, 1); }

TEST(IpcSyscallsTest, SmallCallsBetweenProcessesOnFourCpus) {
  for (uint64_t seed : {1, 2, 3}) {
    SCOPED_TRACE(seed);
    RunCallReply(4, abi::kMaxInlineIpc, seed);
  }
}

TEST(IpcSyscallsTest, FourKibCallsBetweenProcessesOnOneAndFourCpus) {
  RunCallReply(1, abi::kMaxIpcData, 1);
  RunCallReply(4, abi::kMaxIpcData, 2);
  RunCallReply(4, 1000, 3);
}

TEST(IpcSyscallsTest, LargeRequestsFromPagesNotYetMappedArriveAndBadOnesDoNot) {
  for (uint32_t cpus : {1u, 2u}) {
    SCOPED_TRACE(cpus);
    RunServerAndClient(cpus, Programs(), "ipc_echo_server", {3}, "ipc_bulk_edge_client");
  }
}

TEST(IpcSyscallsTest, CapabilitiesRideAlongCopiedOrMoved) {
  for (uint32_t cpus : {1u, 4u}) {
    SCOPED_TRACE(cpus);
    RunServerAndClient(cpus, Programs(), "ipc_cap_server", {}, "ipc_cap_client");
  }
}

TEST(IpcSyscallsTest, BadTokensRightsSizesAndBuffersAreRejected) {
  RunProcesses(MakeProcessMachine(2, 1, Programs()), [] {
    const Token endpoint = InitEndpoint();
    Result<Token> send_only = ProcessManager::InitProcess()->capabilities().Derive(
        endpoint, rights::kEndpointSend | Rights::kGrant);
    ASSERT_TRUE(send_only.ok());
    Result<ProcessId> abuse = SpawnGranting("ipc_abuse", {}, {endpoint, *send_only});
    ASSERT_TRUE(abuse.ok());
    ExpectExitedWith(*abuse, 0);
    ASSERT_EQ(ProcessManager::InitProcess()->capabilities().Delete(*send_only), Status::kOk);
    ASSERT_EQ(ProcessManager::InitProcess()->capabilities().Delete(endpoint), Status::kOk);
  });
}

}  // namespace
}  // namespace vos
