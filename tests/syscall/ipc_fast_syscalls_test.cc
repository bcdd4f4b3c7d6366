// The register IPC syscalls (ipc_call_regs, ipc_reply_wait_regs) from
// simulated user mode: messages of every small length in message registers
// between processes on 1 and 4 CPUs, each delivered with its sender's pid,
// its bytes and zeros after them; register and IpcMessage peers on one
// endpoint; bad tokens, rights, lengths and handles rejected. Programs get
// the endpoint's token (granted by the test body, acting for init) last.
#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

#include "gtest/gtest.h"
#include "scenarios/programs/user_helpers.h"
#include "src/abi/syscall.h"
#include "src/abi/user_syscalls.h"
#include "src/ipc/endpoint.h"
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

constexpr uint64_t kBuffer = abi::kUserDataBase + abi::kMaxArgsSize;
constexpr uint32_t kMax = abi::kMaxRegisterIpc;

uint8_t PatternByte(uint64_t number, uint32_t index) {
  return static_cast<uint8_t>(number * 31 + index + 1);
}
uint32_t LengthOf(uint64_t number) { return static_cast<uint32_t>(number % (kMax + 1)); }

// regs_echo_server calls token: answers `calls` calls, each with its
// request's bytes plus one, in its message registers. Exits 0 or the
// failed check's number.
int64_t RegisterEchoServer(user::Args args) {
  const uint64_t calls = Arg(args, 0);
  const uint64_t token = Arg(args, 1);
  user::RegisterIpcResult in = user::IpcReplyWaitRegs(token, 0, 0);
  for (uint64_t n = 1; n <= calls; ++n) {
    if (in.length < 0 || in.length > kMax) return 1;
    if (in.reply_handle == 0 || in.sender == 0) return 2;
    uint8_t bytes[kMax];
    user::ReadMessageRegisters(bytes, sizeof(bytes));
    for (int64_t i = in.length; i < kMax; ++i) {
      if (bytes[i] != 0) return 3;  // Nothing after the message shows.
    }
    for (int64_t i = 0; i < in.length; ++i) ++bytes[i];
    user::WriteMessageRegisters(bytes, static_cast<size_t>(in.length));
    const uint64_t deadline = n == calls ? user::GetTime() + 100'000 : 0;
    in = user::IpcReplyWaitRegs(token, in.reply_handle, static_cast<uint64_t>(in.length),
                                deadline);
    if (n == calls) return in.length == Code(Status::kTimedOut) ? 0 : 4;
  }
  return 5;
}

// regs_client calls server_pid token: makes `calls` calls of every length
// in turn (0..kMax bytes); exits 0 or 100 + the number of the wrong answer.
int64_t RegisterClient(user::Args args) {
  const uint64_t calls = Arg(args, 0);
  const uint64_t server = Arg(args, 1);
  const uint64_t token = Arg(args, 2);
  for (uint64_t n = 0; n < calls; ++n) {
    const uint32_t length = LengthOf(n);
    uint8_t bytes[kMax];
    std::memset(bytes, 0xee, sizeof(bytes));  // Stale bytes past the message.
    for (uint32_t i = 0; i < length; ++i) bytes[i] = PatternByte(n, i);
    user::WriteMessageRegisters(bytes, sizeof(bytes));
    const user::RegisterIpcResult reply = user::IpcCallRegs(token, length);
    if (reply.length != length || reply.sender != server || reply.reply_handle != 0) {
      return 100 + static_cast<int64_t>(n);
    }
    user::ReadMessageRegisters(bytes, sizeof(bytes));
    for (uint32_t i = 0; i < kMax; ++i) {
      const uint8_t expected = i < length ? static_cast<uint8_t>(PatternByte(n, i) + 1) : 0;
      if (bytes[i] != expected) return 100 + static_cast<int64_t>(n);
    }
  }
  return 0;
}

// buffer_client token: one IpcMessage call of 24 bytes to a register
// server; exits 0 when the answer is the request's bytes plus one.
int64_t BufferClient(user::Args args) {
  const uint64_t token = Arg(args, 0);
  abi::IpcMessage message{};
  message.length = 24;
  for (uint32_t i = 0; i < message.length; ++i) message.data[i] = PatternByte(7, i);
  user::Store(kBuffer, &message, abi::kIpcHeaderSize + message.length);
  const uint64_t reply_at = kBuffer + sizeof(abi::IpcMessage);
  if (user::IpcCall(token, kBuffer, reply_at) != 0) return 1;
  abi::IpcMessage reply;
  user::Load(reply_at, &reply, abi::kIpcHeaderSize + message.length);
  if (reply.length != message.length) return 2;
  for (uint32_t i = 0; i < message.length; ++i) {
    if (reply.data[i] != static_cast<uint8_t>(message.data[i] + 1)) return 3;
  }
  return 0;
}

