// ipc_pingpong and ipc_pipeline: synchronous IPC between processes through
// endpoints the parent creates and grants its children at spawn. Every
// message carries a sequence number and a word each hop changes, checked
// at every step. Exit codes: exit_codes.h's (kBroken: a message was out of
// order, misaddressed or wrong; kNoObject: an endpoint could not be made).
#include <cstring>

#include "scenarios/programs/entries.h"
#include "scenarios/programs/exit_codes.h"
#include "scenarios/programs/user_helpers.h"

namespace programs {
namespace {

using vos::user::Args;
namespace abi = vos::abi;
namespace user = vos::user;

// A message's 16 bytes of data: a sequence number (0: stop) and a word.
struct Message {
  uint64_t sender;
  uint64_t reply_handle;
  uint32_t length;
  uint64_t sequence;
  uint64_t word;
};
constexpr uint32_t kDataSize = 16;

// Message buffers (abi::IpcMessage-sized) past what the helpers use.
constexpr uint64_t kIn = kBuffers;
constexpr uint64_t kOut = kIn + sizeof(abi::IpcMessage);
constexpr uint64_t kThreadOut = kOut + sizeof(abi::IpcMessage);
constexpr uint64_t kShared = kThreadOut + sizeof(abi::IpcMessage);  // Words for threads.
constexpr uint64_t kMaxStages = 32;

uint64_t PutMessage(uint64_t at, uint64_t sequence, uint64_t word, uint64_t reply_handle = 0) {
  abi::IpcMessage message{};
  message.reply_handle = reply_handle;
  message.length = kDataSize;
  std::memcpy(message.data, &sequence, sizeof(sequence));
  std::memcpy(message.data + sizeof(sequence), &word, sizeof(word));
  return Put(at, &message, abi::kIpcHeaderSize + kDataSize);
}

Message GetMessage(uint64_t at) {
  abi::IpcMessage message;
  user::Load(at, &message, abi::kIpcHeaderSize + kDataSize);
  Message out{message.sender, message.reply_handle, message.length, 0, 0};
  std::memcpy(&out.sequence, message.data, sizeof(out.sequence));
  std::memcpy(&out.word, message.data + sizeof(out.sequence), sizeof(out.word));
  return out;
}

abi::ProcessInfo OwnInfo() {
  abi::ProcessInfo info{};
  user::ProcessInfo(0, kShared + 512);
  user::Load(kShared + 512, &info, sizeof(info));
  return info;
}

// Reaps the child `token` names: 0 if it exited 0, else kChildFailed.
int64_t ReapChild(uint64_t token) {
  const vos::Result<abi::ExitStatus> status = WaitChild(token, kShared + 256);
  if (!status.ok() || user::CapDelete(token) != 0) return kChildFailed;
  return ExitedWith(status.value(), 0) ? 0 : kChildFailed;
}

// The request's word and the answer's, for round n.
uint64_t RequestWord(uint64_t n) { return n * 7; }
uint64_t AnswerWord(uint64_t word) { return word * 3 + 1; }

// --- ipc_pong rounds endpoint: answers `rounds` calls from its parent, in
// order, then takes the parent's stop message (a send).
int64_t Pong(Args args) {
  const uint64_t rounds = Arg(args, 0);
  const uint64_t endpoint = Arg(args, 1);
  const uint64_t parent = OwnInfo().parent;
  if (user::IpcReceive(endpoint, kIn) != 0) return kCallFailed;
  for (uint64_t n = 1; n <= rounds; ++n) {
    const Message request = GetMessage(kIn);
    if (request.sequence != n || request.word != RequestWord(n) || request.reply_handle == 0 ||
        request.sender != parent || request.length != kDataSize) {
      return kBroken;
    }
    PutMessage(kOut, n, AnswerWord(request.word), request.reply_handle);
    if (user::IpcReplyWait(endpoint, kOut, kIn) != 0) return kCallFailed;
  }
  const Message stop = GetMessage(kIn);
  return stop.sequence == 0 && stop.reply_handle == 0 && stop.sender == parent ? 0 : kBroken;
}

// --- ipc_pingpong rounds: `rounds` calls to an ipc_pong child, each answer
// checked, then a stop message.
int64_t PingPong(Args args) {
  const uint64_t rounds = Arg(args, 0);
  const int64_t endpoint = user::EndpointCreate();
  if (endpoint <= 0) return kNoObject;
  const uint64_t grants[] = {static_cast<uint64_t>(endpoint)};
  const int64_t child = SpawnGranting("ipc_pong", &rounds, 1, grants, 1);
  if (child <= 0) return kNoChild;
  const uint64_t self = OwnInfo().pid;
  for (uint64_t n = 1; n <= rounds; ++n) {
    PutMessage(kOut, n, RequestWord(n));
    if (user::IpcCall(static_cast<uint64_t>(endpoint), kOut, kIn) != 0) return kCallFailed;
    const Message answer = GetMessage(kIn);
    if (answer.sequence != n || answer.word != AnswerWord(RequestWord(n)) ||
        answer.sender == self || answer.length != kDataSize) {
      return kBroken;
    }
  }
  PutMessage(kOut, 0, 0);
  if (user::IpcSend(static_cast<uint64_t>(endpoint), kOut) != 0) return kCallFailed;
  if (int64_t failed = ReapChild(static_cast<uint64_t>(child))) return failed;
  return user::CapDelete(static_cast<uint64_t>(endpoint)) == 0 ? 0 : kBroken;
}

// --- ipc_stage index in out: receives from `in` and forwards to `out`,
// checking that messages come in order and have passed `index` stages
// (the word), which it counts up; forwards the stop message and exits.
int64_t Stage(Args args) {
  const uint64_t index = Arg(args, 0);
  const uint64_t in = Arg(args, 1);
  const uint64_t out = Arg(args, 2);
  for (uint64_t expected = 1;; ++expected) {
    if (user::IpcReceive(in, kIn) != 0) return kCallFailed;
    const Message message = GetMessage(kIn);
    if (message.word != index || message.reply_handle != 0) return kBroken;
    if (message.sequence != 0 && message.sequence != expected) return kBroken;
    PutMessage(kOut, message.sequence, message.word + 1);
    if (user::IpcSend(out, kOut) != 0) return kCallFailed;
    if (message.sequence == 0) return 0;
  }
}

// The pipeline's feeding thread: messages 1..count into the first
// endpoint, then the stop message. Failures go to a shared word.
constexpr uint64_t kFeedEndpoint = kShared;
constexpr uint64_t kFeedFailure = kShared + 8;

int64_t Feed(uint64_t count) {
  const uint64_t endpoint = Get64(kFeedEndpoint);
  for (uint64_t n = 1; n <= count + 1; ++n) {
    PutMessage(kThreadOut, n <= count ? n : 0, 0);
    if (user::IpcSend(endpoint, kThreadOut) != 0) {
      Set64(kFeedFailure, kCallFailed);
      return 0;
    }
  }
  return 0;
}

// --- ipc_pipeline stages messages: a chain of `stages` ipc_stage children
// between stages + 1 endpoints; a thread feeds `messages` messages in at
// one end and the main thread checks them, in order and having passed
// every stage, at the other.
int64_t Pipeline(Args args) {
  const uint64_t stages = Arg(args, 0);
  const uint64_t messages = Arg(args, 1);
  if (stages == 0 || stages > kMaxStages) return kBadArguments;
  uint64_t endpoints[kMaxStages + 1];
  uint64_t children[kMaxStages];
  for (uint64_t i = 0; i <= stages; ++i) {
    const int64_t endpoint = user::EndpointCreate();
    if (endpoint <= 0) return kNoObject;
    endpoints[i] = static_cast<uint64_t>(endpoint);
  }
  // Each stage may only receive from its input and send to its output.
  for (uint64_t i = 0; i < stages; ++i) {
    const int64_t in =
        user::CapDerive(endpoints[i], abi::kRightEndpointReceive | abi::kRightGrant);
    const int64_t out =
        user::CapDerive(endpoints[i + 1], abi::kRightEndpointSend | abi::kRightGrant);
    if (in <= 0 || out <= 0) return kNoChild;
    const uint64_t grants[] = {static_cast<uint64_t>(in), static_cast<uint64_t>(out)};
    const int64_t child = SpawnGranting("ipc_stage", &i, 1, grants, 2);
    if (child <= 0) return kNoChild;
    children[i] = static_cast<uint64_t>(child);
  }
  Set64(kFeedEndpoint, endpoints[0]);
  const int64_t feeder = user::ThreadCreate(&user::ThreadEntry<Feed>, messages);
  if (feeder <= 0) return kNoChild;
  int64_t result = 0;
  for (uint64_t n = 1; n <= messages + 1 && result == 0; ++n) {
    if (user::IpcReceive(endpoints[stages], kIn) != 0) {
      result = kCallFailed;
      break;
    }
    const Message message = GetMessage(kIn);
    const uint64_t want = n <= messages ? n : 0;
    if (message.sequence != want || message.word != stages) result = kBroken;
  }
  if (user::ThreadJoin(static_cast<uint64_t>(feeder)) != 0) return kNoChild;
  if (result != 0) return result;
  if (Get64(kFeedFailure) != 0) return static_cast<int64_t>(Get64(kFeedFailure));
  for (uint64_t i = 0; i < stages; ++i) {
    if (int64_t failed = ReapChild(children[i])) return failed;
  }
  return 0;
}

}  // namespace

const vos::user::Entry kIpcPingPong = &vos::user::ProgramEntry<PingPong>;
const vos::user::Entry kIpcPong = &vos::user::ProgramEntry<Pong>;
const vos::user::Entry kIpcPipeline = &vos::user::ProgramEntry<Pipeline>;
const vos::user::Entry kIpcStage = &vos::user::ProgramEntry<Stage>;

}  // namespace programs