// regs_abuse full send_only: every rejection documented; exits 0 or the
// failed check's number.
int64_t RegisterAbuse(user::Args args) {
  const uint64_t full = Arg(args, 0);
  const uint64_t send_only = Arg(args, 1);
  const int64_t grant_only = user::CapDerive(full, abi::kRightGrant);
  const int64_t own = user::EndpointCreate();
  if (grant_only < 0 || own < 0) return 1;
  const uint64_t soon = user::GetTime() + 20'000;
  const struct {
    int64_t result;
    Status expected;
  } checks[] = {
      {user::IpcCallRegs(full ^ 0x5a5a, 8).length, Status::kBadHandle},
      {user::IpcCallRegs(0, 8).length, Status::kBadHandle},
      {user::IpcCallRegs(static_cast<uint64_t>(grant_only), 8).length,
       Status::kPermissionDenied},
      {user::IpcReplyWaitRegs(send_only, 0, 0).length, Status::kPermissionDenied},
      // More than the message registers hold.
      {user::IpcCallRegs(full, kMax + 1).length, Status::kInvalidArgument},
      {user::IpcReplyWaitRegs(static_cast<uint64_t>(own), 5, kMax + 1).length,
       Status::kInvalidArgument},
      // Nobody answers on its own endpoint: deadlines end the waits.
      {user::IpcCallRegs(static_cast<uint64_t>(own), 8, soon).length, Status::kTimedOut},
      {user::IpcReplyWaitRegs(static_cast<uint64_t>(own), 0, 0, user::GetTime() + 20'000)
           .length,
       Status::kTimedOut},
      // No call waits for this handle.
      {user::IpcReplyWaitRegs(static_cast<uint64_t>(own), 5, 8).length, Status::kNotFound},
  };
  int64_t number = 10;
  for (const auto& check : checks) {
    if (check.result != Code(check.expected)) return number;
    ++number;
  }
  return 0;
}

const std::array<Program, 4>& Programs() {
  static const std::array<Program, 4> programs = {{
      {"regs_echo_server", user::CodeAddress(user::ProgramEntry<RegisterEchoServer>)},
      {"regs_client", user::CodeAddress(user::ProgramEntry<RegisterClient>)},
      {"buffer_client", user::CodeAddress(user::ProgramEntry<BufferClient>)},
      {"regs_abuse", user::CodeAddress(user::ProgramEntry<RegisterAbuse>)},
  }};
  return programs;
}

// Three register clients of one register server.
void RunCallReply(uint32_t cpus, uint64_t seed) {
  RunProcesses(MakeProcessMachine(cpus, seed, Programs()), [] {
    constexpr uint64_t kClients = 3;
    constexpr uint64_t kCalls = kMax + 1;  // Every length once.
    const Token endpoint = InitEndpoint();
    Result<ProcessId> server =
        SpawnGranting("regs_echo_server", {kClients * kCalls}, {endpoint});
    ASSERT_TRUE(server.ok());
    std::vector<ProcessId> clients;
    for (uint64_t c = 0; c < kClients; ++c) {
      Result<ProcessId> client =
          SpawnGranting("regs_client", {kCalls, server->value}, {endpoint});
      ASSERT_TRUE(client.ok());
      clients.push_back(*client);
    }
    for (ProcessId client : clients) ExpectExitedWith(client, 0);
    ExpectExitedWith(*server, 0);
    ASSERT_EQ(ProcessManager::InitProcess()->capabilities().Delete(endpoint), Status::kOk);
  });
}

TEST(IpcFastSyscallsTest, RegisterCallsBetweenProcessesOnOneCpu) { RunCallReply(1, 1); }

TEST(IpcFastSyscallsTest, RegisterCallsBetweenProcessesOnFourCpus) {
  for (uint64_t seed : {1, 2, 3}) {
    SCOPED_TRACE(seed);
    RunCallReply(4, seed);
  }
}

TEST(IpcFastSyscallsTest, BufferCallerAndRegisterServerShareAnEndpoint) {
  for (uint32_t cpus : {1u, 4u}) {
    SCOPED_TRACE(cpus);
    RunServerAndClient(cpus, Programs(), "regs_echo_server", {1}, "buffer_client");
  }
}

TEST(IpcFastSyscallsTest, BadTokensRightsLengthsAndHandlesAreRejected) {
  RunProcesses(MakeProcessMachine(1, 1, Programs()), [] {
    CapabilitySpace& init = ProcessManager::InitProcess()->capabilities();
    const Token full = InitEndpoint();
    Result<Token> send_only = init.Derive(full, rights::kEndpointSend | Rights::kGrant);
    ASSERT_TRUE(send_only.ok());
    Result<ProcessId> abuse = SpawnGranting("regs_abuse", {}, {full, *send_only});
    ASSERT_TRUE(abuse.ok());
    ExpectExitedWith(*abuse, 0);
    ASSERT_EQ(init.Delete(*send_only), Status::kOk);
    ASSERT_EQ(init.Delete(full), Status::kOk);
  });
}

}  // namespace
}  // namespace vos
